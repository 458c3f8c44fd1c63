import { Client, Connection } from '@temporalio/client';
import { createLinkSigner } from '../../activities/links';
import { loadPartnership, readEnv } from '../../config';
import { createApp } from '../../api/app';
import { openDatabase } from '../../db';

/** TRUST_PROXY as an operator writes it: `true`, a hop count, or the proxies' addresses. */
const connection = Connection.lazy({ address: '127.0.0.1:1' });
afterAll(() => connection.close());

function appFromEnvironment(trustProxy: string) {
  const env = readEnv({ TRUST_PROXY: trustProxy });
  return createApp({
    client: new Client({ connection }),
    connection,
    partnership: loadPartnership(),
    policyVersion: 'test',
    namespace: 'default',
    taskQueue: 'unused',
    links: createLinkSigner('trust-proxy-test-signing-key-0123456789'),
    linkGraceMs: 0,
    database: openDatabase({ url: 'sqlite::memory:', dataDir: '' }),
    rateLimitPerMinute: 600,
    publicBaseUrl: 'http://localhost:3000',
    trustProxy: env.TRUST_PROXY,
  });
}

test.each(['true', '1', '10.0.0.0/8, 127.0.0.1', 'loopback'])('TRUST_PROXY=%s starts the API', (value) => {
  expect(() => appFromEnvironment(value)).not.toThrow();
});
