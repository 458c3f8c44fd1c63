import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { commissionWorkflowId, type CommissionView } from '../../domain/commission';
import type { CommissionInput } from '../../domain/commission';
import { getCommission, jointCommission } from '../../workflows/jointCommission';
import { commissionInput, TASK_QUEUE, type Harness } from './workflowEnv';

/**
 * Start instants just before a bank-holiday weekend, with the working days they lead to written
 * out by hand from the published bank holidays (default policy: due 10 working days, reminder 3
 * working days before, escalation for 5 more). The first case still in the future is used.
 */
export const cases = [
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

export const MINUTE = 60_000;
export const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
/** The test server's clock runs on a little after each skip, so compare to the minute. */
export const minute = (iso: string): string => iso.slice(0, 16);
export const minutes = (isos: string[]): string[] => isos.map(minute);
export const entries = (v: CommissionView, event: string) => v.history.filter((e) => e.event === event);
export const leadTask = (v: CommissionView) => v.tasks.find((t) => t.kind === 'lead-partner-agreement')!;
export const party = (v: CommissionView, partner: string) => leadTask(v).parties!.find((p) => p.partner === partner)!;

export function timeline(h: Harness) {
  async function firstFutureCase() {
    const now = await h.env.currentTimeMs();
    const c = cases.find((k) => Date.parse(k.start) > now + MINUTE);
    if (!c) throw new Error('Every calendar case is in the past: add the next bank-holiday weekend to test/helpers/timeline.ts.');
    return c;
  }

  /** Moves the test server's clock to an instant (time only goes forward). */
  async function advanceTo(iso: string): Promise<void> {
    const now = await h.env.currentTimeMs();
    await h.env.sleep(Math.max(0, Date.parse(iso) - now));
  }

  async function waitFor(handle: WorkflowHandle<typeof jointCommission>, done: (v: CommissionView) => boolean): Promise<CommissionView> {
    for (let i = 0; i < 100; i++) {
      const view = await handle.query(getCommission);
      if (done(view)) return view;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the workflow did not reach the expected state');
  }

  async function startAt(iso: string, overrides: Partial<CommissionInput> = {}): Promise<WorkflowHandle<typeof jointCommission>> {
    await advanceTo(iso);
    const input = commissionInput(h.partnership, overrides);
    const handle = await h.env.client.workflow.start(jointCommission, {
      workflowId: commissionWorkflowId(input.id),
      taskQueue: TASK_QUEUE,
      args: [input],
    });
    // Let the first workflow task run: the task opened and its emails on their way.
    await waitFor(handle, (v) => v.openTasks.length === 1 && v.history.some((e) => e.event === 'task-opened'));
    return handle;
  }

  return { firstFutureCase, advanceTo, waitFor, startAt };
}

/** The refusal type an update validator gave, or undefined when the update was accepted. */
export const refusal = (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (err: unknown) => (err instanceof WorkflowUpdateFailedError ? (err.cause as { type?: string }).type : String(err)),
  );
