import { isIP } from 'node:net';
import { z } from 'zod';

/** Express's "trust proxy": every hop, the nearest N hops, or the proxies' addresses. */
export type TrustProxy = boolean | number | string[];

const namedRanges = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, an address/prefix (CIDR), or one of express's named private ranges. */
function isProxyAddress(entry: string): boolean {
  if (namedRanges.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY as written in the environment. Express takes a string as a list of addresses, so
 * `true` and `2` must become a boolean and a number here (a bare "true" used to stop start-up).
 */
export function trustProxySetting() {
  return z.string().transform((text, ctx): TrustProxy => {
    const value = text.trim();
    if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
    const wrong = entries.filter((e) => !isProxyAddress(e));
    if (!entries.length || wrong.length) {
      ctx.addIssue({
        code: 'custom',
        message: `must be true, a number of proxy hops, or the proxies' addresses or CIDR ranges, comma-separated${wrong.length ? ` (not an address: ${wrong.join(', ')})` : ''}`,
      });
      return z.NEVER;
    }
    return entries;
  });
}
