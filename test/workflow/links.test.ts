import type { ParsedMail } from 'mailparser';
import { addWorkingDays } from '../../domain/calendar';
import type { TaskSpec } from '../../workflows/humanTask';
import { extendTaskDeadline } from '../../workflows/jointCommission';
import { linkIn } from '../helpers/http';
import { MINUTE, plus, timeline } from '../helpers/timeline';
import { harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';
import { probeState, taskProbe } from '../workflows/taskProbe';

/**
 * Emailed links stay valid while their task is open and asks the person: an overdue reminder
 * of a task with no further escalation never carries a dead link, and an extension sends links
 * that last to the new deadline.
 */
let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h?.close();
});

const ew = { name: 'england-and-wales' as const, extraHolidays: [] };
const DAY = 86_400_000;
let n = 0;
const spec = (overrides: Partial<TaskSpec> = {}): TaskSpec => ({
  key: 'gate-1',
  kind: 'gate',
  title: 'Approve gate 1',
  subject: { type: 'commission', id: `jc-links${String(++n).padStart(5, '0')}` },
  options: ['approve', 'reject'],
  rejectOn: ['reject'],
  completion: 'any',
  ask: [{ people: [{ person: 'nenc-commissioner' }] }],
  due: '2 working days',
  reminders: [],
  escalation: [],
  overdueReminders: '5 working days',
  ifNoAnswer: 'The lead commissioner is reminded every week until it is decided.',
  ...overrides,
});

/** When the link in an email stops working (ms since the epoch). */
const expiryOf = (mail: ParsedMail): number =>
  (JSON.parse(Buffer.from(linkIn(mail).split('/a/')[1]!.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;

async function mailsTo(address: string, count: number): Promise<ParsedMail[]> {
  for (let i = 0; i < 100; i++) {
    const mine = (await h.mails()).filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text === address));
    if (mine.length >= count) return mine;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${count} email(s) to ${address}`);
}

test('every overdue reminder of a task with no escalation carries a link that works for weeks after it is sent', async () => {
  const { firstFutureCase, advanceTo } = timeline(h);
  const c = await firstFutureCase();
  await h.run(async () => {
    await advanceTo(c.start);
    const s = spec();
    const handle = await h.env.client.workflow.start(taskProbe, { workflowId: `probe:${s.subject.id}`, taskQueue: TASK_QUEUE, args: [s, ew] });
    for (let i = 0; i < 100 && (await handle.query(probeState)).tasks.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const dueAt = (await handle.query(probeState)).tasks[0]!.dueAt;
    const secondReminder = addWorkingDays(ew, new Date(dueAt), 10).toISOString();
    await advanceTo(plus(secondReminder, MINUTE));
    const mails = await mailsTo('commissioner@nenc-icb.example', 3);
    const reminders = (await handle.query(probeState)).history.filter((e) => e.event === 'reminder-sent');
    expect(reminders).toHaveLength(2);
    for (const [i, reminder] of reminders.entries()) {
      // Sent overdue, the link still works at least two weeks on.
      expect(expiryOf(mails[i + 1]!)).toBeGreaterThan(Date.parse(reminder.at) + 14 * DAY);
    }
    expect((await handle.query(probeState)).tasks[0]!.status).toBe('open');
  });
});

test('an extension emails those still asked a link that lasts to the new deadline', async () => {
  const { firstFutureCase, advanceTo } = timeline(h);
  const c = await firstFutureCase();
  await h.run(async () => {
    await advanceTo(c.start);
    const s = spec({ overdueReminders: undefined, due: '10 working days' });
    const handle = await h.env.client.workflow.start(taskProbe, { workflowId: `probe:${s.subject.id}`, taskQueue: TASK_QUEUE, args: [s, ew] });
    for (let i = 0; i < 100 && (await handle.query(probeState)).tasks.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const task = (await handle.query(probeState)).tasks[0]!;
    const [request] = await mailsTo('commissioner@nenc-icb.example', 1);
    const newDue = addWorkingDays(ew, new Date(task.dueAt), 30).toISOString();
    expect(expiryOf(request!)).toBeLessThan(Date.parse(newDue));
    await handle.executeUpdate(extendTaskDeadline, {
      args: [{ taskId: task.id, by: 'council-commissioner', byPartner: 'council', byRoles: ['commissioner'], dueAt: newDue, reason: 'The board meets later' }],
    });
    const [, extended] = await mailsTo('commissioner@nenc-icb.example', 2);
    expect(expiryOf(extended!)).toBeGreaterThanOrEqual(Date.parse(newDue));
  });
});
