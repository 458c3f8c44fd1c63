import { createHash } from 'node:crypto';
import { problem } from './problem';

/**
 * An idempotency key (the API's Idempotency-Key header, or a web form's hidden key made when the
 * form is shown): the same caller and key name the same change, so a request sent twice (a second
 * press, a resend after a lost answer) makes it once.
 */
export function checkIdempotencyKey(key: string): void {
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw problem(400, 'The Idempotency-Key header must be 1 to 200 visible ASCII characters.');
}

/** The digest that names a caller's change by its key (and, where given, what was asked: other answers are another change). */
export function keyedDigest(personId: string, key: string, ...asked: string[]): Buffer {
  checkIdempotencyKey(key);
  return createHash('sha256').update([personId, key, ...asked].join('\n')).digest();
}
