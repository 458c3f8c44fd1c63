import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { readEnv } from '../../config/env';
import { payloadCodecOf, temporalConnectionSettings } from '../../config/temporal';

const production = { DATABASE_URL: 'postgres://jco:pw@db:5432/jco', PUBLIC_BASE_URL: 'https://jco.example.org', NODE_ENV: 'production' };

test('outside the embedded default, start-up refuses to write payloads to Temporal in clear', () => {
  expect(() => payloadCodecOf(readEnv(production))).toThrow(/JCO_PAYLOAD_KEYS is required outside a run on this machine/);
  expect(payloadCodecOf(readEnv({ ...production, JCO_PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}` }))).toBeDefined();
  // The embedded default (npm start, the tests) may run without: its histories stay on this machine.
  expect(payloadCodecOf(readEnv({}))).toBeUndefined();
});

test('mutual TLS from PEM files, a server name, and Temporal Cloud API keys; a file that cannot be read names its setting', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jco-tls-'));
  for (const f of ['ca.pem', 'client.pem', 'client.key']) writeFileSync(path.join(dir, f), `-----BEGIN ${f}-----\n`);
  const mtls = temporalConnectionSettings(
    readEnv({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS_CA: path.join(dir, 'ca.pem'), TEMPORAL_TLS_CERT: path.join(dir, 'client.pem'), TEMPORAL_TLS_KEY: path.join(dir, 'client.key'), TEMPORAL_TLS_SERVER_NAME: 'temporal' }),
  );
  expect(mtls.address).toBe('temporal.internal:7233');
  expect(mtls.tls).toMatchObject({ serverNameOverride: 'temporal', serverRootCACertificate: expect.any(Buffer), clientCertPair: { crt: expect.any(Buffer), key: expect.any(Buffer) } });
  expect(temporalConnectionSettings(readEnv({ TEMPORAL_API_KEY: 'cloud-key' }))).toMatchObject({ tls: true, apiKey: 'cloud-key' });
  expect(temporalConnectionSettings(readEnv({}))).toEqual({ address: 'localhost:7233' });
  expect(() => readEnv({ TEMPORAL_TLS_CERT: path.join(dir, 'client.pem') })).toThrow(/TEMPORAL_TLS_CERT: mutual TLS needs both/);
  expect(() => temporalConnectionSettings(readEnv({ TEMPORAL_TLS_CA: path.join(dir, 'missing.pem') }))).toThrow(/TEMPORAL_TLS_CA: cannot read .*missing\.pem \(ENOENT\)/);
});
