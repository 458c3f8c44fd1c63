import { policyVersionOf } from '../../config';
import type { DisputeInput } from '../../domain/dispute';
import { referralIdOf, type ReferralInput } from '../../domain/referral';
import { calendarOf, type Partnership } from '../../domain/partnership';

/**
 * A lead-partner dispute between the council and the NENC ICB about a commission, raised by the
 * council's commissioner: the one shape the workflow tests start disputes from.
 */
export function leadDisputeInput(p: Partnership, overrides: Partial<DisputeInput> & { id: string }): DisputeInput {
  return {
    subject: { type: 'commission', id: 'jc-abcdefghij', title: 'Short breaks' },
    partners: p.partners.filter((x) => x.id !== 'lsc-icb').map((x) => ({ id: x.id, name: x.name })),
    partnership: p.partners.map((x) => ({ id: x.id, name: x.name })),
    matter: 'Who leads the short breaks procurement',
    desiredOutcome: 'council',
    resolutionKind: 'lead-partner',
    raisedBy: { person: 'council-commissioner', partner: 'council' },
    calendar: calendarOf(p),
    policy: p.policies.dispute,
    policyVersion: policyVersionOf(p),
    ...overrides,
  };
}

/** A child's package referred by the council's RAP member, funded half each by the council and the NENC ICB. */
export function referralInputOf(p: Partnership, caseRef: string, overrides: Partial<ReferralInput> = {}): ReferralInput {
  return {
    id: referralIdOf(caseRef),
    caseRef,
    locality: 'Keswick',
    needs: ['health', 'social-care'],
    packageDescription: 'Overnight nursing care and short breaks',
    annualCost: 180_000,
    proposedSplit: { council: 50, 'nenc-icb': 50 },
    urgent: false,
    fundingPartners: p.partners.filter((x) => x.id !== 'lsc-icb').map((x) => ({ id: x.id, name: x.name })),
    partnership: p.partners.map((x) => ({ id: x.id, name: x.name })),
    referredBy: { person: 'council-rap-member', partner: 'council' },
    calendar: calendarOf(p),
    policy: p.policies.resourceAllocation,
    disputePolicy: p.policies.dispute,
    policyVersion: policyVersionOf(p),
    ...overrides,
  };
}
