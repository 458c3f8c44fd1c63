import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  patched,
  setHandler,
} from '@temporalio/workflow';
import {
  DISPUTE_TASK_KINDS,
  chosenOutcome,
  disputeInputSchema,
  outcomeDataSchema,
  outcomeFields,
  splitProblem,
  type DisputeInput,
  type DisputeResolution,
  type DisputeStage,
  type DisputeView,
  type Proposal,
} from '../domain/dispute';
import { refusal, type AssigneeSpec, type Task } from '../domain/task';
import { addDuration } from '../domain/duration';
import { parseSplit, splitText } from '../domain/referral';
import type { Decision } from '../domain/task';
import { runIsLong } from './runLength';
import { runTask, taskIdInCase, type TaskResult, type TaskSpec } from './humanTask';
import { pageOf, showIndexes, subjectRecord, type SubjectState } from './subject';
import { decideTask, extendTaskDeadline } from './taskMessages';
import { endCancelled, quietOnCancel, validateWithdrawal, withdraw, withdrawOpenTasks, WITHDRAWAL_PATCH } from './withdrawal';
import type { WithdrawalRequest } from '../domain/withdrawal';

// Messages live beside the workflow; the API imports these handles.
export const getDispute = defineQuery<DisputeView>('getDispute');
/** The raiser's withdrawal as first released: kept so histories and callers using it still work. */
export const withdrawDispute = defineUpdate<DisputeView, [{ by: string; reason: string }]>('withdrawDispute');
export { decideTask, extendTaskDeadline, withdraw };

// The kinds are the domain's (domain/stepUp.ts says which are high-stakes); exported here as before.
export { DISPUTE_TASK_KINDS };

/** Where the accountable officers' stage is, so a continued run resumes it. */
interface OfficersProgress {
  /** The stage's deadline. */
  dueAt: string;
  /** 0 while a proposal is awaited; then the signing round of the latest proposal. */
  round: number;
  /** The stage's current task, which a continued run finds in its state. */
  taskId?: string | undefined;
  /** How often the stage's task was asked again in a new run: the count keeps keys unique. */
  continued: number;
  /** Who signed the latest proposal in a task asked again since. */
  signed: string[];
  /** The task was closed to continue as new: the next run asks it again. */
  handedOver?: boolean;
}


export interface DisputeState extends SubjectState {
  stage: DisputeStage;
  proposals: Proposal[];
  stages: DisputeView['stages'];
  outcome?: DisputeResolution;
  withdrawn?: { by: string; reason: string };
  officers?: OfficersProgress;
}

/**
 * The dispute ladder (DOMAIN.md section 4): early resolution between the partners' leads, then
 * the Executive Board, then a joint decision by the accountable officers, moving by itself when
 * people do not. Started by a partner through the API or as a child of a commission or referral;
 * returns a resolution the parent understands.
 */
export async function dispute(rawInput: DisputeInput, resumed?: DisputeState): Promise<DisputeResolution> {
  const parsed = disputeInputSchema().safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`Invalid dispute input: ${parsed.error.issues.map((i) => i.message).join('; ')}`, 'InvalidInput');
  const input = parsed.data;
  const title = `Dispute: ${input.matter}`;
  const state: DisputeState = resumed ?? { stage: input.startAt, proposals: [], stages: [], history: [], recorded: 0, tasks: [], usedLinks: [] };
  const { book, partnerName, note, publish, tasks, drain } = subjectRecord({
    id: input.id,
    title,
    policyVersion: input.policyVersion,
    partners: input.partnership,
    calendar: input.calendar,
    state,
    // A dispute has no lead commissioner: only the senior managers asked may move its deadlines,
    // so the raiser cannot push the Board's and the officers' back.
    leadCommissioner: () => ({}),
    publish: () => indexes(),
    shown: () => ({ type: 'dispute', status: state.stage, partners: input.partners.map((p) => p.id), open: !state.outcome, view: pageOf(view()) }),
    validateDecision: (req) => {
      // The schema checks a split's shape; which partners it names is this dispute's rule.
      const problem = input.resolutionKind === 'split' ? splitProblem(chosenOutcome(req.data).split, input.partners) : undefined;
      if (problem) throw ApplicationFailure.create({ type: refusal.invalidData, message: problem, nonRetryable: true });
    },
  });

  const indexes = (): void => showIndexes(book, { memoTitle: title, stage: state.stage, partners: input.partners.map((p) => p.id), title: input.matter });

  const view = (): DisputeView => ({
    id: input.id,
    subject: input.subject,
    title,
    partners: input.partners.map((p) => p.id),
    matter: input.matter,
    raisedBy: input.raisedBy.person,
    stage: state.stage,
    proposals: state.proposals,
    outcome: state.outcome,
    tasks: book.all,
    openTasks: book.open,
    history: state.history,
    stages: state.stages,
  });
  setHandler(getDispute, view);

  /**
   * Either Update ends the dispute the same way; since `subject-withdrawal` those its open tasks
   * asked are told by email. The ladder notices `state.withdrawn` and ends withdrawn.
   */
  function withdrawNow(req: { by: string; reason: string; byPartner?: string | undefined }): void {
    const reason = req.reason.trim();
    state.withdrawn = { by: req.by, reason };
    if (patched(WITHDRAWAL_PATCH)) withdrawOpenTasks(tasks, { by: req.by, reason, at: new Date().toISOString() });
    else for (const t of book.open) book.close(t, 'cancelled');
    note({ event: 'dispute-withdrawn', by: req.by, partner: req.byPartner, detail: `Withdrawn at the ${state.stage} stage. Reason: ${reason}`, ...(patched(WITHDRAWAL_PATCH) ? { reason } : {}) });
    publish();
  }

  setHandler(
    withdraw,
    (req) => {
      withdrawNow(req);
      return { by: req.by, reason: req.reason.trim(), at: new Date().toISOString() };
    },
    {
      validator: (req: WithdrawalRequest) =>
        validateWithdrawal('dispute', req, { owner: input.raisedBy.person, partners: input.partners.map((p) => p.id) }, !state.outcome && !state.withdrawn),
    },
  );

  setHandler(
    withdrawDispute,
    (req) => {
      withdrawNow(req);
      return view();
    },
    {
      validator: (req) => {
        if (req.by !== input.raisedBy.person) throw ApplicationFailure.create({ type: 'NoAuthority', message: 'Only the person who raised a dispute may withdraw it.', nonRetryable: true });
        if (!req.reason || req.reason.trim().length < 3) throw ApplicationFailure.create({ type: 'ReasonRequired', message: 'Withdrawing a dispute needs a reason.', nonRetryable: true });
        if (state.outcome || state.withdrawn) throw ApplicationFailure.create({ type: 'TaskClosed', message: `This dispute is already ${state.stage}.`, nonRetryable: true });
      },
    },
  );

  const subject = { type: 'dispute' as const, id: input.id, title };
  const commissionersOf = (partner: string): AssigneeSpec[] => [{ role: 'commissioner', partner }];
  const everywhere = (role: 'board-chair' | 'executive-board'): AssigneeSpec[] => input.partnership.map((p) => ({ role, partner: p.id }));

  function enter(stage: DisputeStage, why: string): void {
    const now = new Date().toISOString();
    const last = state.stages.at(-1);
    if (last && !last.to) last.to = now;
    state.stage = stage;
    if (stage !== 'resolved' && stage !== 'withdrawn') state.stages.push({ stage, from: now, waitedOn: [] });
    note({ event: 'dispute-stage', detail: `${stageNames[stage]}: ${why}` });
    publish();
  }

  /** Remembers who a stage waited on when its time ran out, for the timeline. */
  function waitedOn(result: TaskResult): void {
    const current = state.stages.at(-1);
    if (current && result.status === 'expired') {
      for (const party of (result.task.parties ?? []).filter((p) => result.awaiting.includes(p.id))) {
        current.waitedOn.push(...(party.partner ? [partnerName(party.partner)] : party.assignees));
      }
    }
  }

  /**
   * The outcome the parent reads: from the proposal's data when it has some, else (histories
   * recorded before outcomes were data) read from its words as before. Computed, not commanded.
   */
  function resolve(settled: Pick<Proposal, 'resolution' | 'leadPartner' | 'split'>, decidedBy: string[]): DisputeResolution {
    const { resolution } = settled;
    const named = input.partners.find((p) => p.id === resolution.trim() || p.name.toLowerCase() === resolution.trim().toLowerCase());
    state.outcome = {
      status: 'resolved',
      stage: state.stage,
      resolution,
      leadPartner: input.resolutionKind === 'lead-partner' ? (settled.leadPartner ?? named?.id) : undefined,
      ...(input.resolutionKind === 'split' ? { split: settled.split ?? parseSplit(resolution, input.partners) } : {}),
      decidedBy,
    };
    enter('resolved', `resolved: ${resolution}`);
    return state.outcome;
  }

  /** A decision that proposes or resolves: its choice in words the record reads, and as data. */
  function proposalOf(d: Decision): Pick<Proposal, 'resolution' | 'leadPartner' | 'split'> {
    const chosen = chosenOutcome(d.data);
    const words = d.comment ?? '';
    if (chosen.leadPartner) return { ...chosen, resolution: `${partnerName(chosen.leadPartner)} leads${words ? ` (${words})` : ''}` };
    if (chosen.split) return { ...chosen, resolution: `${splitText(chosen.split)}${words ? ` (${words})` : ''}` };
    return { resolution: words };
  }

  /** What every task that can propose or resolve takes as data, and the page shows. */
  const outcomeData = {
    dataSchema: outcomeDataSchema(input.resolutionKind),
    fields: outcomeFields(input.resolutionKind, input.partners),
  };

  /** The record so far in plain lines, for the Board and the officers who come to it late. */
  const briefing = (): string[] =>
    state.history
      .filter((e) => ['dispute-raised', 'dispute-stage', 'task-decided', 'task-expired'].includes(e.event))
      .map((e) => `${e.at.slice(0, 16).replace('T', ' ')} ${e.by ? `${e.by}${e.partner ? ` (${partnerName(e.partner)})` : ''}: ` : ''}${e.detail ?? e.event}`);

  const propose = (settles: Pick<Proposal, 'resolution' | 'leadPartner' | 'split'>, by: string, partner?: string): Proposal => {
    const p = { ...settles, by, partner, at: new Date().toISOString() };
    state.proposals.push(p);
    return p;
  };

  /** Stage 1: the leads of the involved partners try to agree; any may escalate, with a reason. */
  async function earlyResolution(): Promise<DisputeResolution | 'escalate'> {
    const policy = input.policy.earlyResolution;
    const dueAt = addDuration(input.calendar, new Date(), policy.due).toISOString();
    let proposal = propose({ resolution: input.desiredOutcome }, input.raisedBy.person, input.raisedBy.partner);
    for (let round = 1; ; round++) {
      const asked = input.partners.filter((p) => p.id !== proposal.partner);
      const result = await runTask(tasks, {
        key: `early.r${round}`,
        kind: DISPUTE_TASK_KINDS.early,
        title: `Accept "${proposal.resolution}" (proposed by ${partnerName(proposal.partner ?? '')}), counter-propose, or escalate`,
        subject,
        options: ['accept', 'counter-propose', 'escalate'],
        reasonRequiredFor: ['counter-propose', 'escalate'],
        rejectOn: ['counter-propose', 'escalate'],
        completion: 'each-partner',
        ask: asked.map((p) => ({ partner: p.id, people: commissionersOf(p.id) })),
        due: policy.due,
        dueAt,
        reminders: [policy.remindBefore],
        escalation: [],
        ...outcomeData,
        ifNoAnswer: 'At the deadline the dispute goes to the Local Area SEND Executive Board.',
      });
      if (state.withdrawn) return 'escalate';
      waitedOn(result);
      if (result.status === 'decided' && result.outcome === 'accept') {
        return resolve(proposal, [proposal.by, ...(result.task.decisions ?? []).map((d) => d.by)]);
      }
      if (result.status === 'decided' && result.outcome === 'counter-propose') {
        // A counter-proposal: its data is what the partner proposes instead, its comment why.
        proposal = propose(proposalOf(result.decision), result.decision.by, result.decision.partner);
        continue;
      }
      const why =
        result.status === 'decided'
          ? `${partnerName(result.decision.partner ?? '')} escalated early: ${result.decision.comment}`
          : `no agreement by ${dueAt}`;
      enter('executive-board', why);
      return 'escalate';
    }
  }

  /** Stage 2: the Board sees the record; its chair records the resolution or that a final decision is required. */
  async function executiveBoard(): Promise<DisputeResolution | 'escalate'> {
    const result = await runTask(tasks, {
      key: 'board',
      kind: DISPUTE_TASK_KINDS.board,
      title: 'Record the Executive Board\'s resolution, or that a final decision is required',
      subject,
      options: ['resolve', 'final-decision-required'],
      reasonRequiredFor: ['resolve', 'final-decision-required'],
      completion: 'any',
      ask: [{ people: everywhere('board-chair') }],
      notify: everywhere('executive-board'),
      briefing: briefing(),
      due: input.policy.executiveBoard.due,
      reminders: [],
      escalation: [],
      ...outcomeData,
      ifNoAnswer: 'At the deadline the dispute goes to the accountable officers for a final decision.',
    });
    if (state.withdrawn) return 'escalate';
    waitedOn(result);
    if (result.status === 'decided' && result.outcome === 'resolve') return resolve(proposalOf(result.decision), [result.decision.by]);
    enter('accountable-officers', result.status === 'decided' ? `the Board recorded that a final decision is required: ${result.decision.comment}` : 'the Board did not decide by its deadline');
    return 'escalate';
  }

  /** Stage 3: both accountable officers must sign the same resolution; never decided by the software. */
  async function accountableOfficers(): Promise<DisputeResolution | undefined | 'continue-as-new'> {
    const policy = input.policy.accountableOfficers;
    // Kept in state, so a continued run resumes this stage where it was.
    const progress = (state.officers ??= { dueAt: addDuration(input.calendar, new Date(), policy.due).toISOString(), round: 0, continued: 0, signed: [] });
    const officers = input.partners.map((p) => ({ partner: p.id, people: [{ role: 'accountable-officer' as const, partner: p.id }] }));
    const common = {
      subject,
      due: policy.due,
      dueAt: progress.dueAt,
      reminders: [],
      escalation: [{ to: everywhere('board-chair'), mode: 'notify' as const, due: policy.remindEvery }],
      overdueReminders: policy.remindEvery,
      ...outcomeData,
      ifNoAnswer: 'After the deadline both officers are reminded every working day and the Board chair is alerted. The system never decides for them.',
    };
    if (progress.round === 0) {
      const first = await step({
        ...common,
        briefing: briefing(),
        key: 'officers.propose',
        kind: DISPUTE_TASK_KINDS.officersPropose,
        title: 'Propose the resolution you and the other accountable officer(s) will sign',
        options: ['propose'],
        reasonRequiredFor: ['propose'],
        // Asked per partner, the first proposal settling it, so the decision names the partner the
        // officer acts for (DOMAIN.md keeps it) and that partner is not asked to sign its own.
        ...(patched('dispute-officers-propose-per-partner')
          ? { completion: 'each-partner' as const, rejectOn: ['propose'], ask: officers }
          : { completion: 'any' as const, ask: [{ people: officers.flatMap((o) => o.people) }] }),
      });
      if (first === 'continue-as-new') return first;
      if (state.withdrawn || first.status !== 'decided') return undefined;
      propose(proposalOf(first.decision), first.decision.by, first.decision.partner ?? partnerOfOfficer(first.decision.by));
      progress.round = 1;
    }
    for (; ; progress.round++) {
      const proposal = state.proposals.at(-1)!;
      const others = officers.filter((o) => o.partner !== proposal.partner);
      const result = await step({
        ...common,
        key: `officers.r${progress.round}`,
        kind: DISPUTE_TASK_KINDS.officersRespond,
        title: `Sign "${proposal.resolution}" (proposed by ${proposal.by}), or counter-propose`,
        options: ['accept', 'counter-propose'],
        reasonRequiredFor: ['counter-propose'],
        rejectOn: ['counter-propose'],
        completion: 'each-partner',
        ask: others,
      });
      if (result === 'continue-as-new') return result;
      if (state.withdrawn || result.status !== 'decided') return undefined;
      if (result.outcome === 'accept') return resolve(proposal, [proposal.by, ...progress.signed, ...(result.task.decisions ?? []).map((d) => d.by)]);
      progress.signed = [];
      propose(proposalOf(result.decision), result.decision.by, result.decision.partner);
    }
  }

  /**
   * One task of the officers' stage, which may wait for years: until it settles, or until this run
   * has grown long enough to continue as new. The open task is then handed over: closed here (so
   * its reminders stop and nothing more starts in this run), asked again in the next.
   */
  async function step(spec: TaskSpec): Promise<TaskResult | 'continue-as-new'> {
    const progress = state.officers!;
    const handedOver = progress.handedOver && progress.taskId !== undefined ? book.find(progress.taskId) : undefined;
    const asked = handedOver ? askAgain(spec, handedOver) : spec;
    progress.taskId = taskIdInCase(input.id, asked.key);
    let settled = false;
    const running = runTask(tasks, asked).then((r) => {
      settled = true;
      return r;
    });
    quietOnCancel(running);
    await condition(() => settled || runIsLong(input.historyBound));
    // Histories of runs that never continued stay in one run when replayed.
    if (settled || !patched('dispute-continue-as-new')) return running;
    const task = book.find(progress.taskId)!;
    progress.handedOver = true;
    book.close(task, 'cancelled');
    note({ event: 'task-handed-over', detail: `${task.title}: still open after a long wait, so asked again as the dispute continues in a new run; links to ${task.id} no longer work` });
    publish();
    await running;
    await drain();
    await condition(allHandlersFinished);
    // Withdrawn meanwhile: the dispute ends in this run.
    if (state.withdrawn) return running;
    return 'continue-as-new';
  }

  /**
   * The task handed over, asked again under a key of its own: only the partners still awaited,
   * the same deadline, or once overdue (the Board chair alerted already) the next reminder's.
   */
  function askAgain(spec: TaskSpec, old: Task): TaskSpec {
    const progress = state.officers!;
    const n = ++progress.continued;
    progress.handedOver = false;
    const awaiting = old.awaiting ?? [];
    progress.signed.push(...(old.decisions ?? []).map((d) => d.by));
    const policy = input.policy.accountableOfficers;
    let next = new Date(old.dueAt);
    const alerted = old.escalationLevel > 0;
    for (let i = 0; alerted && next.getTime() <= Date.now() && i < 100_000; i++) next = addDuration(input.calendar, next, policy.remindEvery);
    return {
      ...spec,
      key: `${spec.key}.c${n}`,
      ask: spec.ask.filter((a) => a.partner === undefined || awaiting.includes(a.partner)),
      dueAt: next.toISOString(),
      ...(alerted ? { escalation: [] } : {}),
    };
  }

  /** Histories before the per-partner proposal: its one party named no partner, so this finds none. */
  function partnerOfOfficer(person: string): string | undefined {
    return (book.all.at(-1)?.parties ?? []).find((p) => p.assignees.includes(person))?.partner;
  }

  const withdrawn = (): DisputeResolution => {
    state.outcome = { status: 'withdrawn', stage: state.stage, decidedBy: [state.withdrawn!.by], reason: state.withdrawn!.reason };
    enter('withdrawn', `withdrawn by ${state.withdrawn!.by}: ${state.withdrawn!.reason}`);
    return state.outcome;
  };

  try {
    return await ladder();
  } catch (err) {
    // Cancelled by its parent (the commission or referral was withdrawn): it ends withdrawn too.
    await endCancelled(err, tasks, 'The dispute', drain, (w) => {
      state.withdrawn = { by: w.by, reason: w.reason };
      withdrawn();
    });
    throw err;
  }

  async function ladder(): Promise<DisputeResolution> {
  let outcome: DisputeResolution | 'escalate' | 'continue-as-new' | undefined = 'escalate';
  if (resumed) {
    // Only the officers' stage waits without a deadline, so only it continues as new.
    outcome = await accountableOfficers();
  } else {
    note({ event: 'dispute-raised', by: input.raisedBy.person, partner: input.raisedBy.partner, detail: `${input.matter}. Desired outcome: ${input.desiredOutcome}` });
    enter(input.startAt, input.startAt === 'executive-board' ? 'a partner did not respond, so early resolution has nothing to try' : 'the leads of the partners try to agree');
    if (input.startAt === 'early-resolution') outcome = await earlyResolution();
    if (outcome === 'escalate' && !state.withdrawn) outcome = await executiveBoard();
    if (outcome === 'escalate' && !state.withdrawn) outcome = await accountableOfficers();
  }
  if (outcome === 'continue-as-new') {
    // Carried: the task handed over and what the stage needs; other closed tasks are in the record.
    return continueAsNew<typeof dispute>(rawInput, { ...state, tasks: book.all.filter((t) => t.status === 'open' || t.id === state.officers?.taskId) });
  }
  if (state.withdrawn) outcome = withdrawn();
  await condition(() => state.outcome !== undefined);
  await drain();
  return { ...state.outcome!, record: state.history };
  }
}

const stageNames: Record<DisputeStage, string> = {
  'early-resolution': 'Stage 1, early resolution between partners',
  'executive-board': 'Stage 2, the Local Area SEND Executive Board',
  'accountable-officers': 'Stage 3, the accountable officers',
  resolved: 'Resolved',
  withdrawn: 'Withdrawn',
};

