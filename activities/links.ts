import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What an emailed link lets its recipient do: decide one task, as themselves, until it expires. */
export interface LinkClaims {
  /** Link id: a decision through this link is recorded against it, so it acts once. */
  id: string;
  task: string;
  person: string;
  /** Expiry, ms since the epoch. */
  exp: number;
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'invalid' | 'expired'; claims?: LinkClaims };

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64url');
const keyId = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

/**
 * HMAC-SHA256 signed link tokens: `<key id>.<claims>.<signature>`. Signed, not encrypted: the
 * token holds only ids and an expiry. The first key signs; every key given verifies, so keys can
 * be rotated without breaking links already in people's inboxes.
 */
export function createLinkSigner(keys: string | string[], now: () => number = Date.now) {
  const all = (Array.isArray(keys) ? keys : [keys]).filter((k) => k.length > 0);
  if (all.length === 0 || all.some((k) => k.length < 32)) throw new Error('LINK_SIGNING_KEY must be at least 32 characters');
  const byId = new Map(all.map((k) => [keyId(k), k]));
  const signingKey = all[0]!;
  const mac = (key: string, payload: string): Buffer => createHmac('sha256', key).update(payload).digest();

  function keyOf(token: string): string | undefined {
    return byId.get(token.split('.')[0] ?? '');
  }

  return {
    sign(claims: LinkClaims): string {
      const payload = `${keyId(signingKey)}.${b64(JSON.stringify(claims))}`;
      return `${payload}.${b64(mac(signingKey, payload))}`;
    },

    verify(token: string): LinkCheck {
      const parts = token.split('.');
      const key = keyOf(token);
      if (parts.length !== 3 || !key) return { ok: false, reason: 'invalid' };
      const [kid, claimsPart, signature] = parts as [string, string, string];
      const expected = mac(key, `${kid}.${claimsPart}`);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
      let claims: LinkClaims;
      try {
        claims = JSON.parse(Buffer.from(claimsPart, 'base64url').toString('utf8')) as LinkClaims;
      } catch {
        return { ok: false, reason: 'invalid' };
      }
      if (typeof claims.task !== 'string' || typeof claims.person !== 'string' || typeof claims.exp !== 'number') {
        return { ok: false, reason: 'invalid' };
      }
      if (claims.exp <= now()) return { ok: false, reason: 'expired', claims };
      return { ok: true, claims };
    },

    /** The value the link's form must send back: only a page we served can know it. */
    formToken(token: string): string {
      return b64(mac(keyOf(token) ?? signingKey, `form:${token}`));
    },

    checkFormToken(token: string, given: unknown): boolean {
      if (typeof given !== 'string') return false;
      const expected = Buffer.from(this.formToken(token));
      const received = Buffer.from(given);
      return expected.length === received.length && timingSafeEqual(expected, received);
    },
  };
}

export type LinkSigner = ReturnType<typeof createLinkSigner>;

/** `LINK_SIGNING_KEY` signs; `LINK_SIGNING_KEYS_PREVIOUS` (comma-separated) still verify. */
export function signingKeysFrom(current: string, previous?: string): string[] {
  return [current, ...(previous ?? '').split(',').map((k) => k.trim()).filter(Boolean)];
}
