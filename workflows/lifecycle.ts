import { condition, ParentClosePolicy, patched, sleep, startChild, uuid4 } from '@temporalio/workflow';
import type { Calendar } from '../domain/calendar';
import type { CommissionInput, Stage } from '../domain/commission';
import { COMMISSION_ID, commissionWorkflowId, stageNames } from '../domain/commission';
import { addDuration, subtractDuration } from '../domain/duration';
import {
  planSteps,
  ukMidnight,
  type Challenge,
  type ContractView,
  type LifecyclePolicy,
  type LifecycleView,
  type PlanStep,
  type ReviewRecord,
  type StandstillView,
  type StepRecord,
  type WaitingFor,
  LIFECYCLE_TASK_KINDS,
} from '../domain/lifecycle';
import { gateNames, type Gate, type Proportionality } from '../domain/proportionality';
import { afterRepresentations, standstillEnds } from '../domain/standstill';
import type { FormField } from '../domain/taskData';
import type { AssigneeSpec, Task } from '../domain/task';
import { runTask, type TaskContext, type TaskResult, type TaskSpec } from './humanTask';
import { quietOnCancel } from './withdrawal';
import { resumably as countedWait, type Resumable } from './runLength';
import type { EvaluationRequest, CommissionEvaluation } from '../domain/evaluation';

/** What the lifecycle keeps across continue-as-new. */
export interface LifecycleState {
  proportionality: Proportionality;
  policy: LifecyclePolicy;
  urgentJustification?: string | undefined;
  steps: StepRecord[];
  waitingFor?: WaitingFor | undefined;
  nextTimerAt?: string | undefined;
  standstill?: StandstillView | undefined;
  contract?: ContractView | undefined;
  /** The latest reviews; older ones are in the durable record. */
  reviews: ReviewRecord[];
  reviewsHeld: number;
  endOfTerm?: LifecycleView['endOfTerm'];
  exitPlanned?: boolean | undefined;
  terminationNoticed?: boolean | undefined;
  recommissionedAs?: string | undefined;
  lessons: string[];
  /** Times the award was taken again after a challenge set it aside: each take asks under fresh task ids. */
  awardRetakes?: number | undefined;
  /** Challenges recorded in earlier standstills, so a later standstill's challenge ids continue from them. */
  earlierChallenges?: number | undefined;
  /** End-of-term rounds already asked (the partners chose differently), so a resumed run asks the next. */
  endOfTermRounds?: number | undefined;
}

export interface LifecycleContext {
  input: CommissionInput;
  state: {
    stage: Stage;
    lead: { partner: string };
    lifecycle?: LifecycleState | undefined;
    evaluation?: (CommissionEvaluation & { request?: EvaluationRequest | undefined }) | undefined;
  };
  tasks: TaskContext;
  calendar: Calendar;
  runEvaluation(request: EvaluationRequest): Promise<void>;
  /**
   * Counts the waits a new run can take up where this one left them (a task carried open, a
   * date): only there may the commission continue as new mid-step.
   */
  resumable?: Resumable;
  /** Whether the lead commissioner is asked about a panel that stopped: a resumed run waits on the question, the panel still running. */
  panelQuestionOpen?(): boolean;
}

const KEEP_REVIEWS = 8;

/**
 * The commission from a settled lead to the end of its contract: the steps proportionality makes
 * applicable, each a task on the primitive, then quarterly joint reviews (continuing as new after
 * each so a contract of years keeps a small history) and the end-of-term decision.
 * Returns 'continue-as-new' after a review, 'ended' when the contract has ended.
 */
export async function runLifecycle(ctx: LifecycleContext): Promise<'continue-as-new' | 'ended'> {
  const { input, state, tasks, calendar } = ctx;
  const life = state.lifecycle!;
  const { note, publish, partnerName } = tasks;
  /** A wait a resumed run takes up again by running the same code: settled tasks return their result, open ones resume. */
  const resumably = <T>(p: Promise<T>): Promise<T> => countedWait(ctx.resumable, p);
  /**
   * The waits made resumable after `long-waits-continue-as-new` (the revision after a refusal, a
   * challenge in standstill, the exit tasks): asked when each begins, so a run recorded before,
   * however long it grew there, replays waiting where it waited.
   */
  const resumablyToo = <T>(p: Promise<T>): Promise<T> => (patched(EVERY_LONG_WAIT) ? resumably(p) : p);
  const policy = life.policy;
  const subject = { type: 'commission' as const, id: input.id, title: input.title };
  const partners = input.partners.map((p) => p.id);
  const lead = (): string => state.lead.partner;
  const leadCommissioner = (): AssigneeSpec[] => [{ role: 'commissioner', partner: lead() }];
  const each = (role: 'senior-manager' | 'commissioner') => partners.map((p) => ({ partner: p, people: [{ role, partner: p }] as AssigneeSpec[] }));

  const record = (id: string): StepRecord => {
    let r = life.steps.find((s) => s.id === id);
    if (!r) life.steps.push((r = { id, status: 'pending' }));
    return r;
  };
  // Whose move it is comes from the open tasks when the view is read; this says what for.
  const waitOn = (what: string, until?: string): void => {
    life.waitingFor = { what, who: [], since: new Date().toISOString(), ...(until ? { until } : {}) };
  };
  const enterStage = (stage: Stage, why: string): void => {
    // A withdrawn commission stays withdrawn: steps unwinding from the cancellation move nothing.
    // (Never true before the subject-withdrawal patch, so older histories replay unchanged.)
    if (state.stage === stage || state.stage === 'withdrawn') return;
    state.stage = stage;
    note({ event: 'stage-entered', detail: `${stageNames[stage]}: ${why}` });
    publish();
  };

  /** A lead-commissioner task that records a fact, with the fields it needs. */
  const fact = (key: string, title: string, fields: FormField[], extra: Partial<TaskSpec> = {}): TaskSpec => ({
    key,
    kind: `commission-${key.replace(/\.r\d+$/, '').replace(/\.take\d+$/, '')}`,
    title,
    subject,
    options: ['recorded'],
    completion: 'any',
    ask: [{ people: leadCommissioner() }],
    fields,
    due: policy.checkpointDue,
    reminders: ['2 working days'],
    escalation: [{ to: { role: 'senior-manager', partner: lead() }, mode: 'take-over', due: policy.gateEscalateFor }],
    overdueReminders: policy.overdueRemindEvery,
    ifNoAnswer: `The lead partner's senior manager is asked too; the commission cannot move on without it, so reminders continue every ${policy.overdueRemindEvery}.`,
    ...extra,
  });
  const text = (name: string, label: string, hint?: string): FormField => ({ path: [name], label, type: 'text', required: true, ...(hint ? { hint } : {}) });

  /** Runs a task as one step of the plan, remembering it so a resumed run does not ask again. */
  async function asStep(step: PlanStep, spec: TaskSpec): Promise<TaskResult> {
    const r = record(step.id);
    r.status = 'open';
    waitOn(step.title);
    const result = await resumably(runTask(tasks, spec));
    life.waitingFor = undefined;
    return result;
  }
  const done = (step: PlanStep, result: TaskResult | undefined, detail?: string): void => {
    const r = record(step.id);
    r.status = 'done';
    r.completedAt = new Date().toISOString();
    if (result?.status === 'decided') {
      r.by = result.decision.by;
      r.outcome = result.outcome;
    }
    r.detail = detail;
    note({ event: 'step-done', by: r.by, detail: `${step.title}${detail ? `: ${detail}` : ''}` });
    publish();
  };
  /** The key suffix of the award's current take: none for the first, `.take2` and on after a set-aside. */
  const retake = (): string => (life.awardRetakes ? `.take${life.awardRetakes + 1}` : '');
  const dataText = (result: TaskResult, key: string): string => (result.status === 'decided' ? String(result.decision.data?.[key] ?? '') : '');

  /**
   * A decision the funding partners take together (a stage gate, the award). A rejection sends the
   * commission back to the stage before; the lead commissioner revises and resubmits, and the
   * partners are asked again.
   */
  async function jointApproval(step: PlanStep, spec: (round: number) => TaskSpec[], backTo: Stage): Promise<TaskResult> {
    const r = record(step.id);
    for (let round = (r.rounds ?? 0) + 1; ; round++) {
      r.rounds = round - 1;
      const specs = spec(round);
      const running = specs.map((s) => runTask(tasks, s));
      r.status = 'open';
      waitOn(step.title);
      // One refusal settles the round: the other asks are withdrawn.
      const results = await resumably(Promise.all(
        running.map((p) =>
          p.then((res) => {
            if (res.status === 'decided' && (res.task.rejectOn ?? []).includes(res.outcome)) {
              // By key, whatever the id's form: since case-task-ids the id carries the case too, and
              // an id built here would miss the other asks, left open for ever. (Untagged ids are
              // found as before, so histories from before case-task-ids replay unchanged.)
              for (const s of specs) {
                const t = tasks.book.byKey(input.id, s.key);
                if (t) tasks.book.close(t, 'cancelled');
              }
            }
            return res;
          }),
        ),
      ));
      const refusal = results.find((res) => res.status === 'decided' && (res.task.rejectOn ?? []).includes(res.outcome));
      if (!refusal || refusal.status !== 'decided') return results[0]!;
      const resubmitKey = `${step.id}.resubmit${round}`;
      // A run resumed during the revision finds it asked already: the refusal is recorded and the
      // commission back a stage. (Never so before every-long-wait-resumable: replays unchanged.)
      if (!tasks.book.byKey(input.id, resubmitKey)) {
        note({
          event: 'gate-rejected',
          by: refusal.decision.by,
          partner: refusal.decision.partner,
          detail: `${step.title} refused (${refusal.outcome}): ${refusal.decision.comment ?? ''}. The commission returns to ${stageNames[backTo]}.`,
        });
        enterStage(backTo, `${step.title} was refused`);
      }
      const resubmitted = await resumablyToo(
        runTask(
          tasks,
          fact(resubmitKey, `Revise and resubmit: ${step.title}`, [text('changes', 'What changed since the refusal', refusal.decision.comment)], {
            briefing: [`Refused by ${refusal.decision.by}: ${refusal.decision.comment ?? ''}`],
          }),
        ),
      );
      note({ event: 'resubmitted', by: resubmitted.status === 'decided' ? resubmitted.decision.by : undefined, detail: `${step.title}: ${dataText(resubmitted, 'changes')}` });
      // The gate's own stage (the one it was asked in, which a resumed run no longer holds).
      enterStage(step.stage, `${step.title} resubmitted`);
    }
  }

  const gateSpec = (g: Gate) => (round: number): TaskSpec[] => {
    const key = `gate-${g}${round > 1 ? `.r${round}` : ''}`;
    const approvers: TaskSpec = {
      key,
      kind: LIFECYCLE_TASK_KINDS.stageGate,
      title: `Approve ${gateNames[g]}`,
      subject,
      options: ['approve', 'reject'],
      reasonRequiredFor: ['reject'],
      rejectOn: ['reject'],
      completion: 'each-partner',
      ask: each('senior-manager'),
      due: policy.gateDue,
      reminders: [policy.gateRemindBefore],
      escalation: [{ to: { role: 'accountable-officer' }, mode: 'take-over', due: policy.gateEscalateFor }],
      overdueReminders: policy.overdueRemindEvery,
      ifNoAnswer: "The partner's accountable officer is asked too; the gate is never passed for anyone, so reminders continue.",
    };
    if (g !== 2) return [approvers];
    return [
      approvers,
      {
        key: `procurement-response${round > 1 ? `.r${round}` : ''}`,
        kind: 'commission-procurement-response',
        title: 'Respond to the procurement request form',
        subject,
        options: ['accept', 'return'],
        reasonRequiredFor: ['return'],
        rejectOn: ['return'],
        completion: 'any',
        ask: [{ people: [{ role: 'procurement', partner: lead() }] }],
        due: policy.procurementResponse,
        reminders: ['1 working day'],
        escalation: [{ to: { role: 'senior-manager', partner: lead() }, mode: 'take-over', due: '2 working days' }],
        overdueReminders: policy.overdueRemindEvery,
        ifNoAnswer: "The procurement service must respond within 5 working days; after that the lead partner's senior manager is asked too.",
      },
    ];
  };

  const steps = planSteps(life.proportionality);
  const isDone = (id: string) => life.steps.find((s) => s.id === id)?.status === 'done';
  const stageBefore = (stage: PlanStep['stage']): Stage => (stage === 'secure-services' ? 'plan' : 'analyse');

  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (isDone(step.id)) continue;
    // A step already open is taken up where a run before left it: in its stage, or (revising after
    // a refusal) in the stage before, which it keeps. (Open here only in a resumed run, where the
    // stage was the step's own before every-long-wait-resumable: nothing changes for those.)
    if (life.steps.find((s) => s.id === step.id)?.status !== 'open') enterStage(step.stage, `next: ${step.title}`);
    switch (step.kind) {
      case 'checkpoint': {
        const fields: Record<string, FormField[]> = {
          'lived-experience': [text('who', 'Who with lived experience is involved'), text('how', 'How they are involved')],
          'market-engagement-notice': [text('reference', 'The notice reference or link')],
          'market-engagement': [text('summary', 'What engagement took place and what it found')],
          'specification-signoff': [text('reference', 'The specification version signed off')],
          'social-value': [text('how', 'How social value is included (it becomes contract KPIs)')],
          'conflicts-assessment': [text('summary', 'The conflicts assessment and who keeps it under review')],
          'tender-notice': [text('reference', life.proportionality.regime === 'provider-selection-regime' ? 'The PSR route and notice' : 'The tender notice reference')],
        };
        const ask = step.id === 'specification-signoff' ? [{ people: [{ role: 'senior-manager', partner: lead() } as AssigneeSpec] }] : undefined;
        const result = await asStep(step, fact(step.id, step.title, fields[step.id] ?? [], ask ? { ask, escalation: [] } : {}));
        const values = result.status === 'decided' ? Object.values(result.decision.data ?? {}).map(String) : [];
        done(step, result, values.join('; '));
        break;
      }
      case 'gate': {
        const result = await jointApproval(step, gateSpec(step.gate!), stageBefore(step.stage));
        done(step, result, 'approved by every funding partner');
        break;
      }
      case 'quotes': {
        const result = await asStep(
          step,
          fact('quotes', 'Obtain quotes', [text('summary', 'The quotes obtained')], { ask: [{ people: [{ role: 'procurement', partner: lead() }] }] }),
        );
        done(step, result, dataText(result, 'summary'));
        break;
      }
      case 'legal-review': {
        const result = await asStep(step, {
          ...fact('legal-review', step.title, [text('advice', 'The legal advice')], { ask: [{ people: [{ role: 'legal', partner: lead() }] }] }),
          options: ['content', 'concerns'],
          due: policy.legalReview,
          escalation: [{ to: leadCommissioner(), mode: 'notify', due: '5 working days' }],
        });
        done(step, result, `${result.status === 'decided' ? result.outcome : ''}: ${dataText(result, 'advice')}`);
        break;
      }
      case 'evaluation': {
        // Until a panel completes: one withdrawn after it stopped is set up again.
        while (state.evaluation?.status !== 'complete') {
          record(step.id).status = 'open';
          waitOn(`The lead commissioner to set up the joint evaluation panel (PUT /api/v1/commissions/${input.id}/evaluation)`);
          publish();
          // A run continued as new while the lead commissioner was asked about a stopped panel
          // takes the question up again (never so before panel-question-continue-as-new).
          await resumably(condition(() => state.evaluation?.status === 'requested' || (state.evaluation?.status === 'running' && ctx.panelQuestionOpen?.() === true)));
          waitOn('The joint evaluation panel to score, moderate and recommend');
          await ctx.runEvaluation(state.evaluation!.request!);
        }
        done(step, undefined, state.evaluation?.recommended ? `the panel recommends ${state.evaluation.recommended}` : 'the panel made no recommendation');
        break;
      }
      case 'award': {
        const recommended = state.evaluation?.recommended;
        const briefing = (state.evaluation?.result?.ranking ?? []).map((r, n) => `${n + 1}. ${r.bidder}: ${r.total} (quality ${r.quality})`);
        const take = retake();
        const result = await jointApproval(
          step,
          (round) => [
            {
              key: `award${take}${round > 1 ? `.r${round}` : ''}`,
              kind: LIFECYCLE_TASK_KINDS.award,
              title: recommended ? `Award the contract to ${recommended}` : 'Decide the award',
              subject,
              options: ['award', 'reject'],
              reasonRequiredFor: ['reject'],
              rejectOn: ['reject'],
              completion: 'each-partner',
              ask: each('commissioner'),
              due: policy.awardDue,
              reminders: [policy.gateRemindBefore],
              escalation: [{ to: { role: 'senior-manager' }, mode: 'take-over', due: policy.gateEscalateFor }],
              overdueReminders: policy.overdueRemindEvery,
              ifNoAnswer: "The partner's senior manager is asked too; the award is never made for anyone, so reminders continue.",
              briefing,
            },
          ],
          'secure-services',
        );
        done(step, result, recommended ? `awarded to ${recommended}` : 'awarded');
        break;
      }
      case 'award-notice': {
        const result = await asStep(step, fact(`award-notice${retake()}`, step.title, [text('reference', 'The notice reference')]));
        const noticeAt = result.status === 'decided' ? new Date(result.decision.at) : new Date();
        const endsAt = standstillEnds(life.proportionality.standstill, noticeAt, calendar);
        life.standstill = { kind: life.proportionality.standstill, noticeAt: noticeAt.toISOString(), endsAt: endsAt?.toISOString(), earliestSigning: endsAt?.toISOString(), paused: false, challenges: [] };
        done(step, result, `${dataText(result, 'reference')}; standstill ends ${endsAt?.toISOString()}`);
        break;
      }
      case 'standstill': {
        const outcome = await standstill(step);
        if (outcome === 'award-set-aside') {
          // The award is taken again, with its notice and a fresh standstill; each under task ids
          // of their own, as the first take's tasks stay decided in the book.
          if (patched('award-retake-fresh-ids')) {
            life.awardRetakes = (life.awardRetakes ?? 0) + 1;
            life.earlierChallenges = (life.earlierChallenges ?? 0) + life.standstill!.challenges.length;
          }
          for (const id of ['award', 'award-notice', 'standstill']) record(id).status = 'pending';
          i = steps.findIndex((s) => s.id === 'award') - 1;
          continue;
        }
        done(step, undefined, `ended ${life.standstill!.endsAt}${life.standstill!.challenges.length ? `; ${life.standstill!.challenges.length} challenge(s) decided` : ''}`);
        break;
      }
      case 'signing': {
        const fields: FormField[] = [
          { path: ['start'], label: 'The contract starts on', type: 'date', required: true },
          { path: ['end'], label: 'The contract ends on (before any extension)', type: 'date', required: true },
          { path: ['extensionMonths'], label: 'Extension the contract allows, in months', type: 'integer', required: true, min: 0, max: 120 },
        ];
        const earliest = life.standstill?.earliestSigning;
        const r = record(step.id);
        for (let round = (r.rounds ?? 0) + 1; ; round++) {
          // Rounds already refused are remembered, so a resumed run asks the current one.
          if (round > 1) r.rounds = round - 1;
          const result = await asStep(
            step,
            fact(`signing${round > 1 ? `.r${round}` : ''}`, step.title, fields, {
              briefing: earliest ? [`Earliest lawful signing: ${earliest}`] : [],
              ...(earliest ? { dueAt: addDuration(calendar, new Date(earliest), policy.signingDue).toISOString() } : { due: policy.signingDue }),
            }),
          );
          if (result.status !== 'decided') continue;
          const data = result.decision.data as { start: string; end: string; extensionMonths: number };
          if (data.end <= data.start) {
            note({ event: 'signing-refused', detail: `The contract end (${data.end}) is not after its start (${data.start}); asked again` });
            continue;
          }
          const signedAt = result.decision.at;
          life.contract = {
            signedAt,
            start: data.start,
            end: data.end,
            extensionAllowedMonths: data.extensionMonths,
            extendedMonths: 0,
            detailsNoticeDueAt: addDuration(calendar, new Date(signedAt), `${life.proportionality.contractDetailsNoticeDays} days`).toISOString(),
          };
          done(step, result, `signed; runs ${data.start} to ${data.end}, extendable by ${data.extensionMonths} months`);
          break;
        }
        break;
      }
      case 'contract-details-notice': {
        const result = await asStep(step, {
          ...fact('contract-details-notice', step.title, [text('reference', 'The notice reference')]),
          dueAt: life.contract!.detailsNoticeDueAt,
          reminders: ['5 days'],
          escalation: [],
        });
        done(step, result, dataText(result, 'reference'));
        break;
      }
      case 'urgent-review': {
        const result = await asStep(step, {
          key: 'urgent-review',
          kind: 'commission-urgent-review',
          title: step.title,
          subject,
          options: ['justified', 'not-justified'],
          reasonRequiredFor: ['not-justified'],
          completion: 'each-partner',
          ask: each('senior-manager'),
          due: policy.urgentReviewDue,
          reminders: ['5 working days'],
          escalation: [],
          overdueReminders: policy.overdueRemindEvery,
          ifNoAnswer: 'The expedited route must be reviewed; reminders continue.',
          briefing: [`Justification recorded: ${life.urgentJustification ?? ''}`],
        });
        const verdicts = (result.task.parties ?? []).map((p) => `${partnerName(p.partner ?? p.id)}: ${p.decision?.decision ?? 'no answer'}${p.decision?.comment ? ` (${p.decision.comment})` : ''}`);
        done(step, result, verdicts.join('; '));
        break;
      }
    }
  }

  return review();

  /** Standstill: runs by itself; a challenge (or, under the PSR, representations) pauses the award until decided. */
  async function standstill(step: PlanStep): Promise<'ended' | 'award-set-aside'> {
    const s = life.standstill!;
    record(step.id).status = 'open';
    publish();
    // From the recorded outcomes, so a resumed run knows as well as the run that decided them.
    const setAside = (): boolean => s.challenges.some((c) => c.outcome === 'upheld' || c.outcome === 'decision-changed');
    const started = new Set<string>();
    for (;;) {
      for (const c of s.challenges.filter((x) => !x.outcome && !started.has(x.id))) {
        started.add(c.id);
        // Awaited by the wait below, not by the drain before a continue-as-new (a challenge may
        // wait years; a resumed run asks it again from its open task).
        const deciding = decideChallenge(c);
        if (patched(EVERY_LONG_WAIT)) quietOnCancel(deciding);
        else tasks.track(deciding);
      }
      const open = s.challenges.some((c) => !c.outcome);
      s.paused = open;
      const ends = Date.parse(s.endsAt!);
      if (!open && (setAside() || Date.now() >= ends)) break;
      waitOn(open ? 'A recorded outcome of the challenge before the award can proceed' : 'Standstill to end', s.endsAt);
      life.nextTimerAt = s.endsAt;
      publish();
      const count = s.challenges.length;
      const openNow = s.challenges.filter((c) => !c.outcome).length;
      const changed = () => s.challenges.length !== count || s.challenges.filter((c) => !c.outcome).length !== openNow;
      await resumablyToo<unknown>(open || ends <= Date.now() ? condition(changed) : condition(changed, ends - Date.now()));
    }
    s.paused = false;
    life.nextTimerAt = undefined;
    life.waitingFor = undefined;
    if (setAside()) {
      note({ event: 'award-set-aside', detail: 'A challenge or representation changed the decision: the award is taken again' });
      return 'award-set-aside';
    }
    s.earliestSigning = s.endsAt;
    note({ event: 'standstill-ended', detail: `Standstill ended ${s.endsAt}; the contract may now be signed` });
    return 'ended';
  }

  async function decideChallenge(c: Challenge): Promise<boolean> {
    const representation = c.kind === 'representation';
    const result = await runTask(tasks, {
      key: `${c.id}`,
      kind: representation ? 'commission-representation-review' : 'commission-challenge-outcome',
      title: representation ? `Review the representations from ${c.from}` : `Record the outcome of the challenge from ${c.from}`,
      subject,
      options: representation ? ['decision-maintained', 'decision-changed'] : ['dismissed', 'upheld'],
      reasonRequiredFor: representation ? ['decision-maintained', 'decision-changed'] : ['dismissed', 'upheld'],
      completion: 'any',
      ask: [{ people: [...leadCommissioner(), { role: 'legal', partner: lead() }] }],
      due: representation ? policy.representationReviewDue : policy.challengeOutcomeDue,
      reminders: ['2 working days'],
      escalation: [],
      overdueReminders: policy.overdueRemindEvery,
      ifNoAnswer: 'The award stays paused until the outcome is recorded; reminders continue.',
      briefing: [`Grounds: ${c.grounds}`],
    });
    if (result.status !== 'decided') return false;
    c.outcome = result.outcome;
    c.reason = result.decision.comment;
    c.decidedAt = result.decision.at;
    const s = life.standstill!;
    if (representation && result.outcome === 'decision-maintained') {
      const after = afterRepresentations(new Date(result.decision.at), calendar);
      if (after.toISOString() > s.endsAt!) s.endsAt = after.toISOString();
    }
    note({
      event: 'challenge-decided',
      by: result.decision.by,
      detail: `${representation ? 'Representations' : 'Challenge'} from ${c.from}: ${result.outcome}. ${result.decision.comment ?? ''}${representation && result.outcome === 'decision-maintained' ? ` Standstill now ends ${s.endsAt}.` : ''}`,
    });
    publish();
    return result.outcome === 'upheld' || result.outcome === 'decision-changed';
  }

  /** Mobilisation, quarterly joint reviews and the end of term. */
  async function review(): Promise<'continue-as-new' | 'ended'> {
    enterStage('review', 'the contract is signed');
    const c = life.contract!;
    const start = ukMidnight(c.start);
    const sleepUntil = async (at: Date, what: string): Promise<void> => {
      waitOn(what, at.toISOString());
      life.nextTimerAt = at.toISOString();
      publish();
      const ms = at.getTime() - Date.now();
      if (ms > 0) await resumably(sleep(ms));
      life.nextTimerAt = undefined;
    };
    if (Date.now() < start.getTime()) await sleepUntil(start, `Mobilisation: the contract starts on ${c.start}`);
    if (!record('mobilisation').completedAt) {
      record('mobilisation').status = 'done';
      record('mobilisation').completedAt = new Date().toISOString();
      note({ event: 'contract-started', detail: `The contract started on ${c.start}` });
    }
    for (;;) {
      const end = ukMidnight(c.end);
      const endOfTermAt = subtractDuration(calendar, end, policy.endOfTermNotice);
      let nextReview = start;
      for (let k = 0; k <= life.reviewsHeld; k++) nextReview = addDuration(calendar, nextReview, policy.reviewEvery);
      const now = Date.now();
      // A run resumed during a decommission's exit steps takes them up first: they hold the end.
      if (EXIT_STEPS.some((id) => life.steps.some((s) => s.id === id && s.status !== 'done'))) {
        await exitSteps(end);
        continue;
      }
      if (now >= end.getTime()) break;
      if (!life.endOfTerm && now >= endOfTermAt.getTime()) {
        await endOfTerm(end);
        continue;
      }
      if (now >= nextReview.getTime() && nextReview < end) {
        await quarterlyReview(life.reviewsHeld + 1);
        return 'continue-as-new';
      }
      const upcoming = [end, ...(life.endOfTerm ? [] : [endOfTermAt]), ...(nextReview < end ? [nextReview] : [])].sort((a, b) => a.getTime() - b.getTime())[0]!;
      const what = upcoming === end ? 'The contract to end' : upcoming === endOfTermAt ? 'The end-of-term decision to fall due' : `Joint review ${life.reviewsHeld + 1}`;
      await sleepUntil(upcoming, what);
    }
    enterStage('ended', `the contract ended on ${c.end}`);
    life.waitingFor = undefined;
    note({ event: 'contract-ended', detail: `The contract ended on ${c.end}${life.endOfTerm ? ` (${life.endOfTerm.decision})` : ''}. Lessons learnt: ${life.lessons.join(' | ') || 'none recorded'}` });
    publish();
    return 'ended';
  }

  async function quarterlyReview(quarter: number): Promise<void> {
    const at = new Date().toISOString();
    const returns = await resumably(runTask(tasks, {
      key: `review-${quarter}.returns`,
      kind: 'commission-review-returns',
      title: `Joint review ${quarter}: submit contract performance, KPI and social value returns`,
      subject,
      options: ['submitted'],
      completion: 'each-partner',
      ask: each('commissioner'),
      fields: [
        text('performance', 'Contract performance this quarter'),
        text('kpis', 'KPIs, including social value commitments'),
      ],
      due: policy.returnsDue,
      reminders: ['3 working days'],
      escalation: [{ to: { role: 'senior-manager' }, mode: 'take-over', due: '5 working days' }],
      ifNoAnswer: "The partner's senior manager is asked; after that the return is recorded as missed.",
    }));
    const byPartner: Record<string, 'submitted' | 'missed'> = {};
    for (const p of returns.task.parties ?? []) byPartner[p.partner ?? p.id] = p.decision ? 'submitted' : 'missed';
    const meeting = await resumably(runTask(tasks, {
      ...fact(`review-${quarter}.outcome`, `Joint review ${quarter}: record the review meeting's outcome and lessons learnt`, [text('lessons', 'Lessons learnt')]),
      options: ['satisfactory', 'improvement-needed', 'serious-concerns'],
      escalation: [{ to: { role: 'senior-manager', partner: lead() }, mode: 'take-over', due: '5 working days' }],
      overdueReminders: undefined,
      ifNoAnswer: "The lead partner's senior manager is asked; after that the review is recorded without an outcome.",
      briefing: Object.entries(byPartner).map(([p, s]) => `${partnerName(p)}: returns ${s}`),
    }));
    const lessons = meeting.status === 'decided' ? dataText(meeting, 'lessons') : undefined;
    if (lessons) life.lessons.push(`Q${quarter}: ${lessons}`);
    life.reviews = [...life.reviews, { quarter, at, returns: byPartner, outcome: meeting.status === 'decided' ? meeting.outcome : 'no outcome recorded', lessons }].slice(-KEEP_REVIEWS);
    life.reviewsHeld = quarter;
    note({
      event: 'review-held',
      detail: `Joint review ${quarter}: ${meeting.status === 'decided' ? meeting.outcome : 'no outcome recorded'}; returns ${Object.entries(byPartner).map(([p, s]) => `${partnerName(p)} ${s}`).join(', ')}${lessons ? `. Lessons: ${lessons}` : ''}`,
    });
    publish();
  }

  async function endOfTerm(end: Date): Promise<void> {
    const c = life.contract!;
    const remaining = c.extensionAllowedMonths - c.extendedMonths;
    const options = [...(remaining > 0 ? ['extend'] : []), 'recommission', 'decommission'];
    let result: TaskResult;
    for (let round = (life.endOfTermRounds ?? 0) + 1; ; round++) {
      if (round > 1) life.endOfTermRounds = round - 1;
      result = await resumably(runTask(tasks, {
        key: `end-of-term${c.extendedMonths ? `-${c.extendedMonths}` : ''}${round > 1 ? `.r${round}` : ''}`,
        kind: 'commission-end-of-term',
        title: `Decide the end of term: the contract ends on ${c.end}`,
        subject,
        options,
        reasonRequiredFor: options,
        completion: 'each-partner',
        ask: each('commissioner'),
        fields: remaining > 0 ? [{ path: ['months'], label: `Months to extend by (up to ${remaining})`, type: 'integer', required: false, min: 1, max: remaining }] : [],
        due: policy.gateDue,
        reminders: [policy.gateRemindBefore],
        escalation: [{ to: { role: 'senior-manager' }, mode: 'take-over', due: policy.gateEscalateFor }],
        overdueReminders: policy.overdueRemindEvery,
        ifNoAnswer: "The partner's senior manager is asked too; the decision is never taken for the partners, so reminders continue.",
        briefing: life.lessons.slice(-4),
      }));
      const chosen = new Set((result.task.parties ?? []).map((p) => p.decision?.decision));
      if (result.status === 'decided' && chosen.size === 1) {
        life.endOfTermRounds = undefined;
        break;
      }
      note({ event: 'end-of-term-differs', detail: `The partners chose differently (${[...chosen].join(', ')}); asked again` });
    }
    if (result.status !== 'decided') return;
    const decision = result.outcome as 'extend' | 'recommission' | 'decommission';
    const reasons = (result.task.parties ?? []).map((p) => `${partnerName(p.partner ?? p.id)}: ${p.decision?.comment ?? ''}`).join('; ');
    if (decision === 'extend') {
      const months = Math.min(remaining, ...((result.task.parties ?? []).map((p) => Number(p.decision?.data?.['months'] ?? remaining))));
      const newEnd = addDuration(calendar, ukMidnight(c.end), `P${months}M`).toISOString().slice(0, 10);
      note({ event: 'contract-extended', detail: `Extended by ${months} months, to ${newEnd}. ${reasons}` });
      c.end = newEnd;
      c.extendedMonths += months;
      publish();
      return;
    }
    life.endOfTerm = { decision, decidedAt: result.decision.at, detail: reasons };
    if (decision === 'recommission') {
      const id = newCommissionId();
      await startChild('jointCommission', {
        workflowId: commissionWorkflowId(id),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ ...input, id, title: `${input.title} (recommissioned)`, recommissionOf: input.id }],
      });
      life.recommissionedAs = id;
      note({ event: 'recommissioned', detail: `Recommissioned as ${id}; this contract runs to ${c.end}. ${reasons}` });
      publish();
      return;
    }
    note({ event: 'decommission-decided', detail: `Decommission at the end of the contract, ${c.end}. ${reasons}` });
    for (const id of EXIT_STEPS) record(id);
    await exitSteps(end);
  }

  /**
   * After a decommission: the exit plan, the consultation and the termination notice, each a step
   * remembered when done, so a run resumed between them (review() takes them up) asks and records
   * each once. A commission decommissioned before every-long-wait-resumable has no such steps.
   * Written out one after another, with no await between a note and the next ask, as before.
   */
  async function exitSteps(end: Date): Promise<void> {
    if (!isDone('exit-plan')) {
      const exit = await resumablyToo(runTask(tasks, fact('exit-plan', 'Record the exit plan', [text('plan', 'The exit plan')])));
      note({ event: 'exit-planned', by: exit.status === 'decided' ? exit.decision.by : undefined, detail: dataText(exit, 'plan') });
      record('exit-plan').status = 'done';
    }
    if (!isDone('consultation')) {
      const consulted = await resumablyToo(runTask(tasks, fact('consultation', 'Record the consultation with people who use the service', [text('who', 'Who was consulted'), text('summary', 'What they said and what changed')])));
      note({ event: 'consultation-recorded', by: consulted.status === 'decided' ? consulted.decision.by : undefined, detail: `${dataText(consulted, 'who')}: ${dataText(consulted, 'summary')}` });
      record('consultation').status = 'done';
    }
    if (!isDone('termination-notice')) {
      const noticeBy = subtractDuration(calendar, end, policy.terminationNotice);
      const notice = await resumablyToo(
        runTask(tasks, {
          ...fact('termination-notice', `Serve the contract termination notice by ${noticeBy.toISOString().slice(0, 10)}`, [text('reference', 'The notice served')]),
          dueAt: noticeBy.toISOString(),
        }),
      );
      note({ event: 'termination-notice-served', by: notice.status === 'decided' ? notice.decision.by : undefined, detail: dataText(notice, 'reference') });
      record('termination-notice').status = 'done';
      publish();
    }
  }
}

/** Patch: the revision after a refusal, a challenge in standstill and the exit steps are waits a resumed run takes up. */
const EVERY_LONG_WAIT = 'every-long-wait-resumable';

/** What a decommission asks before the contract ends, in order. */
const EXIT_STEPS = ['exit-plan', 'consultation', 'termination-notice'] as const;

/** A commission id from the workflow's deterministic randomness. */
function newCommissionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const hex = uuid4().replace(/-/g, '');
  let id = 'jc-';
  for (let i = 0; i < 10; i++) id += alphabet[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % 32];
  if (!COMMISSION_ID.test(id)) throw new Error(`not a commission id: ${id}`);
  return id;
}

/** What the commission shows about its lifecycle. */
export function lifecycleView(life: LifecycleState, openTasks: Task[]): LifecycleView {
  const steps = planSteps(life.proportionality).map((s) => ({ ...s, ...(life.steps.find((r) => r.id === s.id) ?? { status: 'pending' as const }) }));
  const dues = [...openTasks.map((t) => t.dueAt), ...(life.nextTimerAt ? [life.nextTimerAt] : [])].sort();
  // A partner when a task asks partners; otherwise the people who may act.
  const who = [...new Set(openTasks.flatMap((t) => (t.parties ?? []).filter((p) => !p.decision).flatMap((p) => (p.partner && t.completion === 'each-partner' ? [p.partner] : p.assignees))))];
  const waitingFor = life.waitingFor && { ...life.waitingFor, who, until: life.waitingFor.until ?? dues[0] };
  return {
    proportionality: life.proportionality,
    urgentJustification: life.urgentJustification,
    steps,
    waitingFor,
    nextEventAt: dues[0],
    standstill: life.standstill,
    contract: life.contract,
    reviews: life.reviews,
    reviewsHeld: life.reviewsHeld,
    endOfTerm: life.endOfTerm,
    recommissionedAs: life.recommissionedAs,
    lessons: life.lessons,
  };
}
