import { createLinkSigner, signingKeysFrom } from '../../activities/links';

const key = 'unit-test-signing-key-0123456789abcdef';
const claims = { id: 'l1', task: 'jc-abcdefghij.lead', person: 'nenc-commissioner', exp: 2_000_000_000_000 };

test('a signed link verifies and carries its recipient', () => {
  const signer = createLinkSigner(key, () => 1_000);
  expect(signer.verify(signer.sign(claims))).toEqual({ ok: true, claims });
});

test('an altered link is invalid: other recipient, altered signature, or a key we do not hold', () => {
  const signer = createLinkSigner(key, () => 1_000);
  const [kid, , sig] = signer.sign(claims).split('.');
  const forged = Buffer.from(JSON.stringify({ ...claims, person: 'lsc-commissioner' })).toString('base64url');
  expect(signer.verify(`${kid}.${forged}.${sig}`)).toEqual({ ok: false, reason: 'invalid' });
  expect(signer.verify(`${signer.sign(claims)}x`)).toEqual({ ok: false, reason: 'invalid' });
  expect(signer.verify('not-a-token')).toEqual({ ok: false, reason: 'invalid' });
  expect(createLinkSigner(`${key}-other`).verify(signer.sign(claims))).toEqual({ ok: false, reason: 'invalid' });
});

test('key rotation: the first key signs, every configured key verifies', () => {
  const old = createLinkSigner('the-key-we-used-last-year-0123456789');
  const rotated = createLinkSigner(signingKeysFrom(key, 'the-key-we-used-last-year-0123456789, another-retired-key-0123456789abcdef'));
  expect(rotated.verify(old.sign(claims))).toEqual({ ok: true, claims });
  expect(old.verify(rotated.sign(claims))).toEqual({ ok: false, reason: 'invalid' });
  expect(createLinkSigner(key).verify(rotated.sign(claims))).toEqual({ ok: true, claims });
});

test('a link past its expiry is told apart from a forged one', () => {
  const later = createLinkSigner(key, () => claims.exp + 1);
  expect(later.verify(later.sign(claims))).toMatchObject({ ok: false, reason: 'expired' });
});

test('the form token belongs to one link: another link\'s token is refused', () => {
  const signer = createLinkSigner(key);
  const a = signer.sign(claims);
  const b = signer.sign({ ...claims, id: 'l2' });
  expect(signer.checkFormToken(a, signer.formToken(a))).toBe(true);
  expect(signer.checkFormToken(a, signer.formToken(b))).toBe(false);
  expect(signer.checkFormToken(a, undefined)).toBe(false);
});

test('a short signing key is refused', () => {
  expect(() => createLinkSigner('too-short')).toThrow(/at least 32/);
});
