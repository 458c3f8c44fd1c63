import { createLinkSigner } from '../../activities/links';

const key = 'unit-test-signing-key-0123456789abcdef';
const claims = { id: 'l1', task: 'jc-abcdefghij.lead.nenc-icb', person: 'nenc-commissioner', exp: 2_000_000_000_000 };

test('a signed link verifies and carries its recipient', () => {
  const signer = createLinkSigner(key, () => 1_000);
  expect(signer.verify(signer.sign(claims))).toEqual({ ok: true, claims });
});

test('an altered link is invalid: other recipient, other task, or another key', () => {
  const signer = createLinkSigner(key, () => 1_000);
  const [payload, sig] = signer.sign(claims).split('.');
  const forged = Buffer.from(JSON.stringify({ ...claims, person: 'lsc-commissioner' })).toString('base64url');
  expect(signer.verify(`${forged}.${sig}`)).toEqual({ ok: false, reason: 'invalid' });
  expect(signer.verify(`${payload}.${sig}x`)).toEqual({ ok: false, reason: 'invalid' });
  expect(signer.verify('not-a-token')).toEqual({ ok: false, reason: 'invalid' });
  expect(createLinkSigner(`${key}-other`).verify(signer.sign(claims))).toEqual({ ok: false, reason: 'invalid' });
});

test('a link past its expiry is told apart from a forged one', () => {
  const later = createLinkSigner(key, () => claims.exp + 1);
  expect(later.verify(later.sign(claims))).toMatchObject({ ok: false, reason: 'expired' });
});

test('a short signing key is refused', () => {
  expect(() => createLinkSigner('too-short')).toThrow(/at least 32/);
});
