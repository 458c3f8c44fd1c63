import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  patched,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import { ukDate } from '../domain/calendar';
import { addDuration } from '../domain/duration';
import { panelDateFor, panelOnOrAfter, ukInstant } from '../domain/panel';
import {
  icbFor,
  referralInputSchema,
  sameSplit,
  splitText,
  type PanelDecision,
  type PanelOutcome,
  type Position,
  type ReferralInput,
  type ReferralStage,
  type ReferralStatus,
  type ReferralView,
  type Split,
} from '../domain/referral';
import { panelAtKey } from '../domain/searchAttributes';
import type { WaitingOn } from '../domain/liveness';
import { type AssigneeSpec, type DecisionRequest, type Task } from '../domain/task';
import { allAgree, missingFrom, panelFields, positionFields, positionsOf, REFERRAL_TASK_KINDS, referralRefusal } from '../domain/referralRules';
import { runTask, type TaskResult } from './humanTask';
import { runIsLong } from './runLength';
import { carriedState, pageOf, showIndexes, subjectRecord } from './subject';
import { review, settleSplitByDispute, type ReferralState, type ReferralSteps } from './referralSteps';

export type { ReferralState };
import { decideTask, extendTaskDeadline } from './taskMessages';
import { quietOnCancel, withdraw, withdrawable } from './withdrawal';

// Messages live beside the workflow; the API imports these handles.
export const getReferral = defineQuery<ReferralView>('getReferral');
export { decideTask, extendTaskDeadline, withdraw };

export { REFERRAL_TASK_KINDS };


/**
 * A referral to the Resource Allocation Panel (DOMAIN.md section 3): the funding partners record
 * positions on the split, the panel decides at its meeting with a quorum, a split the partners
 * cannot agree goes to the dispute ladder, and an approved package is reviewed on schedule,
 * continuing as new at each review so years of reviews keep a small history.
 */
export async function resourceAllocation(rawInput: ReferralInput, resumed?: ReferralState): Promise<{ status: ReferralStatus }> {
  const parsed = referralInputSchema().safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`Invalid referral input: ${parsed.error.issues.map((i) => i.message).join('; ')}`, 'InvalidInput');
  const input = parsed.data;
  const policy = input.policy;
  const calendar = input.calendar;
  const title = `Referral ${input.caseRef}`;
  const funders = input.fundingPartners.map((p) => p.id);
  const now = (): Date => new Date();
  const state: ReferralState = resumed ?? {
    phase: 'panel',
    status: 'positions',
    cycle: 0,
    round: 0,
    proposedSplit: input.proposedSplit,
    annualCost: input.annualCost,
    roundSplits: {},
    panelAt: panelDateFor(calendar, policy, now(), input.urgent).toISOString(),
    decisions: [],
    reviewCount: 0,
    reviews: [],
    disputes: [],
    referredAt: now().toISOString(),
    stages: [],
    history: [],
    recorded: 0,
    tasks: [],
    usedLinks: [],
  };
  const { book, partnerName, note, publish, tasks, drain, busy } = subjectRecord({
    id: input.id,
    title,
    policyVersion: input.policyVersion,
    partners: input.partnership,
    calendar,
    state,
    leadCommissioner: input.referredBy.person,
    publish: () => indexes(),
    shown: () => ({ type: 'referral', status: state.status, partners: funders, open: !['declined', 'ended', 'withdrawn'].includes(state.status), view: pageOf(view()) }),
    validateDecision,
    waits: () => referralWaits(),
  });

  /** What the referral waits on besides its tasks: the return from deferral, the next review, a dispute. */
  function referralWaits(): WaitingOn[] {
    const out: WaitingOn[] = [];
    const future = (at: string | undefined): at is string => at !== undefined && Date.parse(at) > Date.now();
    const back = state.decision?.returnDate ? ukInstant(state.decision.returnDate, '00:00').toISOString() : undefined;
    if (state.phase === 'deferred' && future(back)) out.push({ kind: 'date', at: back, for: 'the return from deferral to the next panel' });
    if (state.phase === 'approved' && future(state.nextReviewAt)) out.push({ kind: 'date', at: state.nextReviewAt, for: 'the next review of the package' });
    for (const d of state.disputes.filter((x) => x.status === 'open')) out.push({ kind: 'subject', subjectId: d.id, for: 'the dispute on the funding split' });
    return out;
  }

  const indexes = (): void =>
    showIndexes(book, { memoTitle: title, stage: state.status, partners: funders, title, extra: [{ key: panelAtKey, value: state.phase === 'panel' ? new Date(state.panelAt) : null }] });

  const positions = (): Position[] => positionsOf(book.all, input.id, state.cycle, state.roundSplits, funders);
  const missingPartners = (): string[] => missingFrom(positions(), funders);

  /** Rules only the referral knows, refused before anything is written (422 naming the rule). */
  function validateDecision(req: DecisionRequest, task: Task): void {
    const refused = referralRefusal(req, task, { funders, positions: positions(), agreedSplit: state.agreedSplit, today: ukDate(now()), panelDate: ukDate(new Date(state.panelAt)), partnerName });
    if (refused) throw ApplicationFailure.create({ ...refused, nonRetryable: true });
  }

  const view = (): ReferralView => {
    const ps = positions();
    return {
      id: input.id,
      caseRef: input.caseRef,
      locality: input.locality,
      icb: icbFor(input.locality),
      needs: input.needs,
      packageDescription: input.packageDescription,
      annualCost: state.annualCost,
      urgent: input.urgent,
      fundingPartners: funders,
      status: state.status,
      cycle: state.cycle,
      proposedSplit: state.proposedSplit,
      agreedSplit: state.agreedSplit,
      positions: ps,
      positionsDiffer: ps.length > 1 && !ps.every((p) => sameSplit(p.split, ps[0]!.split)),
      panelAt: state.panelAt,
      decision: state.decision,
      decisions: state.decisions,
      startDate: state.startDate,
      nextReviewAt: state.nextReviewAt,
      reviews: state.reviews,
      disputes: state.disputes,
      referredBy: input.referredBy.person,
      referredAt: state.referredAt,
      decidedAt: state.decidedAt,
      tasks: book.all,
      openTasks: book.open,
      history: state.history,
      stages: state.stages,
      ...(state.withdrawn ? { withdrawn: state.withdrawn } : {}),
    };
  };
  setHandler(getReferral, view);

  function enterStage(stage: ReferralStage['stage']): void {
    endStage();
    state.stages.push({ stage, from: now().toISOString(), waitedOn: [] });
  }
  function endStage(waitedOn: string[] = []): void {
    const last = state.stages.at(-1);
    if (last && !last.to) {
      last.to = now().toISOString();
      last.waitedOn.push(...waitedOn);
    }
  }

  const subject = { type: 'referral' as const, id: input.id, title };
  const rapMembers = (partner: string): AssigneeSpec[] => [{ role: 'rap-member', partner }];
  const chairs: AssigneeSpec[] = input.partnership.map((p) => ({ role: 'rap-chair', partner: p.id }));
  const steps: ReferralSteps = { input, state, tasks, subject, chairs, partnerName, note, publish, enterStage, endStage, missingPartners, busy };

  function cancelOpen(kind: string): void {
    for (const t of book.open) if (t.kind === kind) book.close(t, 'cancelled');
    publish();
  }

  /** One round asks the partners whose position differs about the latest proposal. */
  function positionRound(asked: string[], proposal: Split, dueAt: string, options: string[]): Promise<TaskResult> {
    state.round++;
    const key = `c${state.cycle}.pos.r${state.round}`;
    state.roundSplits[`${input.id}.${key}`] = proposal;
    return runTask(tasks, {
      key,
      kind: REFERRAL_TASK_KINDS.position,
      title: `A referral needs your decision: record your partner's position on the funding split ${splitText(proposal)}`,
      subject,
      options,
      reasonRequiredFor: ['propose'],
      dataSchema: 'referral-position',
      ...(options.includes('propose') ? { fields: positionFields(funders, partnerName) } : {}),
      completion: 'each-partner',
      ask: asked.map((p) => ({ partner: p, people: rapMembers(p) })),
      due: policy.notice,
      dueAt,
      reminders: [policy.positionsRemindBefore],
      escalation: [],
      ifNoAnswer: 'If the funding partners have not agreed a split by the panel, the split goes to the dispute ladder.',
    });
  }

  /** Rounds until every funding partner supports one split, the panel date passes, or the chair decides. */
  async function agreeSplit(): Promise<'agreed' | 'no-agreement' | 'cancelled'> {
    let proposal = state.proposedSplit;
    let asked = funders;
    for (;;) {
      const result = await positionRound(asked, proposal, state.panelAt, ['agree', 'propose']);
      if (result.status === 'cancelled') return 'cancelled';
      const ps = positions();
      if (allAgree(ps, funders)) {
        state.agreedSplit = ps[0]!.split;
        note({ event: 'split-agreed', detail: `The funding partners agreed the split ${splitText(state.agreedSplit)}` });
        return 'agreed';
      }
      if (result.status === 'expired') {
        endStage(result.awaiting.map(partnerName));
        return 'no-agreement';
      }
      const latest = [...(result.task.decisions ?? [])].reverse().find((d) => d.decision === 'propose');
      if (latest) proposal = (latest.data as { split: Split }).split;
      state.proposedSplit = proposal;
      asked = ps.filter((p) => !sameSplit(p.split, proposal)).map((p) => p.partner);
      note({ event: 'positions-differ', detail: ps.map((p) => `${partnerName(p.partner)}: ${splitText(p.split)}`).join(' | ') });
      publish();
    }
  }

  function chairTask(n: number, dueAt: string) {
    const holder: { result?: TaskResult; done: Promise<TaskResult> } = {
      done: runTask(tasks, {
        key: `c${state.cycle}.panel${n}`,
        kind: REFERRAL_TASK_KINDS.panel,
        title: `A referral needs your decision: record the panel's decision (panel of ${ukDate(new Date(state.panelAt))})`,
        subject,
        options: ['approve', 'approve-with-conditions', 'defer', 'decline'],
        reasonRequiredFor: ['approve-with-conditions', 'defer', 'decline'],
        dataSchema: 'referral-panel',
        fields: panelFields,
        completion: 'any',
        ask: [{ people: chairs }],
        due: policy.recordWithin,
        dueAt,
        reminders: [],
        escalation: [],
        ifNoAnswer: 'If the decision is not recorded by then, the referral is carried to the next panel.',
      }),
    };
    quietOnCancel(
      holder.done.then((r) => {
        holder.result = r;
        // A deferral or decline needs no agreed split: the positions still asked are moot.
        if (r.status === 'decided') cancelOpen(REFERRAL_TASK_KINDS.position);
      }),
    );
    return holder;
  }

  const decideBy = (): string => addDuration(calendar, new Date(state.panelAt), policy.recordWithin).toISOString();

  /**
   * One panel cycle: positions, perhaps a dispute, and the chair's decision at the meeting.
   * 'continue-as-new' when the run grew long while the referral was carried from panel to panel.
   */
  async function panelCycle(): Promise<'continue-as-new' | undefined> {
    const carried = state.carriedToChair;
    if (carried !== undefined) {
      // A run continued as new as the referral was carried to this panel: its chair is asked here.
      state.carriedToChair = undefined;
      const chair = chairTask(carried, decideBy());
      publish();
      return awaitChair(carried, chair);
    }
    // A run continued as new while the referrer was asked about a stopped split dispute: asked still.
    if (state.splitDisputeFailures?.asking) return splitByDispute(1);
    state.cycle++;
    state.agreedSplit = undefined;
    state.status = 'positions';
    enterStage('positions');
    note({ event: 'panel-listed', detail: `Listed for the panel of ${ukDate(new Date(state.panelAt))}${input.urgent ? ' (urgent)' : ''}; proposed split ${splitText(state.proposedSplit)}` });
    const n = 1;
    const chair = chairTask(n, decideBy());
    const agreed = await agreeSplit();
    if (agreed === 'agreed') {
      state.status = 'awaiting-panel';
      enterStage('panel');
      publish();
    }
    if (agreed === 'no-agreement' && !chair.result) {
      cancelOpen(REFERRAL_TASK_KINDS.panel);
      return splitByDispute(n);
    }
    return awaitChair(n, chair);
  }

  /** No split agreed by the panel (chair task `n` withdrawn): the dispute ladder may set one for the next panel. */
  async function splitByDispute(n: number): Promise<'continue-as-new' | undefined> {
    const set = await settleSplitByDispute(steps);
    if (set === 'continue-as-new') return set;
    state.panelAt = panelDateFor(calendar, policy, now(), input.urgent, false).toISOString();
    if (!set) {
      note({ event: 'carried-over', detail: `No split: the referral returns to the panel of ${ukDate(new Date(state.panelAt))} for fresh positions` });
      return undefined;
    }
    state.status = 'awaiting-panel';
    enterStage('panel');
    return awaitChair(n + 1, chairTask(n + 1, decideBy()));
  }

  /** The chair's decision on panel `n`, the referral carried to each next panel until it is recorded. */
  async function awaitChair(n: number, chair: ReturnType<typeof chairTask>): Promise<'continue-as-new' | undefined> {
    for (;;) {
      // A partner silent before the dispute still records its position: the quorum needs it.
      const missing = missingPartners();
      if (missing.length && state.agreedSplit) quietOnCancel(positionRound(missing, state.agreedSplit, decideBy(), ['agree']));
      const result = await chair.done;
      if (result.status === 'decided') {
        applyDecision(result);
        return undefined;
      }
      endStage(['the RAP chair']);
      state.panelAt = panelDateFor(calendar, policy, now(), input.urgent, false).toISOString();
      note({ event: 'carried-over', detail: `No decision was recorded; the referral is carried to the panel of ${ukDate(new Date(state.panelAt))}` });
      enterStage('panel');
      // A chair who records nothing for years gets a task each month: once the run is long, the
      // next run asks the next panel's chair, so no run's history grows without bound. Only when
      // the chair's task is all that is asked (a round asking a silent partner shares its deadline
      // and closes with it) and nobody is being looked up. Runs recorded before carry on in one run.
      if (runIsLong(input.historyBound) && patched('referral-chair-continue-as-new')) {
        await condition(() => !busy() && !book.open.some((t) => t.kind === REFERRAL_TASK_KINDS.position && Date.parse(t.dueAt) <= Date.now()));
        if (!book.open.some((t) => t.kind === REFERRAL_TASK_KINDS.position)) {
          state.carriedToChair = n + 1;
          return 'continue-as-new';
        }
      }
      chair = chairTask(++n, decideBy());
      publish();
    }
  }

  function applyDecision(result: Extract<TaskResult, { status: 'decided' }>): void {
    const d = result.decision;
    const outcome = d.decision as PanelOutcome;
    const data = d.data as { startDate?: string; returnDate?: string } | undefined;
    const approved = outcome === 'approve' || outcome === 'approve-with-conditions';
    const decision: PanelDecision = {
      outcome,
      by: d.by,
      at: d.at,
      ...(approved ? { split: state.agreedSplit } : {}),
      ...(outcome === 'approve-with-conditions' ? { conditions: d.comment } : {}),
      ...(outcome === 'decline' || outcome === 'defer' ? { reasons: d.comment } : {}),
      ...(outcome === 'defer' ? { returnDate: data?.returnDate } : {}),
    };
    state.decision = decision;
    state.decisions.push(decision);
    endStage();
    if (outcome !== 'defer') state.decidedAt ??= d.at;
    if (approved) {
      state.status = outcome === 'approve' ? 'approved' : 'approved-with-conditions';
      state.startDate = data?.startDate ?? ukDate(now());
      state.nextReviewAt = addDuration(calendar, ukInstant(state.startDate, policy.panel.at), policy.reviewFirst).toISOString();
      state.phase = 'approved';
    } else if (outcome === 'defer') {
      state.status = 'deferred';
      state.phase = 'deferred';
      enterStage('deferred');
    } else {
      state.status = 'declined';
      state.phase = 'ended';
    }
    note({
      event: 'panel-decided',
      by: d.by,
      detail: {
        approve: `Approved with the split ${splitText(state.agreedSplit ?? {})}; starts ${state.startDate}; first review ${state.nextReviewAt}`,
        'approve-with-conditions': `Approved with conditions (${d.comment}) and the split ${splitText(state.agreedSplit ?? {})}; starts ${state.startDate}; first review ${state.nextReviewAt}`,
        defer: `Deferred for more information (${d.comment}); returns on ${data?.returnDate}`,
        decline: `Declined: ${d.comment}`,
      }[outcome],
    });
    publish();
  }

  async function deferred(): Promise<void> {
    const returnDate = state.decision?.returnDate ?? ukDate(now());
    state.panelAt = panelOnOrAfter(calendar, policy, returnDate, now()).toISOString();
    const back = ukInstant(returnDate, '00:00').getTime() - Date.now();
    if (back > 0) await sleep(back);
    note({ event: 'returned', detail: `Back from deferral; listed for the panel of ${ukDate(new Date(state.panelAt))}` });
    state.phase = 'panel';
  }

  if (!resumed) note({ event: 'referral-created', by: input.referredBy.person, partner: input.referredBy.partner, detail: `${title}, ${input.urgent ? 'urgent, ' : ''}funding partners ${funders.map(partnerName).join(', ')}` });
  publish();
  // Its referrer, or a commissioner of a funding partner, may end it early.
  const withdrawal = withdrawable({
    type: 'referral',
    what: 'The referral',
    tasks,
    state,
    scope: () => ({ owner: input.referredBy.person, partners: funders }),
    open: () => !['declined', 'ended', 'withdrawn'].includes(state.status),
    ended: () => {
      endStage();
      state.status = 'withdrawn';
      state.phase = 'ended';
    },
  });
  const ran = await withdrawal.run(() => cycles());
  await drain();
  await condition(allHandlersFinished);
  return ran === 'withdrawn' ? { status: state.status } : ran;

  async function cycles(): Promise<{ status: ReferralStatus }> {
  let fresh = resumed !== undefined;
  const continueInNewRun = async (): Promise<never> => {
    await drain();
    await condition(allHandlersFinished);
    return continueAsNew<typeof resourceAllocation>(input, carriedState(state));
  };
  for (;;) {
    if (state.phase === 'panel') {
      if ((await panelCycle()) === 'continue-as-new') await continueInNewRun();
    }
    else if (state.phase === 'deferred') await deferred();
    else if (state.phase === 'approved') {
      // Continue-as-new before each long wait for a review: years of reviews, small histories.
      if (!fresh) await continueInNewRun();
      fresh = false;
      // And during a review nobody records for years: the next run takes it up.
      if ((await review(steps)) === 'continue-as-new') await continueInNewRun();
    } else break;
    fresh = false;
  }
  return { status: state.status };
  }
}
