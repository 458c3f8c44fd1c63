import { sameSplit, type Position, type Split } from './referral';
import { keyOf, refusal, type DecisionRequest, type RefusalType, type Task } from './task';
import type { FormField } from './taskData';

export const REFERRAL_TASK_KINDS = {
  position: 'referral-position',
  panel: 'referral-panel-decision',
  review: 'referral-review',
} as const;

/**
 * Each funding partner's latest position in a panel cycle, in the order of the split, read from
 * the decisions on that cycle's positions tasks (so nothing is kept twice).
 */
export function positionsOf(tasks: Task[], referralId: string, cycle: number, roundSplits: Record<string, Split>, funders: string[]): Position[] {
  const latest = new Map<string, Position>();
  for (const t of tasks) {
    const key = keyOf(t, referralId);
    if (t.kind !== REFERRAL_TASK_KINDS.position || !key.startsWith(`c${cycle}.`)) continue;
    for (const d of t.decisions ?? []) {
      // Rounds' splits are kept under `<referral id>.<key>`, as task ids read before `case-task-ids`.
      const split = d.decision === 'propose' ? (d.data as { split: Split }).split : roundSplits[`${referralId}.${key}`]!;
      latest.set(d.partner!, { partner: d.partner!, by: d.by, at: d.at, stance: d.decision === 'propose' ? 'propose' : 'agree', split, reasons: d.comment });
    }
  }
  return funders.flatMap((p) => latest.get(p) ?? []);
}

export const missingFrom = (positions: Position[], funders: string[]): string[] => funders.filter((p) => !positions.some((x) => x.partner === p));

export const allAgree = (positions: Position[], funders: string[]): boolean =>
  positions.length === funders.length && positions.every((p) => sameSplit(p.split, positions[0]!.split));

export interface ReferralFacts {
  funders: string[];
  positions: Position[];
  agreedSplit?: Split | undefined;
  /** Today's UK date, "YYYY-MM-DD". */
  today: string;
  /** The UK date of the panel meeting the referral is listed for, "YYYY-MM-DD". */
  panelDate: string;
  partnerName(id: string): string;
}

/** The rule a decision on a referral's task breaks, beyond the task's own; undefined if none. */
export function referralRefusal(req: DecisionRequest, task: Task, facts: ReferralFacts): { type: RefusalType; message: string } | undefined {
  const data = req.data as { split?: Split; returnDate?: string } | undefined;
  const named = Object.keys(data?.split ?? {});
  if (data?.split && (named.length !== facts.funders.length || !facts.funders.every((p) => named.includes(p)))) {
    return { type: refusal.invalidData, message: `Split rule: a split names exactly the funding partners (${facts.funders.join(', ')}).` };
  }
  if (task.kind !== REFERRAL_TASK_KINDS.panel) return undefined;
  const missing = missingFrom(facts.positions, facts.funders);
  if (missing.length) {
    return {
      type: refusal.ruleRefused,
      message: `Quorum rule: the panel can decide only when a RAP member of each funding partner has recorded a position; still missing: ${missing.map(facts.partnerName).join(', ')}.`,
    };
  }
  if ((req.decision === 'approve' || req.decision === 'approve-with-conditions') && !facts.agreedSplit) {
    return {
      type: refusal.ruleRefused,
      message: 'Split rule: the funding partners have not agreed a split yet; the panel can approve once they agree or the dispute ladder sets it, or it can defer or decline.',
    };
  }
  // The chair records what the panel decided at its meeting, so not before it has met.
  if (facts.today < facts.panelDate) {
    return { type: refusal.ruleRefused, message: `Meeting rule: the panel's decision is recorded once the panel has met, on ${facts.panelDate} or after; it has not met yet.` };
  }
  if (req.decision === 'defer' && data?.returnDate && data.returnDate <= facts.today) {
    return { type: refusal.invalidData, message: `Defer rule: the return date must be after today (${facts.today}).` };
  }
  return undefined;
}

/** The emailed page's inputs for a position: a share per funding partner, used only when proposing. */
export function positionFields(funders: string[], partnerName: (id: string) => string): FormField[] {
  return funders.map((p) => ({
    path: ['split', p],
    label: `${partnerName(p)} share (%)`,
    type: 'integer' as const,
    required: false,
    min: 0,
    max: 100,
    hint: 'Only when proposing another split: whole percentages for every partner, summing to 100.',
  }));
}

/** The chair's inputs: a return date when deferring, a start date when approving. */
export const panelFields: FormField[] = [
  { path: ['returnDate'], label: 'Return date', type: 'date', required: false, hint: 'When deferring: when the information is expected; the referral returns to the first panel on or after it.' },
  { path: ['startDate'], label: 'Package start date', type: 'date', required: false, hint: 'When approving: the date the package starts (today if empty); reviews count from it.' },
];

/** A review's inputs for a change: new shares, a new annual cost, or both. */
export function reviewFields(funders: string[], partnerName: (id: string) => string): FormField[] {
  return [
    ...positionFields(funders, partnerName).map((f) => ({ ...f, hint: 'Only for a change of split: whole percentages for every partner, summing to 100.' })),
    { path: ['annualCost'], label: 'New annual cost (GBP)', type: 'integer', required: false, min: 1, max: 100_000_000, hint: 'Only for a change of cost.' },
  ];
}
