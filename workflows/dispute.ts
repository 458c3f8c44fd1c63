import {
  ApplicationFailure,
  condition,
  defineQuery,
  defineUpdate,
  setHandler,
} from '@temporalio/workflow';
import {
  disputeInputSchema,
  type DisputeInput,
  type DisputeResolution,
  type DisputeStage,
  type DisputeView,
  type Proposal,
} from '../domain/dispute';
import type { AssigneeSpec } from '../domain/task';
import { refusal } from '../domain/task';
import { addDuration } from '../domain/duration';
import { parseSplit } from '../domain/referral';
import { runTask, type TaskResult } from './humanTask';
import { pageOf, showIndexes, subjectRecord, type SubjectState } from './subject';
import { decideTask, extendTaskDeadline } from './taskMessages';

// Messages live beside the workflow; the API imports these handles.
export const getDispute = defineQuery<DisputeView>('getDispute');
export const withdrawDispute = defineUpdate<DisputeView, [{ by: string; reason: string }]>('withdrawDispute');
export { decideTask, extendTaskDeadline };

export const DISPUTE_TASK_KINDS = {
  early: 'dispute-early-resolution',
  board: 'dispute-executive-board',
  officersPropose: 'dispute-officers-propose',
  officersRespond: 'dispute-officers-respond',
} as const;

interface DisputeState extends SubjectState {
  stage: DisputeStage;
  proposals: Proposal[];
  stages: DisputeView['stages'];
  outcome?: DisputeResolution;
  withdrawn?: { by: string; reason: string };
}

/**
 * The dispute ladder (DOMAIN.md section 4): early resolution between the partners' leads, then
 * the Executive Board, then a joint decision by the accountable officers, moving by itself when
 * people do not. Started by a partner through the API or as a child of a commission or referral;
 * returns a resolution the parent understands.
 */
export async function dispute(rawInput: DisputeInput): Promise<DisputeResolution> {
  const parsed = disputeInputSchema.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`Invalid dispute input: ${parsed.error.issues.map((i) => i.message).join('; ')}`, 'InvalidInput');
  const input = parsed.data;
  const title = `Dispute: ${input.matter}`;
  const state: DisputeState = { stage: input.startAt, proposals: [], stages: [], history: [], recorded: 0, tasks: [], usedLinks: [] };
  const { book, partnerName, note, publish, tasks, drain } = subjectRecord({
    id: input.id,
    title,
    policyVersion: input.policyVersion,
    partners: input.partnership,
    calendar: input.calendar,
    state,
    leadCommissioner: input.raisedBy.person,
    publish: () => indexes(),
    shown: () => ({ type: 'dispute', status: state.stage, partners: input.partners.map((p) => p.id), open: !state.outcome, view: pageOf(view()) }),
    validateDecision: (req) => {
      // A split the parent cannot read would settle nothing: proposals of one must be a split in full.
      if (input.resolutionKind !== 'split' || !['counter-propose', 'propose', 'resolve'].includes(req.decision) || !req.comment) return;
      if (!parseSplit(req.comment, input.partners)) {
        const example = input.partners.map((p, i) => `${p.id} ${i === 0 ? 100 - 50 * (input.partners.length - 1) : 50}%`).join(', ');
        throw ApplicationFailure.create({
          type: refusal.invalidData,
          message: `Split rule: write the split in full, e.g. "${example}": each funding partner once, summing to exactly 100.`,
          nonRetryable: true,
        });
      }
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

  setHandler(
    withdrawDispute,
    (req) => {
      state.withdrawn = req;
      for (const t of book.open) book.close(t, 'cancelled');
      note({ event: 'dispute-withdrawn', by: req.by, detail: `Withdrawn at the ${state.stage} stage. Reason: ${req.reason}` });
      publish();
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

  function resolve(resolution: string, decidedBy: string[]): DisputeResolution {
    const lead = input.partners.find((p) => p.id === resolution.trim() || p.name.toLowerCase() === resolution.trim().toLowerCase());
    state.outcome = {
      status: 'resolved',
      stage: state.stage,
      resolution,
      leadPartner: input.resolutionKind === 'lead-partner' ? lead?.id : undefined,
      // Computed, not commanded: shipped histories replay unchanged, so no patch is needed.
      ...(input.resolutionKind === 'split' ? { split: parseSplit(resolution, input.partners) } : {}),
      decidedBy,
    };
    enter('resolved', `resolved: ${resolution}`);
    return state.outcome;
  }

  /** The record so far in plain lines, for the Board and the officers who come to it late. */
  const briefing = (): string[] =>
    state.history
      .filter((e) => ['dispute-raised', 'dispute-stage', 'task-decided', 'task-expired'].includes(e.event))
      .map((e) => `${e.at.slice(0, 16).replace('T', ' ')} ${e.by ? `${e.by}${e.partner ? ` (${partnerName(e.partner)})` : ''}: ` : ''}${e.detail ?? e.event}`);

  const propose = (resolution: string, by: string, partner?: string): Proposal => {
    const p = { resolution, by, partner, at: new Date().toISOString() };
    state.proposals.push(p);
    return p;
  };

  /** Stage 1: the leads of the involved partners try to agree; any may escalate, with a reason. */
  async function earlyResolution(): Promise<DisputeResolution | 'escalate'> {
    const policy = input.policy.earlyResolution;
    const dueAt = addDuration(input.calendar, new Date(), policy.due).toISOString();
    let proposal = propose(input.desiredOutcome, input.raisedBy.person, input.raisedBy.partner);
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
        ifNoAnswer: 'At the deadline the dispute goes to the Local Area SEND Executive Board.',
      });
      if (state.withdrawn) return 'escalate';
      waitedOn(result);
      if (result.status === 'decided' && result.outcome === 'accept') {
        return resolve(proposal.resolution, [proposal.by, ...(result.task.decisions ?? []).map((d) => d.by)]);
      }
      if (result.status === 'decided' && result.outcome === 'counter-propose') {
        // A counter-proposal: the comment is the resolution the partner proposes instead.
        proposal = propose(result.decision.comment ?? '', result.decision.by, result.decision.partner);
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
      ifNoAnswer: 'At the deadline the dispute goes to the accountable officers for a final decision.',
    });
    if (state.withdrawn) return 'escalate';
    waitedOn(result);
    if (result.status === 'decided' && result.outcome === 'resolve') return resolve(result.decision.comment ?? '', [result.decision.by]);
    enter('accountable-officers', result.status === 'decided' ? `the Board recorded that a final decision is required: ${result.decision.comment}` : 'the Board did not decide by its deadline');
    return 'escalate';
  }

  /** Stage 3: both accountable officers must sign the same resolution; never decided by the software. */
  async function accountableOfficers(): Promise<DisputeResolution | undefined> {
    const policy = input.policy.accountableOfficers;
    const dueAt = addDuration(input.calendar, new Date(), policy.due).toISOString();
    const officers = input.partners.map((p) => ({ partner: p.id, people: [{ role: 'accountable-officer' as const, partner: p.id }] }));
    const common = {
      subject,
      due: policy.due,
      dueAt,
      reminders: [],
      escalation: [{ to: everywhere('board-chair'), mode: 'notify' as const, due: policy.remindEvery }],
      overdueReminders: policy.remindEvery,
      ifNoAnswer: 'After the deadline both officers are reminded every working day and the Board chair is alerted. The system never decides for them.',
    };
    const first = await runTask(tasks, {
      ...common,
      briefing: briefing(),
      key: 'officers.propose',
      kind: DISPUTE_TASK_KINDS.officersPropose,
      title: 'Propose the resolution you and the other accountable officer(s) will sign',
      options: ['propose'],
      reasonRequiredFor: ['propose'],
      completion: 'any',
      ask: [{ people: officers.flatMap((o) => o.people) }],
    });
    if (state.withdrawn || first.status !== 'decided') return undefined;
    let proposal = propose(first.decision.comment ?? '', first.decision.by, first.decision.partner ?? partnerOfOfficer(first.decision.by));
    for (let round = 1; ; round++) {
      const others = officers.filter((o) => o.partner !== proposal.partner);
      const result = await runTask(tasks, {
        ...common,
        key: `officers.r${round}`,
        kind: DISPUTE_TASK_KINDS.officersRespond,
        title: `Sign "${proposal.resolution}" (proposed by ${proposal.by}), or counter-propose`,
        options: ['accept', 'counter-propose'],
        reasonRequiredFor: ['counter-propose'],
        rejectOn: ['counter-propose'],
        completion: 'each-partner',
        ask: others,
      });
      if (state.withdrawn || result.status !== 'decided') return undefined;
      if (result.outcome === 'accept') return resolve(proposal.resolution, [proposal.by, ...(result.task.decisions ?? []).map((d) => d.by)]);
      proposal = propose(result.decision.comment ?? '', result.decision.by, result.decision.partner);
    }
  }

  function partnerOfOfficer(person: string): string | undefined {
    return (book.all.at(-1)?.parties ?? []).find((p) => p.assignees.includes(person))?.partner;
  }

  const withdrawn = (): DisputeResolution => {
    state.outcome = { status: 'withdrawn', stage: state.stage, decidedBy: [state.withdrawn!.by], reason: state.withdrawn!.reason };
    enter('withdrawn', `withdrawn by ${state.withdrawn!.by}: ${state.withdrawn!.reason}`);
    return state.outcome;
  };

  note({ event: 'dispute-raised', by: input.raisedBy.person, partner: input.raisedBy.partner, detail: `${input.matter}. Desired outcome: ${input.desiredOutcome}` });
  enter(input.startAt, input.startAt === 'executive-board' ? 'a partner did not respond, so early resolution has nothing to try' : 'the leads of the partners try to agree');
  let outcome: DisputeResolution | 'escalate' | undefined = 'escalate';
  if (input.startAt === 'early-resolution') outcome = await earlyResolution();
  if (outcome === 'escalate' && !state.withdrawn) outcome = await executiveBoard();
  if (outcome === 'escalate' && !state.withdrawn) outcome = await accountableOfficers();
  if (state.withdrawn) outcome = withdrawn();
  await condition(() => state.outcome !== undefined);
  await drain();
  return { ...state.outcome!, record: state.history };
}

const stageNames: Record<DisputeStage, string> = {
  'early-resolution': 'Stage 1, early resolution between partners',
  'executive-board': 'Stage 2, the Local Area SEND Executive Board',
  'accountable-officers': 'Stage 3, the accountable officers',
  resolved: 'Resolved',
  withdrawn: 'Withdrawn',
};

