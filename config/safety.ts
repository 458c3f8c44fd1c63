import type { Partnership } from '../domain/partnership';
import { storedApiKeyDigest } from './apiKeys';
import type { Env } from './env';
import { bundledPartnershipFile, loadPartnership } from './partnership';

/**
 * What a deployment (anything but a local run: config/web.ts) must not start with. The bundled
 * partnership's API keys and the tests' link signing key are published in this repository: anyone
 * could use them.
 */
export interface UnsafeSetting {
  setting: string;
  problem: string;
}

/** Link signing keys published in this repository (the test system's, scripts/lib/system.ts). */
const publishedLinkSigningKeys = new Set(['system-test-signing-key-0123456789abcdef']);

/** Below this a key could be guessed offline from one emailed link (HMAC-SHA256, NIST SP 800-107). */
export const LINK_KEY_MIN_BITS = 128;

/**
 * A cautious estimate of a secret's randomness: each character counts for log2 of how many
 * distinct characters the key uses, and only when it does not merely repeat or step on from
 * the one before (`aaaa`, `abcd`, `1234`). It under-counts: 32 random bytes or more always pass
 * (`openssl rand -base64 48` estimates 290-360 bits, `openssl rand -hex 32` 170-240); a word
 * repeated, a sentence or a keyboard run does not.
 */
export function estimatedBits(secret: string): number {
  const chars = [...secret];
  const distinct = new Set(chars).size;
  if (distinct < 2) return 0;
  const surprising = chars.filter((c, i) => i === 0 || Math.abs(c.codePointAt(0)! - chars[i - 1]!.codePointAt(0)!) > 1).length;
  return Math.floor(surprising * Math.log2(distinct));
}

/** Why a link signing key must not sign, or undefined when it may. */
export function linkSigningKeyWeakness(key: string): string | undefined {
  if (publishedLinkSigningKeys.has(key)) return 'is the test system\'s key, published in this repository';
  if (key.length < 32) return 'is shorter than 32 characters';
  const bits = estimatedBits(key);
  if (bits < LINK_KEY_MIN_BITS) return `looks guessable (about ${bits} bits of randomness; at least ${LINK_KEY_MIN_BITS} needed)`;
  return undefined;
}

let demonstrationDigests: Set<string> | undefined;
/** The digests of the bundled partnership's keys, however a file writes them. */
function isDemonstrationKey(entry: string): boolean {
  demonstrationDigests ??= new Set(loadPartnership(bundledPartnershipFile).people.flatMap((p) => (p.apiKey ? [storedApiKeyDigest(p.apiKey).toString('hex')] : [])));
  return demonstrationDigests.has(storedApiKeyDigest(entry).toString('hex'));
}

/** People of a partnership file who hold a demonstration key, by path. */
export function demonstrationKeysIn(partnership: Partnership): UnsafeSetting[] {
  return partnership.people.flatMap((p, i) =>
    p.apiKey && isDemonstrationKey(p.apiKey)
      ? [{ setting: `JCO_CONFIG people[${i}].apiKey`, problem: `is a demonstration key published with this software; give "${p.id}" a new one from \`npm run key:new\`` }]
      : [],
  );
}

const makeKey = 'set a random secret, e.g. `openssl rand -base64 48`';

/** Every reason this configuration must not serve a real partnership; none for a local run. */
export function unsafeSettings(env: Env, partnership: Partnership): UnsafeSetting[] {
  const out: UnsafeSetting[] = [];
  if (!env.JCO_CONFIG)
    out.push({ setting: 'JCO_CONFIG', problem: `is not set, so the bundled demonstration partnership (config/cumberland-send.yaml) and its published API keys would be used; point it at your partnership's file` });
  out.push(...demonstrationKeysIn(partnership));
  if (!env.LINK_SIGNING_KEY) out.push({ setting: 'LINK_SIGNING_KEY', problem: `is not set: emailed links are signed with it; ${makeKey}` });
  else {
    const weak = linkSigningKeyWeakness(env.LINK_SIGNING_KEY);
    if (weak) out.push({ setting: 'LINK_SIGNING_KEY', problem: `${weak}; ${makeKey}` });
  }
  (env.LINK_SIGNING_KEYS_PREVIOUS ?? '').split(',').map((k) => k.trim()).filter(Boolean).forEach((k, i) => {
    const weak = linkSigningKeyWeakness(k);
    if (weak) out.push({ setting: `LINK_SIGNING_KEYS_PREVIOUS[${i}]`, problem: `${weak}: links signed with it could be forged; remove it` });
  });
  return out;
}
