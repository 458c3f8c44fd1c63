import { randomBytes } from 'node:crypto';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { commissionWorkflowId } from '../../domain/commission';
import { PayloadEncryptionCodec, payloadKeysFrom } from '../../codec/payloadEncryption';
import { decideTask, getCommission, jointCommission } from '../../workflows/jointCommission';
import { commissionInput, harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

/**
 * Whoever reaches Temporal's port can send the `decideTask` update with any `by`. With payloads
 * encrypted (AES-256-GCM, which also authenticates), a decision not sealed with the partnership's
 * key reaches the validator as the codec's refusal and is refused: nothing enters the history.
 */
const key = () => `k1:${randomBytes(32).toString('base64')}`;
const ours = key();
let h: Harness;
beforeAll(async () => {
  h = await harness(undefined, {}, { payloadCodecs: [new PayloadEncryptionCodec(payloadKeysFrom(ours))] });
});
afterAll(async () => {
  await h?.close();
});

test('a commission runs on encrypted payloads; a decision sent without the key, or with another, is refused and the task stays open', async () => {
  await h.run(async () => {
    const input = commissionInput(h.partnership);
    const handle = await h.env.client.workflow.start(jointCommission, { workflowId: commissionWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
    let view = await handle.query(getCommission);
    for (let i = 0; i < 50 && !view.openTasks.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      view = await handle.query(getCommission);
    }
    const task = view.openTasks[0]!;

    // What Temporal keeps is ciphertext: the title is nowhere in the started event.
    const history = await handle.fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(Buffer.from(started.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(started.data!).toString('latin1')).not.toContain(input.title);

    const decision = { taskId: task.id, by: 'nenc-commissioner', channel: 'api' as const, decision: 'agree' };
    const plain = new Client({ connection: h.env.connection });
    const stranger = new Client({ connection: h.env.connection, dataConverter: { payloadCodecs: [new PayloadEncryptionCodec(payloadKeysFrom(key()))] } });
    for (const forger of [plain, stranger]) {
      const refused = await forger.workflow.getHandle(handle.workflowId).executeUpdate(decideTask, { args: [decision] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(/did not come through the service/);
    }
    view = await handle.query(getCommission);
    expect(view.openTasks.map((t) => t.id)).toContain(task.id);
    expect(view.history.filter((e) => e.event === 'task-decided')).toHaveLength(0);

    // The same decision through a client holding the key is taken.
    const decided = await handle.executeUpdate(decideTask, { args: [decision] });
    expect(decided.decisions?.map((d) => d.by)).toContain('nenc-commissioner');
  });
});
