import { policyVersionOf } from '../../config';
import type { DisputeInput } from '../../domain/dispute';
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
