import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  executeChild,
  patched,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { TaskEmailInput } from '../activities';
import type { Calendar } from '../domain/calendar';
import {
  commissionInputSchema,
  type CommissionInput,
  type CommissionView,
  type LeadStatus,
  type Stage,
} from '../domain/commission';
import { assigneesKey, leadPartnerKey, leadStatusKey, nextDueKey, partnersKey, stageKey, titleKey, updatedAtKey } from '../domain/searchAttributes';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { inboxEntry, INBOX_MEMO, type Task } from '../domain/task';
import type { WaitingOn } from '../domain/liveness';
import { defaultDisputePolicy, disputeWorkflowId, leadDisputeId } from '../domain/dispute';
import { dispute } from './dispute';
import { evaluationPanel } from './evaluationPanel';
import {
  evaluationIdOf,
  evaluationRequestSchema,
  evaluationWorkflowId,
  type CommissionEvaluation,
  type EvaluationRequest,
} from '../domain/evaluation';
import { runTask } from './humanTask';
import { endedOrLong, resumably, type Resumable } from './runLength';
import { runChildSafely, type ChildRun } from './childFailure';
import { activities, carriedState, inSystemOfRecord, pageOf, subjectRecord, type SubjectState } from './subject';
import { decideTask, extendTaskDeadline } from './taskMessages';
import { withdraw, withdrawable } from './withdrawal';
import type { Withdrawal } from '../domain/withdrawal';
import { LEAD_AGREEMENT_KIND, leadPartnerAgreementV1 } from './legacy/leadPartnerAgreementV1';
import { lifecycleView, runLifecycle, type LifecycleState } from './lifecycle';
import { challengeRequestSchema, defaultLifecyclePolicy, type ChallengeRequest, type StandstillView } from '../domain/lifecycle';
import { highRiskFactorIds, proportionality, type HighRiskFactor } from '../domain/proportionality';

// Messages live beside the workflow; the API imports these handles so names cannot drift.
export const getCommission = defineQuery<CommissionView>('getCommission');
export const setUpEvaluation = defineUpdate<CommissionEvaluation, [EvaluationRequest]>('setUpEvaluation');
export const recordChallenge = defineUpdate<StandstillView, [ChallengeRequest]>('recordChallenge');
export { decideTask, extendTaskDeadline, withdraw };

export { LEAD_AGREEMENT_KIND };

const { lookupPeople, sendTaskEmail } = activities;

export interface CommissionState extends SubjectState {
  stage: Stage;
  lead: { status: LeadStatus; partner: string; reason?: string };
  createdAt: string;
  evaluation?: CommissionEvaluation & { request?: EvaluationRequest };
  /**
   * Evaluation panels that stopped, over every set-up: each new attempt's tasks have ids of their
   * own; `asking`, the lead commissioner's question about the latest, while it is open.
   */
  panelFailures?: ChildRun<unknown>['counter'];
  lifecycle?: LifecycleState;
  /** How many rounds of the dispute ladder the lead has had: the next round's dispute id counts on. */
  leadDisputes?: number;
  withdrawn?: Withdrawal | undefined;
}

export async function jointCommission(rawInput: CommissionInput, resumed?: CommissionState): Promise<void> {
  const parsed = commissionInputSchema().safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`Invalid commission input: ${parsed.error.issues.map((i) => i.message).join('; ')}`, 'InvalidInput');
  }
  const input = parsed.data;
  const calendar: Calendar = input.calendar;
  const state: CommissionState = resumed ?? {
    stage: 'lead-agreement',
    lead: { status: 'proposed', partner: input.proposedLead },
    createdAt: new Date().toISOString(),
    history: [],
    recorded: 0,
    tasks: [],
    usedLinks: [],
  };
  // A commission started on the first release (no `lead-agreement-task-primitive` marker) wrote
  // its record one entry per `recordEvent`; batching them (aa257bf) was never patched.
  let firstRelease = false;
  const { book, background, partnerName, note, publish, tasks, drain, busy } = subjectRecord({
    id: input.id,
    title: input.title,
    policyVersion: input.policyVersion,
    partners: input.partners,
    calendar,
    state,
    // The lead commissioner follows the lead: after a dispute chooses another partner, its commissioners.
    leadCommissioner: () => ({ partner: state.lead.partner, person: input.createdBy.partner === state.lead.partner ? input.createdBy.person : undefined }),
    publish: () => showIndexes(),
    waits: () => commissionWaits(),
    shown: () => ({ type: 'commission', status: state.stage, lead: state.lead, partners: input.partners.map((p) => p.id), open: state.stage !== 'ended' && state.stage !== 'withdrawn', view: pageOf(view()) }),
    recordsOneByOne: () => firstRelease,
  });

  /** What the commission waits on besides its tasks: the panel's set-up, a child case, a date. */
  function commissionWaits(): WaitingOn[] {
    const life = state.lifecycle;
    const out: WaitingOn[] = [];
    if (state.lead.status === 'disputed' && state.leadDisputes) {
      out.push({ kind: 'subject', subjectId: leadDisputeId(input.id, state.leadDisputes), for: 'the dispute on the lead partner' });
    }
    if (state.evaluation?.status === 'running') out.push({ kind: 'subject', subjectId: evaluationIdOf(input.id), for: 'the joint evaluation panel to recommend' });
    const evaluationOpen = life?.steps.some((s) => s.id === 'evaluation' && s.status === 'open');
    if (evaluationOpen && !state.evaluation) out.push({ kind: 'action', people: [input.createdBy.person], for: 'the lead commissioner to set up the joint evaluation panel' });
    const until = life?.waitingFor?.until ?? life?.nextTimerAt;
    if (until && Date.parse(until) > Date.now()) out.push({ kind: 'date', at: until, for: life?.waitingFor?.what ?? 'the next step' });
    return out;
  }

  /** What search and the inbox's incremental refresh read. */
  const searchableNow = (): SearchAttributeUpdatePair[] => {
    const nextDue = book.open.map((t) => t.dueAt).sort()[0];
    return [
      { key: updatedAtKey, value: new Date() },
      { key: leadPartnerKey, value: state.lead.partner },
      { key: titleKey, value: input.title },
      { key: nextDueKey, value: nextDue ? new Date(nextDue) : null },
    ];
  };

  const showIndexes = (): void => {
    // Before the system of record, the inbox read open tasks from the memo that visibility
    // returns with each workflow; the read models in the database replace it.
    const withInbox = patched('inbox-memo');
    if (withInbox && !inSystemOfRecord()) upsertMemo({ [INBOX_MEMO]: book.open.map(inboxEntry) });
    upsertSearchAttributes([
      { key: stageKey, value: state.stage },
      { key: leadStatusKey, value: state.lead.status },
      { key: partnersKey, value: input.partners.map((p) => p.id) },
      { key: assigneesKey, value: book.openAssignees() },
      ...(withInbox ? searchableNow() : []),
    ]);
  };

  const view = (): CommissionView => ({
    id: input.id,
    title: input.title,
    description: input.description,
    partners: input.partners.map((p) => p.id),
    stage: state.stage,
    lead: state.lead,
    estimatedValue: input.estimatedValue,
    createdBy: input.createdBy.person,
    createdAt: state.createdAt,
    policyVersion: input.policyVersion,
    tasks: book.all,
    openTasks: book.open,
    history: state.history,
    ...(state.evaluation ? { evaluation: publicEvaluation(state.evaluation) } : {}),
    ...(state.lifecycle ? { lifecycle: lifecycleView(state.lifecycle, book.open) } : {}),
    ...(state.withdrawn ? { withdrawn: state.withdrawn } : {}),
  });
  setHandler(getCommission, view);

  // A bidder's challenge, or representations under the PSR, recorded by a partner during standstill.
  setHandler(
    recordChallenge,
    (req) => {
      const s = state.lifecycle!.standstill!;
      // Numbered across standstills: a challenge after the award is taken again is a new task.
      const n = (state.lifecycle!.earlierChallenges ?? 0) + s.challenges.length + 1;
      s.challenges.push({ id: `challenge-${n}`, kind: req.kind, from: req.from, grounds: req.grounds, raisedBy: req.by, raisedAt: new Date().toISOString() });
      s.paused = true;
      note({ event: 'challenge-received', by: req.by, detail: `${req.kind === 'representation' ? 'Representations' : 'A challenge'} from ${req.from}: ${req.grounds}. The award is paused until the outcome is recorded.` });
      publish();
      return s;
    },
    {
      validator: (req) => {
        const refuse = (type: string, message: string): never => {
          throw ApplicationFailure.create({ type, message, nonRetryable: true });
        };
        if (!challengeRequestSchema().safeParse(req).success) refuse('InvalidRequest', 'The challenge is not well formed.');
        const life = state.lifecycle;
        const inStandstill = life?.steps.find((x) => x.id === 'standstill')?.status === 'open' && life.standstill;
        if (!inStandstill) {
          refuse('NotYet', life?.standstill?.endsAt ? `Challenges are recorded during standstill; it ended on ${life.standstill.endsAt}.` : 'Challenges are recorded during standstill; this commission is not in standstill.');
        }
        if (req.kind === 'representation' && life!.standstill!.kind !== 'provider-selection-regime') {
          refuse('InvalidRequest', 'Representations belong to the Provider Selection Regime; under the Procurement Act record a challenge.');
        }
      },
    },
  );

  // Until the commission's later stages land, its panel is set up through the API once the lead
  // partner is settled; the panel runs as a child so its record joins this one.
  setHandler(
    setUpEvaluation,
    (req) => {
      state.evaluation = { status: 'requested', setUpBy: req.setUpBy, setUpAt: new Date().toISOString(), request: req };
      note({ event: 'evaluation-requested', by: req.setUpBy, detail: `Joint evaluation panel set up: ${req.setup.bidders.length} bidders, ${req.setup.members.length} members` });
      publish();
      return publicEvaluation(state.evaluation);
    },
    {
      validator: (req) => {
        const refuse = (type: string, message: string): never => {
          throw ApplicationFailure.create({ type, message, nonRetryable: true });
        };
        if (!evaluationRequestSchema().safeParse(req).success) refuse('InvalidRequest', 'The evaluation set-up is not well formed.');
        if (state.lead.status !== 'agreed' && state.lead.status !== 'decided') {
          refuse('NotYet', `The evaluation panel is set up once the lead partner is settled; the lead is ${state.lead.status}.`);
        }
        if (state.evaluation) refuse('TaskClosed', `This commission's evaluation panel was already set up by ${state.evaluation.setUpBy} on ${state.evaluation.setUpAt}.`);
      },
    },
  );

  /** From a settled lead into the cycle, with the plan proportionality makes. */
  function startLifecycle(): void {
    const known = input.highRiskFactors.filter((f): f is HighRiskFactor => (highRiskFactorIds as string[]).includes(f));
    const plan = proportionality({
      value: input.estimatedValue,
      highRiskFactors: known,
      healthCareService: input.healthCareService,
      socialCareService: input.socialCareService ?? false,
      unusualTerms: input.unusualTerms ?? false,
      urgent: input.urgent !== undefined,
      voluntaryStandstill: input.voluntaryStandstill ?? false,
    });
    state.lifecycle = {
      proportionality: plan,
      policy: input.policy.lifecycle ?? defaultLifecyclePolicy(),
      urgentJustification: input.urgent?.justification,
      steps: [],
      reviews: [],
      reviewsHeld: 0,
      lessons: [],
    };
    note({ event: 'plan-made', detail: plan.reasons.join(' ') });
    if (input.urgent) note({ event: 'urgent-route', by: input.createdBy.person, detail: `Expedited route. Justification: ${input.urgent.justification}` });
    publish();
  }

  async function runEvaluation(request: EvaluationRequest): Promise<void> {
    const evaluation = state.evaluation!;
    evaluation.status = 'running';
    publish();
    // The panel is part of this case: it continues as new at the case's bound.
    const panelInput = {
      ...request,
      id: evaluationIdOf(input.id),
      commission: { id: input.id, title: input.title },
      partners: input.partners,
      leadCommissioner: request.setUpBy,
      calendar,
      ...(input.historyBound !== undefined && { historyBound: input.historyBound }),
    };
    // A panel that fails or is terminated is put to the lead commissioner: start it again or withdraw it.
    // It keeps its workflow id, which the API addresses it by; a new attempt is a new run, its tasks ids of their own.
    const ran = await runChildSafely(tasks, {
      what: 'The evaluation panel',
      subject: { type: 'commission', id: input.id, title: input.title },
      key: 'evaluation',
      ask: [{ role: 'commissioner', partner: state.lead.partner }],
      counter: (state.panelFailures ??= {}),
      // The question may wait for years, reminded every few days: it is a wait of the lifecycle
      // a new run takes up again, so the commission continues as new around it when its run is
      // long (the panel has stopped: no child runs meanwhile).
      resumable: { patch: 'panel-question-continue-as-new', wait: (question) => resumably(lifecycleWaits, question) },
      start: (attempt) =>
        executeChild(evaluationPanel, { workflowId: evaluationWorkflowId(input.id), args: [attempt > 1 ? { ...panelInput, attempt } : panelInput] }),
    });
    // Never so: the question's wait does not end the run itself (the lifecycle's does, around it).
    if (ran.status === 'continue-as-new') return;
    if (ran.status === 'withdrawn') {
      // The lead commissioner may set up a panel again (the lifecycle waits for it, saying so).
      state.evaluation = undefined;
      note({ event: 'evaluation-withdrawn', by: ran.by, detail: `The evaluation panel was withdrawn: ${ran.reason}. A panel may be set up again.` });
      publish();
      return;
    }
    const outcome = ran.result;
    for (const entry of outcome.record) state.history.push({ ...entry, detail: `[evaluation] ${entry.detail ?? entry.event}` });
    state.evaluation = { status: 'complete', setUpBy: evaluation.setUpBy, setUpAt: evaluation.setUpAt, recommended: outcome.recommended, result: outcome.result };
    note({ event: 'evaluation-complete', detail: outcome.recommended ? `The panel recommends ${outcome.recommended}` : 'The panel made no recommendation' });
    publish();
  }


  /** v1 sends: one request per task, the link valid until the last possible deadline. */
  function emailV1(task: Task, to: string[], purpose: TaskEmailInput['purpose'], seq: number, linkExpiresAt: Date): void {
    for (const person of to) {
      background.push(
        sendTaskEmail({
          task: { id: task.id, title: task.title, dueAt: task.dueAt, options: task.options, subjectTitle: input.title },
          to: person,
          purpose,
          seq,
          linkExpiresAt: linkExpiresAt.toISOString(),
        }).catch((err: unknown) => {
          note({ event: 'email-failed', detail: `The ${purpose} email to ${person} could not be delivered: ${(err as Error).message}` });
        }),
      );
    }
  }

  async function leadPartnerAgreement(): Promise<{ status: 'agreed' | 'disputed'; reason?: string; noResponse?: boolean }> {
    const policy = input.policy.leadPartnerAgreement;
    const asked = input.partners.filter((p) => p.id !== input.createdBy.partner);
    note({
      event: 'lead-proposed',
      by: input.createdBy.person,
      partner: input.createdBy.partner,
      detail: `${partnerName(input.proposedLead)} proposed as lead partner; asking ${asked.map((p) => p.name).join(', ')} to agree`,
    });
    const result = await runTask(tasks, {
      key: 'lead',
      kind: LEAD_AGREEMENT_KIND,
      title: `Agree ${partnerName(input.proposedLead)} as lead partner`,
      subject: { type: 'commission', id: input.id, title: input.title },
      options: ['agree', 'object'],
      reasonRequiredFor: ['object'],
      rejectOn: ['object'],
      completion: 'each-partner',
      ask: asked.map((p) => ({ partner: p.id, people: [{ role: 'commissioner', partner: p.id }] })),
      due: policy.due,
      reminders: [policy.remindBefore],
      escalation: [{ to: { role: 'senior-manager' }, mode: 'take-over', due: policy.escalateFor }],
      ifNoAnswer: `Each partner that has not answered by the deadline is escalated to its senior manager for ${policy.escalateFor}; after that the lead partner is disputed.`,
    });
    if (result.status === 'decided' && result.outcome === 'agree') return { status: 'agreed' };
    if (result.status === 'decided') {
      return { status: 'disputed', reason: `${partnerName(result.decision.partner ?? '')} objected: ${result.decision.comment ?? ''}`.trim() };
    }
    return { status: 'disputed', reason: `no response from ${(result.status === 'expired' ? result.awaiting : []).map(partnerName).join(', ')}`, noResponse: true };
  }

  /**
   * The dispute ladder settles a disputed lead: a child dispute, at stage 2 when a partner never
   * answered (stage 1 would have nothing to try). Its resolution sets the lead.
   */
  async function settleLeadByDispute(noResponse: boolean, round = 1): Promise<void> {
    const id = leadDisputeId(input.id, round);
    const startAt = noResponse ? 'executive-board' : 'early-resolution';
    state.leadDisputes = round;
    note({ event: 'dispute-opened', detail: `Dispute ${id} opened on the lead partner, at the ${startAt} stage: ${state.lead.reason}` });
    const outcome = await executeChild(dispute, {
      workflowId: disputeWorkflowId(id),
      args: [
        {
          id,
          subject: { type: 'commission', id: input.id, title: input.title },
          partners: input.partners,
          partnership: input.partnership ?? input.partners,
          matter: `Which partner leads "${input.title}"`,
          desiredOutcome: input.proposedLead,
          resolutionKind: 'lead-partner',
          raisedBy: input.createdBy,
          startAt,
          calendar,
          policy: input.policy.dispute ?? defaultDisputePolicy,
          policyVersion: input.policyVersion,
          // The dispute is part of this case: it continues as new at the case's bound.
          ...(input.historyBound !== undefined && { historyBound: input.historyBound }),
        },
      ],
    });
    // The dispute's record joins the commission's, so its timeline tells the whole story.
    for (const entry of outcome.record ?? []) state.history.push({ ...entry, detail: `[dispute ${id}] ${entry.detail ?? entry.event}` });
    if (outcome.status === 'resolved' && outcome.leadPartner) {
      state.lead = { status: 'decided', partner: outcome.leadPartner, reason: `decided by dispute ${id} at the ${outcome.stage} stage` };
      state.stage = 'analyse';
      note({ event: 'lead-decided', detail: `${partnerName(outcome.leadPartner)} leads, as dispute ${id} decided (${outcome.decidedBy.join(', ')})` });
    } else {
      const why = outcome.status === 'withdrawn' ? `dispute ${id} was withdrawn by ${outcome.decidedBy.join(', ')}: ${outcome.reason}` : `dispute ${id} resolved "${outcome.resolution}", which names no partner`;
      state.lead = { ...state.lead, reason: `still disputed: ${why}` };
      note({
        event: 'dispute-closed',
        detail:
          outcome.status === 'withdrawn'
            ? `Dispute ${id} was withdrawn: ${outcome.reason}. The lead partner stays disputed.`
            : `Dispute ${id} resolved "${outcome.resolution}", which names no partner; the lead partner stays disputed.`,
      });
    }
    publish();
  }

  /**
   * Rounds of the ladder until the lead is settled. A withdrawn round (or one that named no
   * partner) settles nothing, and nobody alone may choose the lead the partners dispute
   * (DOMAIN.md sections 1 and 4: all partners agree, or the ladder decides): so a fresh round
   * opens at early resolution, where the partners' leads record what they have agreed since.
   */
  async function settleLead(noResponse: boolean): Promise<void> {
    const first = (state.leadDisputes ?? 0) + 1;
    await settleLeadByDispute(noResponse, first);
    for (let round = first + 1; state.lead.status === 'disputed' && patched('lead-dispute-fresh-round'); round++) {
      await settleLeadByDispute(false, round);
    }
  }

  /** The lifecycle's waits a new run takes up again, once it runs (the panel's question is one). */
  let lifecycleWaits: Resumable | undefined;
  /** Whether the lead commissioner is asked about a panel that stopped (a resumed run asks on). */
  const panelQuestionOpen = (): boolean => state.panelFailures?.asking !== undefined;

  // Its creator, or the lead partner's commissioners and senior managers, may end it early.
  const withdrawal = withdrawable({
    type: 'commission',
    what: 'The commission',
    tasks,
    state,
    scope: () => ({ owner: input.createdBy.person, partners: [state.lead.partner] }),
    open: () => state.stage !== 'ended' && state.stage !== 'withdrawn',
    ended: () => {
      state.stage = 'withdrawn';
    },
  });
  const ran = await withdrawal.run(() => life(resumed));
  if (ran === 'withdrawn') {
    // Ended: the record written, the children's cancellations and the emails done.
    await drain();
    await condition(allHandlersFinished);
  }

  async function life(resumed: CommissionState | undefined): Promise<void> {
  if (!resumed) {
    const onPrimitive = patched('lead-agreement-task-primitive');
    firstRelease = !onPrimitive;
    note({ event: 'commission-created', by: input.createdBy.person, partner: input.createdBy.partner, detail: input.title });
    const outcome: { status: 'agreed' | 'disputed'; reason?: string; noResponse?: boolean } = onPrimitive
      ? await leadPartnerAgreement()
      : await leadPartnerAgreementV1({ input, calendar, book, partnerName, note, publish, lookupPeople, email: emailV1 });
    state.lead = { status: outcome.status, partner: input.proposedLead, ...(outcome.reason ? { reason: outcome.reason } : {}) };
    if (state.lead.status === 'agreed') state.stage = 'analyse';
    note({
      event: state.lead.status === 'agreed' ? 'lead-agreed' : 'lead-disputed',
      detail:
        state.lead.status === 'agreed'
          ? `${partnerName(state.lead.partner)} agreed as lead partner by all partners`
          : `Lead partner disputed: ${state.lead.reason}. The commission waits for the dispute to be resolved.`,
    });
    publish();
    if (onPrimitive && state.lead.status === 'disputed' && patched('lead-dispute-ladder')) await settleLead(outcome.noResponse === true);
    if (onPrimitive && (state.lead.status === 'agreed' || state.lead.status === 'decided') && patched('lifecycle')) startLifecycle();
  }

  // A lead settled under v2 to v4 (before the `lifecycle` patch) was carried into this run without
  // a lifecycle; without one, the later-stages loop below would wait for ever.
  const settled = state.lead.status === 'agreed' || state.lead.status === 'decided';
  if (resumed && settled && !state.lifecycle && patched('lifecycle-on-resume')) startLifecycle();

  /**
   * The lifecycle, continuing as new once this run is long: a task nobody answers for years (its
   * overdue reminders) would otherwise grow one run's history without bound. Only at a wait a new
   * run takes up again (an open task, a date), and never while the panel runs as a child.
   */
  async function lifecycleInRuns(): Promise<'continue-as-new' | 'ended'> {
    const resumable = { waits: 0 };
    lifecycleWaits = resumable;
    const running = runLifecycle({ input, state, tasks, calendar, runEvaluation, resumable, panelQuestionOpen });
    if (!patched('long-waits-continue-as-new')) return running;
    // While the panel runs its own runs carry it; once it has stopped, the question put to the
    // lead commissioner is a wait like any other (set only since panel-question-continue-as-new).
    const canContinue = (): boolean => resumable.waits > 0 && !busy() && (state.evaluation?.status !== 'running' || panelQuestionOpen());
    const ran = await endedOrLong(running, canContinue, drain, input.historyBound);
    return ran === 'continue-as-new' ? ran : ran.ended;
  }

  if (state.lifecycle) {
    const next = await lifecycleInRuns();
    await drain();
    await condition(allHandlersFinished);
    if (next === 'continue-as-new') await continueAsNew<typeof jointCommission>(input, carriedState(state));
    return;
  }

  // Later stages arrive in later releases; until then the commission stays open in its stage.
  // Continue-as-new keeps the history small over the years it may wait.
  for (;;) {
    await condition(() => workflowInfo().continueAsNewSuggested || state.evaluation?.status === 'requested');
    const request = state.evaluation?.status === 'requested' ? state.evaluation.request : undefined;
    if (!request || !patched('evaluation-panel')) break;
    await runEvaluation(request);
  }
  await drain();
  await condition(allHandlersFinished);
  await continueAsNew<typeof jointCommission>(input, carriedState(state));
  }
}

/** The panel without its set-up request, which holds the pool of people. */
function publicEvaluation(e: CommissionEvaluation & { request?: EvaluationRequest }): CommissionEvaluation {
  const { request: _request, ...shown } = e;
  return shown;
}
