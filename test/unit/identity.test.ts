import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createLinkSigner } from '../../activities/links';
import { loadPartnership } from '../../config';
import { createApp } from '../../api/app';
import { oidcVerifier } from '../../api/oidc';
import { openDatabase } from '../../db';

/** Identity against a local JWKS server and tokens signed here: no Temporal needed for /people/me. */
const issuer = 'https://login.example.test/tenant-1/v2.0';
const audience = 'api://joint-commissioning';
let jwksServer: http.Server;
let apiServer: http.Server;
let base: string;
let sign: (claims: Record<string, unknown>, opts?: { exp?: string | number; aud?: string; iss?: string }) => Promise<string>;
let connection: Connection;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwksServer = http.createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/keys`;
  sign = (claims, opts = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(opts.iss ?? issuer)
      .setAudience(opts.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '10m')
      .sign(privateKey);
  signWithOther = (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience(audience).setExpirationTime('10m').sign(other.privateKey);

  connection = Connection.lazy({ address: '127.0.0.1:1' });
  const app = appWith({ oidc: oidcVerifier({ issuer, audience, jwksUrl, personClaim: 'email' }, loadPartnership()) });
  apiServer = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => apiServer.once('listening', () => r()));
  base = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;
});
let signWithOther: (claims: Record<string, unknown>) => Promise<string>;

/** The real app; its Temporal connection is lazy and never used by /people/me. */
function appWith(overrides: Partial<Parameters<typeof createApp>[0]>) {
  return createApp({
    client: new Client({ connection }),
    connection,
    partnership: loadPartnership(),
    policyVersion: 'test',
    namespace: 'default',
    taskQueue: 'unused',
    links: createLinkSigner('identity-test-signing-key-0123456789'),
    linkGraceMs: 0,
    database: openDatabase({ url: 'sqlite::memory:', dataDir: '' }),
    rateLimitPerMinute: 600,
    publicBaseUrl: 'http://localhost:3000',
    ...overrides,
  });
}

afterAll(async () => {
  await new Promise((r) => apiServer.close(r));
  await new Promise((r) => jwksServer.close(r));
  await connection.close();
});

const me = async (token: string) => {
  const res = await fetch(`${base}/api/v1/people/me`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as { id?: string; detail?: string } };
};

test('a good token maps to the person with that email', async () => {
  const r = await me(await sign({ email: 'Commissioner@NENC-ICB.example', sub: 'abc' }));
  expect(r).toEqual({ status: 200, body: { id: 'nenc-commissioner', name: 'Example NENC Commissioner', partner: 'nenc-icb', roles: ['commissioner'] } });
});

test('an expired token is refused, saying so', async () => {
  const r = await me(await sign({ email: 'commissioner@nenc-icb.example' }, { exp: Math.floor(Date.now() / 1000) - 120 }));
  expect(r.status).toBe(401);
  expect(r.body.detail).toContain('expired');
});

test('a token for another audience or from another issuer is refused', async () => {
  const wrongAudience = await me(await sign({ email: 'commissioner@nenc-icb.example' }, { aud: 'api://something-else' }));
  expect(wrongAudience.status).toBe(401);
  expect(wrongAudience.body.detail).toContain('not issued for this service');
  const wrongIssuer = await me(await sign({ email: 'commissioner@nenc-icb.example' }, { iss: 'https://evil.example.test' }));
  expect(wrongIssuer.status).toBe(401);
  expect(wrongIssuer.body.detail).toContain('issuer');
});

test('a token signed by a key the issuer did not publish is refused', async () => {
  const r = await me(await signWithOther({ email: 'commissioner@nenc-icb.example' }));
  expect(r.status).toBe(401);
  expect(r.body.detail).toContain('could not be verified');
});

test('a valid token for someone not in the partnership is refused', async () => {
  const r = await me(await sign({ email: 'stranger@elsewhere.example' }));
  expect(r.status).toBe(401);
  expect(r.body.detail).toContain('not as a person of this partnership');
});

test('API keys keep working beside single sign-on', async () => {
  expect((await me('demo-key-lsc-commissioner-000001')).body.id).toBe('lsc-commissioner');
  expect((await me('not-a-key-at-all-0000000000')).status).toBe(401);
});

test('each key has its own rate limit; past it, 429 problem+json with Retry-After', async () => {
  const app = appWith({ rateLimitPerMinute: 3 });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/people/me`;
  const as = (key: string) => fetch(url, { headers: { authorization: `Bearer ${key}` } });
  try {
    for (let i = 0; i < 3; i++) expect((await as('demo-key-lsc-commissioner-000001')).status).toBe(200);
    const limited = await as('demo-key-lsc-commissioner-000001');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    // Seconds until the minute's window ends (windows are aligned to the clock, shared by instances).
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another person's key is not affected.
    expect((await as('demo-key-nenc-commissioner-00001')).status).toBe(200);
  } finally {
    await new Promise((r) => server.close(r));
  }
});
