import { WorkflowUpdateFailedError } from '@temporalio/client';
import { commissionWorkflowId, type CommissionView } from '../../domain/commission';
import type { WorkflowHandle } from '@temporalio/client';
import { decideTask, getCommission, jointCommission } from '../../workflows/jointCommission';
import { commissionInput, harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

/**
 * Start instants just before a bank-holiday weekend, with the working days they lead to written
 * out by hand from the published bank holidays (default policy: due 10 working days, reminder 3
 * working days before, escalation for 5 more). The first case still in the future is used.
 */
const cases = [
  {
    name: 'Christmas 2026 (Fri 25 and Mon 28 Dec, New Year Fri 1 Jan)',
    start: '2026-12-24T10:00:00Z',
    remindAt: '2027-01-07T10:00:00.000Z',
    dueAt: '2027-01-12T10:00:00.000Z',
    finalDueAt: '2027-01-19T10:00:00.000Z',
  },
  {
    name: 'Easter 2027 (Good Friday 26 Mar, Easter Monday 29 Mar; clocks change 28 Mar)',
    start: '2027-03-25T10:00:00Z',
    remindAt: '2027-04-07T09:00:00.000Z',
    dueAt: '2027-04-12T09:00:00.000Z',
    finalDueAt: '2027-04-19T09:00:00.000Z',
  },
  {
    name: 'Christmas 2027 (Mon 27 and Tue 28 Dec, New Year Mon 3 Jan 2028)',
    start: '2027-12-24T10:00:00Z',
    remindAt: '2028-01-07T10:00:00.000Z',
    dueAt: '2028-01-12T10:00:00.000Z',
    finalDueAt: '2028-01-19T10:00:00.000Z',
  },
];

const MINUTE = 60_000;
let h: Harness;

async function firstFutureCase() {
  const now = await h.env.currentTimeMs();
  const c = cases.find((k) => Date.parse(k.start) > now + MINUTE);
  if (!c) throw new Error('Every calendar case is in the past: add the next bank-holiday weekend to the cases above.');
  return c;
}

/** Moves the test server's clock to an instant (time only goes forward). */
async function advanceTo(iso: string): Promise<void> {
  const now = await h.env.currentTimeMs();
  await h.env.sleep(Date.parse(iso) - now);
}

async function startAt(iso: string): Promise<WorkflowHandle<typeof jointCommission>> {
  await advanceTo(iso);
  const input = commissionInput(h.partnership);
  const handle = await h.env.client.workflow.start(jointCommission, {
    workflowId: commissionWorkflowId(input.id),
    taskQueue: TASK_QUEUE,
    args: [input],
  });
  // Let the first workflow task run: tasks created and emails sent.
  await waitFor(handle, (v) => v.openTasks.length === 1 && v.history.some((e) => e.event === 'task-opened'));
  return handle;
}

async function waitFor(
  handle: WorkflowHandle<typeof jointCommission>,
  done: (v: CommissionView) => boolean,
): Promise<CommissionView> {
  for (let i = 0; i < 100; i++) {
    const view = await handle.query(getCommission);
    if (done(view)) return view;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the workflow did not reach the expected state');
}

const entries = (v: CommissionView, event: string) => v.history.filter((e) => e.event === event);
/** The test server's clock runs on a little after each skip, so compare to the minute. */
const minute = (iso: string) => iso.slice(0, 16);
const minutes = (isos: string[]) => isos.map(minute);

beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h?.close();
});

const leadTask = (v: CommissionView) => v.tasks.find((t) => t.kind === 'lead-partner-agreement')!;
const party = (v: CommissionView, partner: string) => leadTask(v).parties!.find((p) => p.partner === partner)!;

test('reminder and escalation fire on the right working days over a bank-holiday weekend, then the lead is disputed for no response', async () => {
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    let view = await handle.query(getCommission);
    expect(minute(leadTask(view).dueAt)).toBe(minute(c.dueAt));
    expect(leadTask(view).awaiting).toEqual(['nenc-icb', 'lsc-icb']);
    expect(leadTask(view).completion).toBe('each-partner');

    // Just before the reminder is due nothing has been sent but the requests.
    await advanceTo(new Date(Date.parse(c.remindAt) - MINUTE).toISOString());
    view = await handle.query(getCommission);
    expect(entries(view, 'reminder-sent')).toHaveLength(0);

    await advanceTo(new Date(Date.parse(c.remindAt) + MINUTE).toISOString());
    view = await waitFor(handle, (v) => entries(v, 'reminder-sent').length === 1);
    expect(minute(entries(view, 'reminder-sent')[0]!.at)).toBe(minute(c.remindAt));

    await advanceTo(new Date(Date.parse(c.dueAt) + MINUTE).toISOString());
    view = await waitFor(handle, (v) => entries(v, 'escalated').length === 2);
    expect(minutes(entries(view, 'escalated').map((e) => e.at))).toEqual(minutes([c.dueAt, c.dueAt]));
    expect(party(view, 'nenc-icb').assignees).toEqual(['nenc-commissioner', 'nenc-senior-manager']);
    expect(minute(leadTask(view).dueAt)).toBe(minute(c.finalDueAt));
    expect(leadTask(view).escalationLevel).toBe(1);
    expect(view.lead.status).toBe('proposed');

    await advanceTo(new Date(Date.parse(c.finalDueAt) + MINUTE).toISOString());
    view = await waitFor(handle, (v) => v.lead.status !== 'proposed');
    expect(view.lead.status).toBe('disputed');
    expect(view.lead.reason).toBe('no response from NHS North East and North Cumbria ICB, NHS Lancashire and South Cumbria ICB');
    expect(leadTask(view).status).toBe('expired');
    expect(minute(entries(view, 'lead-disputed')[0]!.at)).toBe(minute(c.finalDueAt));
    expect(view.stage).toBe('lead-agreement');

    // Each commissioner got a request and a reminder; each senior manager the escalation.
    const mails = await h.mails();
    const to = (addr: string) => mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text === addr));
    expect(to('commissioner@nenc-icb.example').map((m) => m.subject?.split(' by ')[0])).toEqual(['Decision needed', 'Reminder, decision due soon']);
    expect(to('senior.manager@nenc-icb.example').map((m) => m.subject?.split(' by ')[0])).toEqual(['Escalated to you']);
    expect(to('senior.manager@lsc-icb.example')).toHaveLength(1);
    expect(mails).toHaveLength(6);
  });
});

test('agreement after the reminder settles the lead, and nothing escalates afterwards', async () => {
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    await advanceTo(new Date(Date.parse(c.remindAt) + MINUTE).toISOString());
    await waitFor(handle, (v) => entries(v, 'reminder-sent').length === 1);

    const task = leadTask(await handle.query(getCommission));
    const first = await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: 'nenc-commissioner', channel: 'api', decision: 'agree' }] });
    // The task shows who has and has not decided yet.
    expect(first.status).toBe('open');
    expect(first.awaiting).toEqual(['lsc-icb']);
    expect(first.assignees).toEqual(['lsc-commissioner']);
    const second = await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: 'lsc-commissioner', channel: 'api', decision: 'agree' }] });
    expect(second.status).toBe('decided');
    expect(second.decisions!.map((d) => [d.by, d.partner, d.decision])).toEqual([
      ['nenc-commissioner', 'nenc-icb', 'agree'],
      ['lsc-commissioner', 'lsc-icb', 'agree'],
    ]);
    let view = await waitFor(handle, (v) => v.lead.status !== 'proposed');
    expect(view.lead).toEqual({ status: 'agreed', partner: 'council' });
    expect(view.stage).toBe('analyse');

    await advanceTo(new Date(Date.parse(c.finalDueAt) + MINUTE).toISOString());
    view = await handle.query(getCommission);
    expect(entries(view, 'escalated')).toHaveLength(0);
    expect(view.lead.status).toBe('agreed');
    expect((await h.mails()).filter((m) => m.subject?.startsWith('Escalated'))).toHaveLength(0);
  });
});

test('a senior manager answers after escalation and the lead is agreed', async () => {
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    const task = leadTask(await handle.query(getCommission));
    await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: 'lsc-commissioner', channel: 'api', decision: 'agree' }] });

    await advanceTo(new Date(Date.parse(c.dueAt) + MINUTE).toISOString());
    const view0 = await waitFor(handle, (v) => entries(v, 'escalated').length === 1);
    // Only the partner still awaited escalates.
    expect(entries(view0, 'escalated')[0]!.partner).toBe('nenc-icb');
    expect(leadTask(view0).assignees).toEqual(['nenc-commissioner', 'nenc-senior-manager']);
    await handle.executeUpdate(decideTask, {
      args: [{ taskId: task.id, by: 'nenc-senior-manager', channel: 'email', decision: 'agree', comment: 'Agreed on behalf of the ICB' }],
    });
    const view = await waitFor(handle, (v) => v.lead.status !== 'proposed');
    expect(view.lead.status).toBe('agreed');
    expect(entries(view, 'task-decided').map((e) => [e.by, e.partner, e.channel])).toEqual([
      ['lsc-commissioner', 'lsc-icb', 'api'],
      ['nenc-senior-manager', 'nenc-icb', 'email'],
    ]);
  });
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: unknown) => (err instanceof WorkflowUpdateFailedError ? (err.cause as { type?: string }).type : String(err)),
  );

test('an objection needs a reason and disputes the lead at once; refused decisions leave no trace', async () => {
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    const task = leadTask(await handle.query(getCommission));
    const decide = (by: string, decision: string, comment?: string, taskId = task.id) =>
      handle.executeUpdate(decideTask, { args: [{ taskId, by, channel: 'api', decision, comment }] });

    expect(await refusal(decide('nenc-commissioner', 'object'))).toBe('ReasonRequired');
    expect(await refusal(decide('council-commissioner', 'agree'))).toBe('NotAssignee');
    expect(await refusal(decide('nenc-commissioner', 'maybe'))).toBe('InvalidDecision');
    expect(await refusal(decide('nenc-commissioner', 'agree', undefined, 'jc-test999999.lead'))).toBe('UnknownTask');
    await decide('lsc-commissioner', 'agree');
    // LSC has answered: its people cannot answer again.
    expect(await refusal(decide('lsc-commissioner', 'object', 'changed my mind'))).toBe('TaskClosed');

    await decide('nenc-commissioner', 'object', 'The ICB holds the larger budget share');
    const view = await waitFor(handle, (v) => v.lead.status !== 'proposed');
    expect(view.lead).toEqual({
      status: 'disputed',
      partner: 'council',
      reason: 'NHS North East and North Cumbria ICB objected: The ICB holds the larger budget share',
    });
    expect(leadTask(view).status).toBe('decided');
    expect(leadTask(view).decision!.decision).toBe('object');
    expect(entries(view, 'task-decided')).toHaveLength(2);
  });
});
