import { sameSplit, type Position, type Split } from './referral';
import { refusal, type DecisionRequest, type RefusalType, type Task } from './task';

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
    if (t.kind !== REFERRAL_TASK_KINDS.position || !t.id.startsWith(`${referralId}.c${cycle}.`)) continue;
    for (const d of t.decisions ?? []) {
      const split = d.decision === 'propose' ? (d.data as { split: Split }).split : roundSplits[t.id]!;
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
  if (req.decision === 'defer' && data?.returnDate && data.returnDate <= facts.today) {
    return { type: refusal.invalidData, message: `Defer rule: the return date must be after today (${facts.today}).` };
  }
  return undefined;
}
