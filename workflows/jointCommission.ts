import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, TaskEmailInput } from '../activities';
import type { Calendar } from '../domain/calendar';
import {
  commissionInputSchema,
  type CommissionInput,
  type CommissionView,
  type HistoryEntry,
  type LeadStatus,
  type Stage,
} from '../domain/commission';
import { addDuration, subtractDuration } from '../domain/duration';
import { assigneesKey, leadStatusKey, partnersKey, stageKey } from '../domain/searchAttributes';
import { taskId, type DecisionRequest, type Task } from '../domain/task';
import { TaskBook, waitUntil, type TaskBookState } from './tasks';

// Messages live beside the workflow; the API imports these handles so names cannot drift.
export const getCommission = defineQuery<CommissionView>('getCommission');
export const decideTask = defineUpdate<Task, [DecisionRequest]>('decideTask');

const { lookupPeople, sendTaskEmail, recordEvents } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['UnknownRecipient', 'MailRejected'],
  },
});

export interface CommissionState extends TaskBookState {
  stage: Stage;
  lead: { status: LeadStatus; partner: string; reason?: string };
  createdAt: string;
  history: HistoryEntry[];
  /** How many history entries have been written to the durable record. */
  recorded: number;
}

export const LEAD_AGREEMENT_KIND = 'lead-partner-agreement';

export async function jointCommission(rawInput: CommissionInput, resumed?: CommissionState): Promise<void> {
  const parsed = commissionInputSchema.safeParse(rawInput);
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
  const book = new TaskBook(state);
  const background: Promise<unknown>[] = [];
  const partnerName = (id: string): string => input.partners.find((p) => p.id === id)?.name ?? id;

  const note = (entry: Omit<HistoryEntry, 'at'>): void => {
    state.history.push({ at: new Date().toISOString(), ...entry });
    flushRecord();
  };

  // The decision record outlives Temporal's history retention; entries are written in order.
  let recording: Promise<void> = Promise.resolve();
  function flushRecord(): void {
    recording = recording.then(async () => {
      while (state.recorded < state.history.length) {
        const from = state.recorded;
        const entries = state.history.slice(from);
        await recordEvents({ subjectId: input.id, from, entries, policyVersion: input.policyVersion });
        state.recorded = from + entries.length;
      }
    });
  }

  const publish = (): void => {
    upsertSearchAttributes([
      { key: stageKey, value: state.stage },
      { key: leadStatusKey, value: state.lead.status },
      { key: partnersKey, value: input.partners.map((p) => p.id) },
      { key: assigneesKey, value: book.openAssignees() },
    ]);
  };

  function email(task: Task, to: string[], purpose: TaskEmailInput['purpose'], seq: number, linkExpiresAt: Date): void {
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

  setHandler(getCommission, () => ({
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
  }));

  setHandler(
    decideTask,
    (req) => {
      const task = book.decide(req);
      note({
        event: 'task-decided',
        by: req.by,
        partner: task.partner,
        channel: req.channel,
        detail: `${task.title}: ${req.decision}${req.comment ? `, "${req.comment}"` : ''}`,
      });
      publish();
      return task;
    },
    { validator: (req) => book.validate(req) },
  );

  /**
   * One partner's answer: reminder before the due time, escalation to that partner's senior
   * managers at it (with a fresh deadline), expiry at the end of that.
   */
  async function awaitPartnerAnswer(task: Task, dueAt: Date, finalDueAt: Date): Promise<void> {
    const answered = (): boolean => task.status !== 'open';
    const policy = input.policy.leadPartnerAgreement;
    const remindAt = subtractDuration(calendar, dueAt, policy.remindBefore);
    if (remindAt.getTime() > Date.parse(task.createdAt)) {
      if (await waitUntil(answered, remindAt)) return;
      note({ event: 'reminder-sent', partner: task.partner, detail: `Reminder sent: ${task.title}, due ${task.dueAt}` });
      email(task, task.assignees, 'reminder', 1, finalDueAt);
    }
    if (await waitUntil(answered, dueAt)) return;

    const seniors = await lookupPeople({ partner: task.partner!, role: 'senior-manager' });
    if (task.status !== 'open') return;
    task.assignees = [...new Set([...task.assignees, ...seniors])];
    task.dueAt = finalDueAt.toISOString();
    task.escalationLevel = 1;
    note({
      event: 'escalated',
      partner: task.partner,
      detail: seniors.length
        ? `No answer from ${partnerName(task.partner!)} by the deadline; escalated to ${seniors.join(', ')}, now due ${task.dueAt}`
        : `No answer from ${partnerName(task.partner!)} by the deadline and it has no senior manager to escalate to`,
    });
    publish();
    email(task, seniors, 'escalation', 1, finalDueAt);
    if (await waitUntil(answered, finalDueAt)) return;

    book.close(task, 'expired');
    note({ event: 'task-expired', partner: task.partner, detail: `${task.title}: no response by ${task.dueAt}` });
  }

  async function leadPartnerAgreement(): Promise<void> {
    const policy = input.policy.leadPartnerAgreement;
    const now = new Date();
    const dueAt = addDuration(calendar, now, policy.due);
    const finalDueAt = addDuration(calendar, dueAt, policy.escalateFor);
    const asked = input.partners.filter((p) => p.id !== input.createdBy.partner);
    note({
      event: 'lead-proposed',
      by: input.createdBy.person,
      partner: input.createdBy.partner,
      detail: `${partnerName(input.proposedLead)} proposed as lead partner; asking ${asked.map((p) => p.name).join(', ')} to agree by ${dueAt.toISOString()}`,
    });
    const commissioners = await Promise.all(asked.map((p) => lookupPeople({ partner: p.id, role: 'commissioner' })));
    const tasks = asked.map((partner, i) =>
      book.add({
        id: taskId(input.id, `lead.${partner.id}`),
        kind: LEAD_AGREEMENT_KIND,
        title: `Agree ${partnerName(input.proposedLead)} as lead partner (for ${partner.name})`,
        subject: { type: 'commission', id: input.id, title: input.title },
        partner: partner.id,
        assignees: commissioners[i]!,
        options: ['agree', 'object'],
        reasonRequiredFor: ['object'],
        status: 'open',
        createdAt: now.toISOString(),
        dueAt: dueAt.toISOString(),
        escalationLevel: 0,
      }),
    );
    publish();
    for (const task of tasks) email(task, task.assignees, 'request', 1, finalDueAt);

    const objected = (): Task | undefined => tasks.find((t) => t.decision?.decision === 'object');
    const answers = Promise.all(tasks.map((t) => awaitPartnerAnswer(t, dueAt, finalDueAt)));
    await condition(() => objected() !== undefined || tasks.every((t) => t.status !== 'open'));

    const objection = objected();
    if (objection) {
      for (const t of tasks) book.close(t, 'cancelled');
      state.lead = {
        status: 'disputed',
        partner: input.proposedLead,
        reason: `${partnerName(objection.partner!)} objected: ${objection.decision!.comment ?? ''}`.trim(),
      };
    } else {
      const silent = tasks.filter((t) => t.status === 'expired');
      state.lead = silent.length
        ? {
            status: 'disputed',
            partner: input.proposedLead,
            reason: `no response from ${silent.map((t) => partnerName(t.partner!)).join(', ')}`,
          }
        : { status: 'agreed', partner: input.proposedLead };
    }
    await answers;
    if (state.lead.status === 'agreed') state.stage = 'analyse';
    note({
      event: state.lead.status === 'agreed' ? 'lead-agreed' : 'lead-disputed',
      detail:
        state.lead.status === 'agreed'
          ? `${partnerName(state.lead.partner)} agreed as lead partner by all partners`
          : `Lead partner disputed: ${state.lead.reason}. The commission waits for the dispute to be resolved.`,
    });
    publish();
  }

  if (!resumed) {
    note({ event: 'commission-created', by: input.createdBy.person, partner: input.createdBy.partner, detail: input.title });
    await leadPartnerAgreement();
  }

  // Later stages arrive in later releases; until then the commission stays open in its stage.
  // Continue-as-new keeps the history small over the years it may wait.
  await condition(() => workflowInfo().continueAsNewSuggested);
  await Promise.all(background);
  await recording;
  await condition(allHandlersFinished);
  await continueAsNew<typeof jointCommission>(input, state);
}
