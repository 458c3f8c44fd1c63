import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Connection } from '@temporalio/client';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { parsePartnership, readEnv } from '../../config';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { bundledPartnershipFile } from '../../config/partnership';
import { createApp } from '../../api/app';
import { testApiContext } from '../helpers/apiContext';
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
  jwks = jwksUrl;
  const app = appWith({ oidc: oidcVerifier({ issuer, audience, jwksUrl, emailFallback: 'off' }, withIdentities) });
  apiServer = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => apiServer.once('listening', () => r()));
  base = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;
});
let signWithOther: (claims: Record<string, unknown>) => Promise<string>;
let jwks: string;

/** Entra ID's tenant ids: a council's, NHSmail's (both allow-listed where multi-tenant), and one nobody allowed. */
const councilTenant = '0b7c5d1e-0000-4000-8000-00000000c0c1';
const nhsmailTenant = '0b7c5d1e-0000-4000-8000-0000000000e5';
const otherTenant = '0b7c5d1e-0000-4000-8000-0000000bad00';
const councilCommissionerOid = '4f0c6a52-0000-4000-8000-000000000001';

/** The bundled partnership, the council's commissioner recorded by their Entra ID object id, the NENC commissioner by another issuer's subject. */
const withIdentities = (() => {
  const raw = parseYaml(readFileSync(bundledPartnershipFile, 'utf8')) as { people: Record<string, unknown>[] };
  for (const p of raw.people) {
    if (p['id'] === 'council-commissioner') p['identities'] = [{ entraTenantId: councilTenant, entraObjectId: councilCommissionerOid }];
    if (p['id'] === 'nenc-commissioner') p['identities'] = [{ issuer, subject: 'nenc-commissioner-subject' }];
  }
  return parsePartnership(raw);
})();

/** The real app; its Temporal connection is lazy and never used by /people/me. */
function appWith(overrides: Partial<Parameters<typeof createApp>[0]>) {
  return createApp(testApiContext(connection, openDatabase({ url: 'sqlite::memory:', dataDir: '' }), { logger: undefined, ...overrides }));
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

test('a token maps to the person recorded with its issuer and subject', async () => {
  const r = await me(await sign({ sub: 'nenc-commissioner-subject', email: 'someone.else@nenc-icb.example' }));
  expect(r).toEqual({ status: 200, body: { id: 'nenc-commissioner', name: 'Example NENC Commissioner', partner: 'nenc-icb', roles: ['commissioner'] } });
});

test("an Entra ID token maps to the person recorded with its tenant and object id, whatever its email or subject say", async () => {
  const r = await me(await sign({ tid: councilTenant, oid: councilCommissionerOid, sub: 'pairwise-subject-1', email: 'renamed@council.example' }));
  expect(r.body.id).toBe('council-commissioner');
  // The same object id in another tenant is another person.
  expect((await me(await sign({ tid: otherTenant, oid: councilCommissionerOid, sub: 'x' }))).status).toBe(401);
});

test('an email alone names nobody: not unverified, and not verified unless the configuration allows the fallback', async () => {
  // Entra ID lets a tenant's administrators put any address in the email claim.
  const unverified = await me(await sign({ sub: 'attacker', email: 'Commissioner@NENC-ICB.example' }));
  expect(unverified.status).toBe(401);
  expect(unverified.body.detail).toContain('not as a person of this partnership');
  // A person with no identity recorded, and a verified email: still nobody, the fallback being off.
  expect((await me(await sign({ sub: 'attacker', email: 'finance@council.example', email_verified: true }))).status).toBe(401);
});

test('with OIDC_EMAIL_FALLBACK=verified a verified email names a person who has no identity recorded, never one who has', async () => {
  const fallback = appWith({ oidc: oidcVerifier({ issuer, audience, jwksUrl: jwks, emailFallback: 'verified' }, withIdentities) });
  await listening(fallback, async (url) => {
    const as = async (claims: Record<string, unknown>) => {
      const res = await fetch(`${url}/api/v1/people/me`, { headers: { authorization: `Bearer ${await sign(claims)}` } });
      return { status: res.status, body: (await res.json()) as { id?: string; detail?: string } };
    };
    expect((await as({ sub: 's1', email: 'Finance@Council.example', email_verified: true })).body.id).toBe('council-finance');
    const unverified = await as({ sub: 's1', email: 'finance@council.example', email_verified: 'true' });
    expect(unverified.status).toBe(401);
    expect(unverified.body.detail).toContain('did not confirm your email address');
    // Recorded by their identity: a verified email from elsewhere does not reach them.
    expect((await as({ sub: 'attacker', email: 'commissioner@council.example', email_verified: true })).status).toBe(401);
  });
});

test('a multi-tenant issuer (Entra ID organizations) accepts only the allow-listed tenants, each under its own issuer', async () => {
  const organizations = 'https://login.microsoftonline.com/organizations/v2.0';
  const tenantIssuer = (tid: string) => `https://login.microsoftonline.com/${tid}/v2.0`;
  const app = appWith({ oidc: oidcVerifier({ issuer: organizations, audience, jwksUrl: jwks, tenants: [councilTenant, nhsmailTenant], emailFallback: 'off' }, withIdentities) });
  await listening(app, async (url) => {
    const as = async (claims: Record<string, unknown>, iss: string) => {
      const res = await fetch(`${url}/api/v1/people/me`, { headers: { authorization: `Bearer ${await sign(claims, { iss })}` } });
      return { status: res.status, body: (await res.json()) as { id?: string; detail?: string } };
    };
    const council = { tid: councilTenant, oid: councilCommissionerOid, sub: 's' };
    expect((await as(council, tenantIssuer(councilTenant))).body.id).toBe('council-commissioner');
    const elsewhere = await as({ tid: otherTenant, oid: councilCommissionerOid, sub: 's' }, tenantIssuer(otherTenant));
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.detail).toContain('OIDC_TENANTS');
    // A tenant's token claiming another tenant's id does not pass: the issuer must be that tenant's.
    const forged = await as(council, tenantIssuer(otherTenant));
    expect(forged.status).toBe(401);
    expect(forged.body.detail).toContain('issuer');
    expect((await as({ oid: councilCommissionerOid, sub: 's' }, tenantIssuer(councilTenant))).status).toBe(401);
  });
});

test('the environment: a multi-tenant issuer needs OIDC_TENANTS; OIDC_PERSON_CLAIM is refused, saying what replaced it; AUTH_API_KEYS=off needs single sign-on', () => {
  const sso = { OIDC_AUDIENCE: 'api://jco', OIDC_JWKS_URL: 'https://login.microsoftonline.com/common/discovery/v2.0/keys' };
  expect(() => readEnv({ ...sso, OIDC_ISSUER: 'https://login.microsoftonline.com/common/v2.0' })).toThrow(/OIDC_TENANTS: .*tenant/);
  expect(readEnv({ ...sso, OIDC_ISSUER: 'https://login.microsoftonline.com/organizations/v2.0', OIDC_TENANTS: `${councilTenant}, ${nhsmailTenant}` }).OIDC_TENANTS).toEqual([councilTenant, nhsmailTenant]);
  expect(() => readEnv({ ...sso, OIDC_ISSUER: issuer, OIDC_TENANTS: 'council' })).toThrow(/OIDC_TENANTS/);
  expect(() => readEnv({ ...sso, OIDC_ISSUER: issuer, OIDC_PERSON_CLAIM: 'email' })).toThrow(/OIDC_PERSON_CLAIM: .*identities/);
  expect(() => readEnv({ AUTH_API_KEYS: 'off' })).toThrow(/AUTH_API_KEYS: .*OIDC_ISSUER/);
  expect(readEnv({ ...sso, OIDC_ISSUER: issuer, AUTH_API_KEYS: 'off' }).AUTH_API_KEYS).toBe('off');
  expect(readEnv({}).OIDC_EMAIL_FALLBACK).toBe('off');
});

test('AUTH_API_KEYS=off: every API key is refused, naming the setting; sign-in tokens still work', async () => {
  const app = appWith({ oidc: oidcVerifier({ issuer, audience, jwksUrl: jwks, emailFallback: 'off' }, withIdentities), apiKeys: 'off' });
  await listening(app, async (url) => {
    const res = await fetch(`${url}/api/v1/people/me`, { headers: { authorization: 'Bearer demo-key-lsc-commissioner-000001' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toContain('AUTH_API_KEYS=off');
    const token = await sign({ sub: 'nenc-commissioner-subject' });
    expect((await fetch(`${url}/api/v1/people/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});

async function listening(app: ReturnType<typeof appWith>, body: (url: string) => Promise<void>): Promise<void> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

test('an expired token is refused, saying so', async () => {
  const r = await me(await sign({ sub: 'nenc-commissioner-subject' }, { exp: Math.floor(Date.now() / 1000) - 120 }));
  expect(r.status).toBe(401);
  expect(r.body.detail).toContain('expired');
});

test('a token for another audience or from another issuer is refused', async () => {
  const wrongAudience = await me(await sign({ sub: 'nenc-commissioner-subject' }, { aud: 'api://something-else' }));
  expect(wrongAudience.status).toBe(401);
  expect(wrongAudience.body.detail).toContain('not issued for this service');
  const wrongIssuer = await me(await sign({ sub: 'nenc-commissioner-subject' }, { iss: 'https://evil.example.test' }));
  expect(wrongIssuer.status).toBe(401);
  expect(wrongIssuer.body.detail).toContain('issuer');
});

test('a token signed by a key the issuer did not publish is refused', async () => {
  const r = await me(await signWithOther({ sub: 'nenc-commissioner-subject' }));
  expect(r.status).toBe(401);
  expect(r.body.detail).toContain('could not be verified');
});

test('a valid token for someone not in the partnership is refused', async () => {
  const r = await me(await sign({ sub: 'stranger', email: 'stranger@elsewhere.example' }));
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
