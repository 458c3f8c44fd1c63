import { disputeWorkflowId, type DisputeInput, type DisputeView } from '../../domain/dispute';
import { decideTask, dispute, getDispute } from '../../workflows/dispute';
import { leadDisputeInput } from '../helpers/inputs';
import { harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

/**
 * A business id used again (the same matter disputed again once the first dispute ended) is a
 * new case: its tasks, emails and record rows must not be taken for the first case's.
 */
let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h?.close();
});

const disputeInput = (): DisputeInput => leadDisputeInput(h.partnership, { id: 'jd-again00001' });

async function disputeOnce(): Promise<string> {
  const handle = await h.env.client.workflow.start(dispute, { workflowId: disputeWorkflowId('jd-again00001'), taskQueue: TASK_QUEUE, args: [disputeInput()] });
  let view: DisputeView | undefined;
  for (let i = 0; i < 100 && !view?.openTasks.length; i++) {
    view = await handle.query(getDispute);
    if (!view.openTasks.length) await new Promise((r) => setTimeout(r, 100));
  }
  const task = view!.openTasks[0]!;
  await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: 'nenc-commissioner', channel: 'api', decision: 'accept' }] });
  await handle.result();
  return task.id;
}

test('the same matter disputed again under the same dispute id asks under task ids of its own, and its request email is sent, not skipped', async () => {
  await h.run(async () => {
    const first = await disputeOnce();
    const second = await disputeOnce();
    expect(second).not.toBe(first);
    expect(second.startsWith('jd-again00001.')).toBe(true);
    const requests = (await h.mails()).filter(
      (m) => m.subject?.startsWith('Decision needed') && (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text === 'commissioner@nenc-icb.example'),
    );
    expect(requests).toHaveLength(2);
  });
});
