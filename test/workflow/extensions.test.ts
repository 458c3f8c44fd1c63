import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { DisputeView } from '../../domain/dispute';
import { getDispute } from '../../workflows/dispute';
import { decideTask, extendTaskDeadline } from '../../workflows/jointCommission';
import { MAX_EXTENSION_DAYS } from '../../workflows/tasks';
import { entries, MINUTE, plus, timeline } from '../helpers/timeline';
import { harness, type Harness } from '../helpers/workflowEnv';

/**
 * Who may move a deadline (issue 14): the subject's lead commissioner now (after a lead dispute,
 * the chosen partner's commissioners, not the creator of another partner) or a senior manager of
 * an asked partner, bounded by the policy; a dispute's raiser cannot push the Board back.
 */
let h: Harness;
afterEach(async () => {
  await h?.close();
});

const DAY = 86_400_000;

/** The refusal's type and message, or undefined when the update was accepted. */
const refused = (p: Promise<unknown>): Promise<{ type?: string; message: string } | undefined> =>
  p.then(
    () => undefined,
    (err: unknown) => (err instanceof WorkflowUpdateFailedError ? { type: (err.cause as { type?: string }).type, message: err.cause?.message ?? '' } : { message: String(err) }),
  );

async function waitForDispute(child: WorkflowHandle, ok: (v: DisputeView) => boolean): Promise<DisputeView> {
  for (let i = 0; i < 100; i++) {
    const v = await child.query(getDispute).catch(() => undefined);
    if (v && ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the dispute did not reach the expected state');
}

test("after a lead dispute chooses another partner, that partner's commissioner extends and the creator may not; the raiser cannot push the Board back; the policy bounds the total", async () => {
  h = await harness();
  const { firstFutureCase, advanceTo, waitFor, startAt } = timeline(h);
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    // Nobody answers: the dispute opens at the Executive Board, raised in the creator's name.
    await advanceTo(plus(c.finalDueAt, MINUTE));
    const opened = await waitFor(handle, (v) => entries(v, 'dispute-opened').length === 1);
    const disputeId = opened.history.find((e) => e.event === 'dispute-opened')!.detail!.split(' ')[1]!;
    const child = h.env.client.workflow.getHandle(`dispute:${disputeId}`);
    const d = await waitForDispute(child, (v) => v.stage === 'executive-board' && v.openTasks.length === 1);
    const board = d.openTasks[0]!;
    const extendBoard = (by: string, byPartner: string, byRoles: string[]) =>
      child.executeUpdate(extendTaskDeadline, { args: [{ taskId: board.id, by, byPartner, byRoles, dueAt: plus(board.dueAt, 7 * DAY), reason: 'More time, please' }] });
    const raiser = await refused(extendBoard('council-commissioner', 'council', ['commissioner']));
    expect(raiser?.type).toBe('NoAuthority');
    expect(raiser?.message).toMatch(/^Extension rule:/);

    await child.executeUpdate(decideTask, { args: [{ taskId: board.id, by: 'board-chair', channel: 'api', decision: 'resolve', comment: 'The ICB holds the budget', data: { leadPartner: 'nenc-icb' } }] });
    const view = await waitFor(handle, (v) => v.lead.status === 'decided' && v.openTasks.length > 0);
    expect(view.lead.partner).toBe('nenc-icb');
    const task = view.openTasks[0]!;
    const extend = (by: string, byPartner: string, days: number, from = task.dueAt) =>
      handle.executeUpdate(extendTaskDeadline, { args: [{ taskId: task.id, by, byPartner, byRoles: ['commissioner'], dueAt: plus(from, days * DAY), reason: 'Waiting for the ICB board' }] });

    // The creator, of the council, is no longer the lead's commissioner.
    const creator = await refused(extend('council-commissioner', 'council', 10));
    expect(creator?.type).toBe('NoAuthority');
    expect(creator?.message).toMatch(/^Extension rule: only the lead commissioner/);
    // The new lead's commissioner may.
    const moved = await extend('nenc-commissioner', 'nenc-icb', 40);
    expect(moved.dueAt).toBe(plus(task.dueAt, 40 * DAY));
    // But not beyond the policy's total for the task.
    const tooFar = await refused(extend('nenc-commissioner', 'nenc-icb', MAX_EXTENSION_DAYS - 40 + 1, moved.dueAt));
    expect(tooFar?.type).toBe('InvalidExtension');
    expect(tooFar?.message).toContain(`Extension rule: a task's deadline may move by ${MAX_EXTENSION_DAYS} days in all`);
  });
});
