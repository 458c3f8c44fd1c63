/**
 * Business ids: a prefix and ten lower-case base32 characters (`jc-…`, `jd-…`), URL-safe and
 * free of personal data. One alphabet and one way of drawing them, for every kind of subject.
 */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** An id from (at least ten) random or hashed bytes: the API's new commissions. */
export function idFromBytes(prefix: string, bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < 10; i++) out += BASE32[bytes[i]! % 32];
  return `${prefix}-${out}`;
}

/**
 * The same id for the same text, every time: two FNV-1a hashes, so a workflow can name a child
 * deterministically (no randomness, no I/O) and ids of different texts do not line up.
 */
export function stableId(prefix: string, text: string): string {
  let h = 0x811c9dc5;
  let g = 0x01000193;
  for (const ch of text) {
    h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    g = Math.imul(g ^ ch.charCodeAt(0), 0x811c9dc5) >>> 0;
  }
  let out = '';
  for (let i = 0; i < 10; i++) out += BASE32[((i < 5 ? h : g) >>> ((i % 5) * 6)) & 31];
  return `${prefix}-${out}`;
}
