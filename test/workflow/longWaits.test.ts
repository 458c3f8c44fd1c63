import type { WorkflowHandle } from '@temporalio/client';
import { commissionWorkflowId, type CommissionInput, type CommissionView } from '../../domain/commission';
import { decideTask, getCommission, jointCommission } from '../../workflows/jointCommission';
import { readCommission } from '../../api/subjects';
import { answerFor } from '../helpers/answer';
import { expectLive } from '../helpers/liveness';
import { describeRuns } from '../helpers/runs';
import { commissionInput, harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

/**
 * Issue 14, "Nothing stranded": a wait of years (a task nobody answers, reminded every few working
 * days) continues as new, carrying its open task, and no run's history passes 2,000 events.
 */
let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h?.close();
});

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const MAX_EVENTS = 2_000;

type Handle = WorkflowHandle<typeof jointCommission>;

async function start(overrides: Partial<CommissionInput> = {}): Promise<Handle> {
  const input = commissionInput(h.partnership, { partners: h.partnership.partners.filter((p) => p.id !== 'lsc-icb').map((p) => ({ id: p.id, name: p.name })), estimatedValue: 50_000, ...overrides });
  return h.env.client.workflow.start(jointCommission, { workflowId: commissionWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
}

/** Answers open tasks until `stop` holds. */
async function answerUntil(handle: Handle, stop: (v: CommissionView) => boolean): Promise<CommissionView> {
  for (let i = 0; i < 200; i++) {
    const v = await handle.query(getCommission);
    if (stop(v)) return v;
    const task = v.openTasks[0];
    if (!task) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const a = answerFor(task)!;
    await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: a.by, channel: 'api', decision: a.decision, comment: a.comment, data: a.data }] });
  }
  throw new Error('the commission did not reach the expected state');
}

test('a lifecycle task nobody answers for three years continues as new, carrying the task: no run passes 2,000 events, and the answer when it comes settles the step once', async () => {
  await h.run(async () => {
    const handle = await start();
    const waiting = await answerUntil(handle, (v) => v.openTasks.some((t) => t.kind === 'commission-lived-experience'));
    const task = waiting.openTasks.find((t) => t.kind === 'commission-lived-experience')!;

    // Three years of silence: reminders every 5 working days after the escalation's deadline.
    for (let month = 0; month < 36; month++) {
      await h.env.sleep(YEAR / 12);
      await expectLive(h.env.client, handle.workflowId, new Set(h.partnership.people.map((p) => p.id)));
    }
    const runs = await describeRuns(h.env.client, handle.workflowId);
    console.log(`long wait, runs: ${JSON.stringify(runs.map((r) => ({ events: r.events, inputKB: +(r.inputBytes / 1024).toFixed(1) })))}`);
    expect(Math.max(...runs.map((r) => r.events))).toBeLessThanOrEqual(MAX_EVENTS);
    expect(runs.length).toBeGreaterThan(1);

    // The same task is still open, never asked afresh; answering it settles the step and moves on.
    const v = await handle.query(getCommission);
    expect(v.openTasks.map((t) => t.id)).toEqual([task.id]);
    const a = answerFor(v.openTasks[0]!)!;
    await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: a.by, channel: 'api', decision: a.decision, comment: a.comment, data: a.data }] });
    const next = await answerUntil(handle, (x) => x.lifecycle?.steps.find((s) => s.id === 'lived-experience')?.status === 'done' && x.openTasks.length > 0);
    expect(next.openTasks.map((t) => t.kind)).not.toContain('commission-lived-experience');
    expect(next.tasks.filter((t) => t.kind === 'commission-lived-experience')).toHaveLength(1);
  });
}, 120_000);

test('what a long wait carries into each new run stays small: the history is in the record, not in the workflow input', async () => {
  await h.run(async () => {
    const handle = await start();
    await answerUntil(handle, (v) => v.openTasks.some((t) => t.kind === 'commission-lived-experience'));
    for (let month = 0; month < 36; month++) await h.env.sleep(YEAR / 12);
    const runs = await describeRuns(h.env.client, handle.workflowId);
    console.log(`carried input, runs: ${JSON.stringify(runs.map((r) => ({ events: r.events, inputKB: +(r.inputBytes / 1024).toFixed(1) })))}`);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    // Every continued run starts from about the same state: an open task and the case's facts.
    const carried = runs.slice(1).map((r) => r.inputBytes);
    expect(Math.max(...carried)).toBeLessThan(12 * 1024);
    expect(carried.at(-1)! - carried[0]!).toBeLessThan(2 * 1024);

    // The record holds it all, once each, from the commission's creation on; the page still says when it began.
    await expectLive(h.env.client, handle.workflowId, new Set(h.partnership.people.map((p) => p.id)));
    const id = handle.workflowId.slice('commission:'.length);
    const record = await readCommission({ database: h.database }, id);
    expect(record.history[0]!.event).toBe('commission-created');
    const reminders = record.history.filter((e) => e.event === 'reminder-sent').map((e) => e.detail);
    expect(reminders.length).toBeGreaterThan(100);
    expect(new Set(reminders).size).toBe(reminders.length);
    expect(record.createdAt).toBe(record.history[0]!.at);
  });
}, 120_000);
