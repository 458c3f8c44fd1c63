import { condition, executeChild, patched, sleep } from '@temporalio/workflow';
import { ukDate } from '../domain/calendar';
import { disputeWorkflowId } from '../domain/dispute';
import { addDuration } from '../domain/duration';
import { panelDateFor } from '../domain/panel';
import { splitDisputeId, splitText, type ReferralInputParsed, type ReferralStage, type ReferralStatus, type ReferralView, type PanelDecision, type Split } from '../domain/referral';
import { REFERRAL_TASK_KINDS, reviewFields } from '../domain/referralRules';
import type { AssigneeSpec, Task } from '../domain/task';
import type { HistoryEntry } from '../domain/commission';
import { dispute } from './dispute';
import { runTask, type TaskContext } from './humanTask';
import { runChildSafely, type ChildRun } from './childFailure';
import { runIsLong } from './runLength';
import { quietOnCancel } from './withdrawal';
import type { SubjectState } from './subject';
import type { Withdrawal } from '../domain/withdrawal';

export interface ReferralState extends SubjectState {
  /** Where the referral resumes after continue-as-new. */
  phase: 'panel' | 'deferred' | 'approved' | 'ended';
  status: ReferralStatus;
  cycle: number;
  round: number;
  proposedSplit: Split;
  annualCost: number;
  agreedSplit?: Split | undefined;
  /** The split each positions task asked about, by task id. */
  roundSplits: Record<string, Split>;
  panelAt: string;
  decision?: PanelDecision | undefined;
  decisions: PanelDecision[];
  startDate?: string | undefined;
  nextReviewAt?: string | undefined;
  reviewCount: number;
  /** The status a review under way returns the package to: set, a resumed run takes that review up. */
  reviewing?: ReferralStatus | undefined;
  reviews: ReferralView['reviews'];
  disputes: ReferralView['disputes'];
  /**
   * Set when the run continued as new as the referral was carried to the next panel, its chair not
   * having recorded the last one's decision: the number of the chair task the next run opens.
   */
  carriedToChair?: number | undefined;
  /**
   * Split disputes that stopped (failed or terminated): each failure task has an id of its own;
   * `asking`, the referrer's question about the latest, while it is open.
   */
  splitDisputeFailures?: ChildRun<unknown>['counter'];
  referredAt: string;
  decidedAt?: string | undefined;
  stages: ReferralStage[];
  withdrawn?: Withdrawal | undefined;
}

/** What the referral's steps share with the workflow that runs them. */
export interface ReferralSteps {
  input: ReferralInputParsed;
  state: ReferralState;
  tasks: TaskContext;
  subject: Task['subject'];
  chairs: AssigneeSpec[];
  partnerName(id: string): string;
  note(entry: Omit<HistoryEntry, 'at'>): void;
  publish(): void;
  enterStage(stage: ReferralStage['stage']): void;
  endStage(waitedOn?: string[]): void;
  missingPartners(): string[];
  /** Whether a step is halfway (people being looked up): the run does not continue as new then. */
  busy(): boolean;
}

/**
 * The dispute ladder settles a split the partners could not agree; its resolution sets it. A
 * dispute that fails or is terminated is put to the referrer: start a new one, or withdraw it
 * (the referral then returns to the next panel for fresh positions).
 */
export async function settleSplitByDispute(c: ReferralSteps): Promise<boolean | 'continue-as-new'> {
  const { input, state, note, publish, enterStage, endStage, missingPartners } = c;
  const { calendar } = input;
  const funders = input.fundingPartners.map((p) => p.id);
  const title = `Referral ${input.caseRef}`;
  if (funders.length < 2) return false;
  const silent = missingPartners();
  const startAt = silent.length ? 'executive-board' : 'early-resolution';
  const failures = (state.splitDisputeFailures ??= {});
  // A run resumed at the referrer's question is in the dispute stage already.
  if (!failures.asking) {
    state.status = 'disputed';
    enterStage('dispute');
  }
  const ran = await runChildSafely(c.tasks, {
    what: 'The dispute on the funding split',
    subject: c.subject,
    key: `c${state.cycle}.split-dispute`,
    ask: [{ person: input.referredBy.person }],
    counter: failures,
    // The referrer may leave the question for years, reminded every few days: once the run is
    // long the referral continues as new, and the next run waits on the same question.
    resumable: {
      patch: 'split-dispute-question-continue-as-new',
      wait: async (question) => {
        let settled = false;
        const done = (): void => void (settled = true);
        question.then(done, done);
        await condition(() => settled || (runIsLong(input.historyBound) && !c.busy()));
        return settled ? question : 'continue-as-new';
      },
    },
    start: async () => {
      const unique = patched('split-dispute-unique-id');
      const id = splitDisputeId(input.id, state.cycle, unique ? { referredAt: state.referredAt, disputesSoFar: state.disputes.length } : undefined);
      state.disputes.push({ id, status: 'open' });
      note({ event: 'dispute-opened', detail: `Dispute ${id} opened on the funding split at the ${startAt} stage: no agreed split by the panel of ${ukDate(new Date(state.panelAt))}` });
      publish();
      try {
        return { id, outcome: await executeChild(dispute, { workflowId: disputeWorkflowId(id), args: [disputeInput(id)] }) };
      } catch (err) {
        state.disputes = state.disputes.map((d) => (d.id === id ? { id, status: 'stopped' } : d));
        throw err;
      }
    },
  });
  if (ran.status === 'continue-as-new') return ran.status;
  endStage();
  if (ran.status === 'withdrawn') return false;
  const { id, outcome } = ran.result;
  // The dispute's record joins the referral's, so its timeline tells the whole story.
  for (const entry of outcome.record ?? []) state.history.push({ ...entry, detail: `[dispute ${id}] ${entry.detail ?? entry.event}` });
  state.disputes = state.disputes.map((d) => (d.id === id ? { id, status: outcome.status, resolution: outcome.resolution } : d));
  if (outcome.status === 'resolved' && outcome.split) {
    state.agreedSplit = outcome.split;
    state.proposedSplit = outcome.split;
    note({ event: 'split-set', detail: `Dispute ${id} set the split ${splitText(outcome.split)} (${outcome.decidedBy.join(', ')})` });
    return true;
  }
  note({
    event: 'dispute-closed',
    detail: outcome.status === 'withdrawn' ? `Dispute ${id} was withdrawn: ${outcome.reason}` : `Dispute ${id} resolved "${outcome.resolution}", which states no split in full`,
  });
  return false;

  function disputeInput(id: string) {
    return {
      id,
      subject: { type: 'referral' as const, id: input.id, title },
      partners: input.fundingPartners,
      partnership: input.partnership,
      matter: `The funding split for referral ${input.caseRef}`,
      desiredOutcome: splitText(state.proposedSplit),
      resolutionKind: 'split' as const,
      raisedBy: input.referredBy,
      startAt: startAt as 'executive-board' | 'early-resolution',
      calendar,
      policy: input.disputePolicy,
      policyVersion: input.policyVersion,
      // The dispute is part of this case: it continues as new at the case's bound.
      ...(input.historyBound !== undefined && { historyBound: input.historyBound }),
    };
  }
}

/**
 * A review on schedule: continue, change (back through positions) or end. The chair is reminded
 * until it is recorded, for years if need be: once the run is long it continues as new
 * ('continue-as-new'), and the next run takes the same review task up (nobody asked again).
 */
export async function review(c: ReferralSteps): Promise<'continue-as-new' | undefined> {
  const { input, state, tasks, subject, chairs, note, publish, enterStage, endStage } = c;
  const { calendar, policy } = input;
  const now = (): Date => new Date();
  if (state.reviewing === undefined) {
    const wait = Date.parse(state.nextReviewAt!) - Date.now();
    if (wait > 0) await sleep(wait);
    state.reviewing = state.status;
    state.status = 'under-review';
    state.reviewCount++;
    enterStage('review');
  }
  const approvedAs = state.reviewing;
  const reviewed = runTask(tasks, {
    key: `review${state.reviewCount}`,
    kind: REFERRAL_TASK_KINDS.review,
    title: 'A referral needs your decision: review the package (continue, change or end)',
    subject,
    options: ['continue', 'change', 'end'],
    reasonRequiredFor: ['change', 'end'],
    dataSchema: 'referral-review',
    fields: reviewFields(input.fundingPartners.map((p) => p.id), c.partnerName),
    completion: 'any',
    ask: [{ people: chairs }],
    due: policy.reviewDue,
    reminders: [],
    escalation: [],
    overdueReminders: policy.reviewDue,
    ifNoAnswer: 'The package continues meanwhile; the chair is reminded until the review is recorded.',
  });
  // Reviews recorded before this patch waited in one run, however long: they replay so.
  if (patched('referral-review-continue-as-new')) {
    let settled = false;
    quietOnCancel(reviewed.then(() => (settled = true)));
    await condition(() => settled || (runIsLong(c.input.historyBound) && !c.busy()));
    if (!settled) return 'continue-as-new';
  }
  const result = await reviewed;
  state.reviewing = undefined;
  endStage();
  if (result.status !== 'decided') return undefined;
  const d = result.decision;
  state.reviews.push({ at: d.at, by: d.by, outcome: d.decision, comment: d.comment });
  if (d.decision === 'continue') {
    state.status = approvedAs;
    state.nextReviewAt = addDuration(calendar, new Date(state.nextReviewAt!), policy.reviewEvery).toISOString();
    note({ event: 'reviewed', by: d.by, detail: `Review ${state.reviewCount}: the package continues; next review ${state.nextReviewAt}` });
  } else if (d.decision === 'change') {
    const change = d.data as { split?: Split; annualCost?: number };
    state.proposedSplit = change.split ?? state.agreedSplit ?? state.proposedSplit;
    state.annualCost = change.annualCost ?? state.annualCost;
    state.nextReviewAt = undefined;
    state.panelAt = panelDateFor(calendar, policy, now(), false).toISOString();
    state.phase = 'panel';
    note({ event: 'reviewed', by: d.by, detail: `Review ${state.reviewCount}: change (${d.comment}); proposed split ${splitText(state.proposedSplit)}, annual cost ${state.annualCost}; back to the funding partners for their positions` });
  } else {
    state.status = 'ended';
    state.phase = 'ended';
    state.nextReviewAt = undefined;
    note({ event: 'reviewed', by: d.by, detail: `Review ${state.reviewCount}: the package ends (${d.comment})` });
  }
  publish();
  return undefined;
}
