import { condition } from '@temporalio/workflow';
import type { Calendar } from '../../domain/calendar';
import type { CommissionInput, HistoryEntry } from '../../domain/commission';
import { addDuration, subtractDuration } from '../../domain/duration';
import { taskId, type Task } from '../../domain/task';
import type { TaskBook } from '../tasks';
import { waitUntil } from '../tasks';

/**
 * The lead-partner agreement as the first release ran it: one task per partner with its own
 * timers. Kept unchanged so commissions started by that release replay and finish the way they
 * began; new commissions use the task primitive (jointCommission, patch
 * "lead-agreement-task-primitive"). Delete once no v1 commission is still in lead agreement.
 */
export interface V1Context {
  input: CommissionInput;
  calendar: Calendar;
  book: TaskBook;
  partnerName(id: string): string;
  note(entry: Omit<HistoryEntry, 'at'>): void;
  publish(): void;
  lookupPeople(args: { partner: string; role: 'commissioner' | 'senior-manager' }): Promise<string[]>;
  email(task: Task, to: string[], purpose: 'request' | 'reminder' | 'escalation', seq: number, linkExpiresAt: Date): void;
}

export const LEAD_AGREEMENT_KIND = 'lead-partner-agreement';

export async function leadPartnerAgreementV1(ctx: V1Context): Promise<{ status: 'agreed' | 'disputed'; reason?: string }> {
  const { input, calendar, book, note, publish, partnerName, email } = ctx;
  const policy = input.policy.leadPartnerAgreement;

  async function awaitPartnerAnswer(task: Task, dueAt: Date, finalDueAt: Date): Promise<void> {
    const answered = (): boolean => task.status !== 'open';
    const remindAt = subtractDuration(calendar, dueAt, policy.remindBefore);
    if (remindAt.getTime() > Date.parse(task.createdAt)) {
      if (await waitUntil(answered, remindAt)) return;
      note({ event: 'reminder-sent', partner: task.partner, detail: `Reminder sent: ${task.title}, due ${task.dueAt}` });
      email(task, task.assignees, 'reminder', 1, finalDueAt);
    }
    if (await waitUntil(answered, dueAt)) return;

    const seniors = await ctx.lookupPeople({ partner: task.partner!, role: 'senior-manager' });
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
  const commissioners = await Promise.all(asked.map((p) => ctx.lookupPeople({ partner: p.id, role: 'commissioner' })));
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

  let outcome: { status: 'agreed' | 'disputed'; reason?: string };
  const objection = objected();
  if (objection) {
    for (const t of tasks) book.close(t, 'cancelled');
    outcome = { status: 'disputed', reason: `${partnerName(objection.partner!)} objected: ${objection.decision!.comment ?? ''}`.trim() };
  } else {
    const silent = tasks.filter((t) => t.status === 'expired');
    outcome = silent.length
      ? { status: 'disputed', reason: `no response from ${silent.map((t) => partnerName(t.partner!)).join(', ')}` }
      : { status: 'agreed' };
  }
  await answers;
  return outcome;
}
