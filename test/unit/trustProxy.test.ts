import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Connection } from '@temporalio/client';
import { readEnv } from '../../config';
import { createApp } from '../../api/app';
import { testApiContext } from '../helpers/apiContext';
import { openDatabase, openMigratedDatabase } from '../../db';

/** TRUST_PROXY as an operator writes it: `true`, a hop count, or the proxies' addresses. */
const connection = Connection.lazy({ address: '127.0.0.1:1' });
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await connection.close();
});

function appFromEnvironment(environment: NodeJS.ProcessEnv, database = openDatabase({ url: 'sqlite::memory:', dataDir: '' })) {
  const env = readEnv(environment);
  return createApp(
    testApiContext(connection, database, {
      logger: undefined,
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
      rateLimitUnauthenticatedPerMinute: env.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
      trustProxy: env.TRUST_PROXY,
    }),
  );
}

test.each(['true', '1', '10.0.0.0/8, 127.0.0.1', 'loopback'])('TRUST_PROXY=%s starts the API', (value) => {
  expect(() => appFromEnvironment({ TRUST_PROXY: value })).not.toThrow();
});

test('TRUST_PROXY is read as express means it: true, a hop count, or a list; anything else is refused by name', () => {
  expect(readEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
  expect(readEnv({ TRUST_PROXY: 'FALSE' }).TRUST_PROXY).toBe(false);
  expect(readEnv({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
  expect(readEnv({ TRUST_PROXY: ' 10.0.0.0/8 , 2001:db8::/32,loopback' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '2001:db8::/32', 'loopback']);
  for (const bad of ['yes', '10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/8', ','])
    expect(() => readEnv({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY: must be true, a number of proxy hops, or the proxies' addresses/);
});

async function listen(environment: NodeJS.ProcessEnv): Promise<string> {
  const app = appFromEnvironment(environment, await openMigratedDatabase({ url: 'sqlite::memory:', dataDir: '' }));
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise<void>((r) => server.once('listening', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const statuses = async (base: string, path: string, times: number, headers: Record<string, string> = {}) => {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push((await fetch(`${base}${path}`, { headers })).status);
  return out;
};

test('unauthenticated requests are limited per client address, as the trusted proxy reports it; signed-in callers are not', async () => {
  const base = await listen({ TRUST_PROXY: 'loopback', RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '3' });
  const guess = { authorization: 'Bearer guessed-key-000000000000000000', 'x-forwarded-for': '203.0.113.7' };
  // Wrong keys, the sign-in page and emailed links share one allowance per address.
  expect(await statuses(base, '/api/v1/people/me', 2, guess)).toEqual([401, 401]);
  expect(await statuses(base, '/sign-in', 1, { 'x-forwarded-for': '203.0.113.7' })).toEqual([200]);
  const refused = await fetch(`${base}/a/not-a-link`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(((await refused.json()) as { detail: string }).detail).toMatch(/without signing in/);
  // Another client behind the same proxy has its own allowance; a person with a key is counted as themselves.
  expect(await statuses(base, '/api/v1/people/me', 1, { ...guess, 'x-forwarded-for': '198.51.100.9' })).toEqual([401]);
  expect(await statuses(base, '/api/v1/people/me', 5, { authorization: 'Bearer demo-key-council-commissioner-0001', 'x-forwarded-for': '203.0.113.7' })).toEqual([200, 200, 200, 200, 200]);
});

test("without TRUST_PROXY a forged X-Forwarded-For changes nothing: the connection's address is counted", async () => {
  const base = await listen({ RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '2' });
  const forged = (n: number) => ({ 'x-forwarded-for': `192.0.2.${n}` });
  const out = [];
  for (let n = 1; n <= 3; n++) out.push(...(await statuses(base, '/sign-in', 1, forged(n))));
  expect(out).toEqual([200, 200, 429]);
});
