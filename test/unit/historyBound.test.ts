import { loadPartnership } from '../../config';
import { disputeInputSchema } from '../../domain/dispute';
import { HISTORY_BOUND, historyBoundSchema } from '../../domain/historyBound';
import { referralInputSchema } from '../../domain/referral';
import { leadDisputeInput, referralInputOf } from '../helpers/inputs';

const p = loadPartnership();

describe("a case's history bound", () => {
  test('is a whole number of events from 100 to 10,000; the default is 1,000', () => {
    expect(HISTORY_BOUND).toBe(1_000);
    for (const ok of [100, 250, 1_000, 10_000]) expect(historyBoundSchema().safeParse(ok).success).toBe(true);
    for (const bad of [99, 10_001, 250.5, 0, -1, '250']) expect(historyBoundSchema().safeParse(bad).success).toBe(false);
  });

  test('is optional on the inputs, and kept when given', () => {
    const referral = referralInputOf(p, 'CYP12345');
    expect(referralInputSchema().parse(referral).historyBound).toBeUndefined();
    expect(referralInputSchema().parse({ ...referral, historyBound: 250 }).historyBound).toBe(250);
    expect(referralInputSchema().safeParse({ ...referral, historyBound: 50 }).success).toBe(false);
    const dispute = leadDisputeInput(p, { id: 'jd-abcdefghij' });
    expect(disputeInputSchema().parse({ ...dispute, historyBound: 300 }).historyBound).toBe(300);
    expect(disputeInputSchema().safeParse({ ...dispute, historyBound: 20_000 }).success).toBe(false);
  });
});
