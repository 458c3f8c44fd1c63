import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { UNSEALED_PAYLOAD } from '../domain/sealedPayloads';

/**
 * Every workflow and activity payload encrypted with AES-256-GCM before it leaves the process, so
 * ten years of Temporal history (referral details, declarations of interest, scores) hold
 * ciphertext only. The key id travels in the payload's metadata: a key rotated out still decrypts
 * what it encrypted, the newest key encrypts.
 *
 * GCM also authenticates. A payload that is not ours (sent by anyone who reached Temporal's port
 * without the key, tampered with, or plain JSON) does not decode to what it claims: it decodes to
 * {@link REFUSED_PAYLOAD}, which the workflows refuse in words (workflows/interceptors.ts): a forged
 * decision is refused before any validator runs and nothing enters the history. Throwing instead
 * would fail the workflow task again and again, wedging the case for whoever sent it.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
/** What a payload the key did not seal decodes to (one definition, in domain/, which the workflows recognise). */
export const REFUSED_PAYLOAD = UNSEALED_PAYLOAD;

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/**
 * `JCO_PAYLOAD_KEYS`: comma-separated `id:base64-of-32-bytes`, newest first (it encrypts; all decrypt).
 * Throws naming the problem: the setting's value is a secret, so it is never echoed.
 */
export function payloadKeysFrom(setting: string): PayloadKey[] {
  const keys = setting
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const colon = entry.indexOf(':');
      const id = colon > 0 ? entry.slice(0, colon) : '';
      if (!/^[\w.-]{1,40}$/.test(id)) throw new Error(`JCO_PAYLOAD_KEYS entry ${i + 1}: must be id:base64key, the id 1 to 40 letters, digits, dots, dashes or underscores`);
      const key = Buffer.from(entry.slice(colon + 1), 'base64');
      if (key.length !== 32) throw new Error(`JCO_PAYLOAD_KEYS entry ${i + 1} (${id}): the key must be 32 random bytes in base64 (openssl rand -base64 32)`);
      return { id, key };
    });
  if (keys.length === 0) throw new Error('JCO_PAYLOAD_KEYS: give at least one key, id:base64key');
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error('JCO_PAYLOAD_KEYS: each key needs its own id');
  return keys;
}

export interface EncryptionOptions {
  /** Plain payloads written before encryption was switched on: decoded as they are only while this is set (a migration window). */
  acceptPlaintext?: boolean;
}

export class PayloadEncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: PayloadKey[], private readonly options: EncryptionOptions = {}) {
    if (keys.length === 0) throw new Error('at least one payload key is needed');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0]!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is bound to the ciphertext, so it cannot be swapped for another key's.
      cipher.setAAD(Buffer.from(id));
      const sealed = Buffer.concat([cipher.update(temporal.api.common.v1.Payload.encode(payload).finish()), cipher.final()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
        data: Buffer.concat([iv, sealed, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return this.options.acceptPlaintext ? payload : refused();
    const id = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
    const key = this.byId.get(id);
    const data = Buffer.from(payload.data ?? []);
    if (!key || data.length < IV_BYTES + TAG_BYTES) return refused();
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const clear = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(clear);
    } catch {
      return refused();
    }
  }
}

function refused(): Payload {
  return { metadata: { [METADATA_ENCODING_KEY]: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(REFUSED_PAYLOAD)) };
}
