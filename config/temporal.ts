import { readFileSync } from 'node:fs';
import type { DataConverter } from '@temporalio/common';
import type { TLSConfig } from '@temporalio/client';
import { PayloadEncryptionCodec, payloadKeysFrom } from '../codec/payloadEncryption';
import type { Env } from './env';
import { isLocalRun } from './web';

/** What both the worker's and the API's connections to Temporal need: one reading of the settings. */
export interface TemporalConnectionSettings {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/** Reads a PEM file named by a setting; a problem names the setting, not the file's contents. */
function pem(env: Env, name: 'TEMPORAL_TLS_CA' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY'): Buffer | undefined {
  const file = env[name];
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function temporalConnectionSettings(env: Env): TemporalConnectionSettings {
  const ca = pem(env, 'TEMPORAL_TLS_CA');
  const crt = pem(env, 'TEMPORAL_TLS_CERT');
  const key = pem(env, 'TEMPORAL_TLS_KEY');
  const custom = ca || crt || env.TEMPORAL_TLS_SERVER_NAME;
  const tls: TLSConfig | boolean | undefined = custom
    ? {
        ...(ca ? { serverRootCACertificate: ca } : {}),
        ...(crt && key ? { clientCertPair: { crt, key } } : {}),
        ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
      }
    : env.TEMPORAL_TLS === 'true' || env.TEMPORAL_API_KEY
      ? true
      : undefined;
  return { address: env.TEMPORAL_ADDRESS, ...(tls !== undefined ? { tls } : {}), ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}) };
}

/**
 * The payload codec both sides use. Without JCO_PAYLOAD_KEYS only a run on this machine starts (its
 * histories stay here; the same rule as config/safety.ts's refusals); anywhere else start-up refuses rather than writing ten years of
 * children's cases into Temporal in clear.
 */
export function payloadCodecOf(env: Env): PayloadEncryptionCodec | undefined {
  if (!env.JCO_PAYLOAD_KEYS) {
    if (isLocalRun(env)) return undefined;
    throw new Error('JCO_PAYLOAD_KEYS is required outside a run on this machine: Temporal would keep every payload in clear. Set it to k1:$(openssl rand -base64 32) (see README, "Encrypted payloads").');
  }
  return new PayloadEncryptionCodec(payloadKeysFrom(env.JCO_PAYLOAD_KEYS), { acceptPlaintext: env.JCO_PAYLOAD_PLAINTEXT === 'accept' });
}

export function dataConverterOf(env: Env): DataConverter | undefined {
  const codec = payloadCodecOf(env);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
