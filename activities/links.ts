import { createHmac, timingSafeEqual } from 'node:crypto';

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

/**
 * HMAC-SHA256 signed link tokens. Signed, not encrypted: the token holds only ids and an expiry.
 * An altered token fails the signature; an expired one is told apart so the page can say so.
 */
export function createLinkSigner(key: string, now: () => number = Date.now) {
  if (key.length < 32) throw new Error('LINK_SIGNING_KEY must be at least 32 characters');
  const mac = (payload: string): Buffer => createHmac('sha256', key).update(payload).digest();

  return {
    sign(claims: LinkClaims): string {
      const payload = b64(JSON.stringify(claims));
      return `${payload}.${b64(mac(payload))}`;
    },

    verify(token: string): LinkCheck {
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'invalid' };
      const expected = mac(payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
      let claims: LinkClaims;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LinkClaims;
      } catch {
        return { ok: false, reason: 'invalid' };
      }
      if (typeof claims.task !== 'string' || typeof claims.person !== 'string' || typeof claims.exp !== 'number') {
        return { ok: false, reason: 'invalid' };
      }
      if (claims.exp <= now()) return { ok: false, reason: 'expired', claims };
      return { ok: true, claims };
    },
  };
}

export type LinkSigner = ReturnType<typeof createLinkSigner>;
