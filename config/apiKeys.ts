import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * API keys in the partnership file: the key itself (24+ characters), or only its SHA-256 digest
 * written `sha256:<64 hex digits>`, so that a copy of the file signs nobody in. Callers always
 * send the key; the API compares digests (api/auth.ts).
 */
const digestForm = /^sha256:([0-9a-f]{64})$/i;

export function apiKeySetting() {
  return z.string().superRefine((k, ctx) => {
    if (/^sha256:/i.test(k) ? !digestForm.test(k) : k.length < 24)
      ctx.addIssue({ code: 'custom', message: 'an API key has at least 24 characters, or is its digest written sha256:<64 hex digits> (npm run key:new)' });
  });
}

/** The SHA-256 of a key as a caller sends it. */
export function digestOfApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The digest an `apiKey` entry stands for, whichever way it is written. */
export function storedApiKeyDigest(entry: string): Buffer {
  const written = digestForm.exec(entry);
  return written ? Buffer.from(written[1]!.toLowerCase(), 'hex') : digestOfApiKey(entry);
}

/** A new key (256 random bits) and the line for the partnership file. */
export function newApiKey(): { key: string; entry: string } {
  const key = `jco_${randomBytes(32).toString('base64url')}`;
  return { key, entry: `sha256:${digestOfApiKey(key).toString('hex')}` };
}
