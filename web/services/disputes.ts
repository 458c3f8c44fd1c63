import type { ApiContext } from '../../api/context';
import { timelineOnPage } from './timeline';
import { disputeTimeline, listDisputes, readDisputeAs } from '../../api/disputes';
import { authorize, can } from '../../api/permissions';
import type { HttpProblem } from '../../api/problem';
import { readCommission, scopeOf } from '../../api/subjects';
import type { DisputeStage } from '../../domain/dispute';
import type { Person } from '../../domain/partnership';
import { splitText } from '../../domain/referral';
import { taskRow } from './evaluationPanel';
import { partnerName, partnerNames, personName, personNames } from './words';

export const stageWords: Record<DisputeStage | string, string> = {
  'early-resolution': 'Stage 1: early resolution between the partners',
  'executive-board': 'Stage 2: the Local Area SEND Executive Board',
  'accountable-officers': 'Stage 3: the accountable officers',
  resolved: 'Resolved',
  withdrawn: 'Withdrawn',
};

/** "Disputes": those the person may see, as the API lists them (their partner's; the Board's and officers': all). */
export async function disputeList(ctx: ApiContext, person: Person) {
  const items = await listDisputes(ctx, person, {});
  return items.map((d) => ({ ...d, stageWords: stageWords[d.stage] ?? d.stage, partnerNames: partnerNames(ctx.partnership, d.partners) }));
}

/** A dispute's page: its stages, proposals, outcome, open tasks and timeline (the API's timeline). */
export async function disputePage(ctx: ApiContext, person: Person, id: string) {
  const view = await readDisputeAs(ctx, person, id);
  const timeline = disputeTimeline(ctx, view);
  const p = ctx.partnership;
  const outcome = view.outcome && {
    ...view.outcome,
    stageWords: stageWords[view.outcome.stage] ?? view.outcome.stage,
    leadPartner: view.outcome.leadPartner ? partnerName(p, view.outcome.leadPartner) : undefined,
    split: view.outcome.split ? splitText(view.outcome.split) : undefined,
    decidedBy: personNames(p, view.outcome.decidedBy),
  };
  return {
    view,
    partners: partnerNames(p, view.partners),
    raisedBy: personName(p, view.raisedBy),
    stageWords: stageWords[view.stage] ?? view.stage,
    stages: timeline.stages.map((s) => ({ ...s, stageWords: stageWords[s.stage] ?? s.stage, waitedOn: s.waitedOn.map((w) => personName(p, w)).join(', ') })),
    proposals: view.proposals.map((pr) => ({ ...pr, by: personName(p, pr.by), partner: pr.partner ? partnerName(p, pr.partner) : undefined })),
    outcome,
    openTasks: view.openTasks.map((t) => taskRow(ctx, t)),
    timeline: timelineOnPage(p, view.history),
  };
}

/** The form to raise a dispute on a commission: for those who may read the commission (others: 404). */
export async function newDisputePage(ctx: ApiContext, person: Person, commissionId: string) {
  const commission = await readCommission(ctx, commissionId);
  authorize(person, 'commission.read', scopeOf(commission), `There is no commission ${commissionId}.`);
  return {
    commission,
    mayRaise: can(person, 'dispute.raise', { partners: commission.partners }),
    /** The partnership's deadline for early resolution, as its policy says it. */
    earlyDue: ctx.partnership.policies.dispute.earlyResolution.due,
    partners: commission.partners.map((id) => ({ id, name: partnerName(ctx.partnership, id) })),
  };
}

/** Where a refusal of POST /api/v1/disputes belongs on the form. */
export function disputeErrors(err: HttpProblem): { field: string; text: string }[] {
  const field = (path: string) => (path.startsWith('matter') ? 'matter' : path.startsWith('desiredOutcome') ? 'desiredOutcome' : 'partners');
  const cap = (m: string) => m.charAt(0).toUpperCase() + m.slice(1);
  if (err.errors?.length) return err.errors.map((e) => ({ field: field(e.path), text: cap(e.message) }));
  return [{ field: 'partners', text: err.detail }];
}
