import { idFromBytes, stableId } from '../../domain/ids';
import { leadDisputeId } from '../../domain/dispute';
import { splitDisputeId } from '../../domain/referral';

// Ids already in running workflows and stored histories: drawing them differently would start
// second disputes under new ids, so these values are pinned.
test('dispute ids drawn by workflows stay exactly as shipped', () => {
  expect(leadDisputeId('jc-abcdefghij')).toBe('jd-abcdefghij');
  expect(leadDisputeId('jc-abcdefghij', 2)).toBe('jd-ib462stqjl');
  expect(leadDisputeId('jc-zz23456789', 7)).toBe('jd-ssld3msiki');
  expect(splitDisputeId('rf-x', 3)).toBe('jd-2nwhpg663m');
  expect(splitDisputeId('rf-y', 1, { referredAt: '2026-01-01T00:00:00Z', disputesSoFar: 2 })).toBe('jd-bin4sd6j5z');
});

test('ids are a prefix and ten base32 characters, whatever the bytes or text', () => {
  expect(idFromBytes('jc', Uint8Array.from([0, 1, 31, 32, 255, 64, 65, 7, 8, 9]))).toBe('jc-ab7a7abhij');
  for (const text of ['', 'x', 'a much longer text with ünïcode ✓'.repeat(20)]) expect(stableId('jd', text)).toMatch(/^jd-[a-z2-7]{10}$/);
  expect(stableId('jd', 'one')).not.toBe(stableId('jd', 'two'));
});
