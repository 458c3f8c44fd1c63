import { continueAsNewProbe, probeContinue, probeGeneration } from '../workflows/continueAsNewProbe';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commissionInput, harness, TASK_QUEUE, timeSkippingEnv, type Harness } from '../helpers/workflowEnv';
import { ensureTestServer } from '../../scripts/lib/provision';
import { loadPartnership } from '../../config';
import { commissionWorkflowId } from '../../domain/commission';
import { jointCommission } from '../../workflows/jointCommission';

// The time-skipping server (Java, 1.38.0) is a part of every workflow test; where it falls short of
// the real server the harness makes up for it, and these tests prove that it does.
let h: Harness;
afterEach(async () => {
  await h?.close();
});

test('a query that arrives while a run continues as new neither stops the clock nor goes unanswered, and the result of the chain still comes', async () => {
  h = await harness();
  await h.run(async () => {
    const handle = await h.env.client.workflow.start(continueAsNewProbe, { args: [0], workflowId: 'probe:can-under-queries', taskQueue: TASK_QUEUE });
    expect(await handle.query(probeGeneration)).toBe(0);
    await handle.signal(probeContinue);
    // Queries all through the slow workflow task that continues as new: on this server one of them
    // lands in that task, the completion is refused halfway, and the old run keeps a lock on time.
    const generations = await Promise.all(
      Array.from({ length: 12 }, (_, i) => new Promise((r) => setTimeout(r, i * 40)).then(() => handle.query(probeGeneration))),
    );
    expect(generations.every((g) => g === 0 || g === 1)).toBe(true);
    // The next run sleeps a day: it ends only if time still skips. The handle follows the chain from
    // the first run, whose history never records that it continued.
    expect(await handle.result()).toBe(1);
  });
}, 60_000);

test('a workflow terminated while one of its workflow tasks runs does not stop the clock', async () => {
  h = await harness();
  await h.run(async () => {
    const handle = await h.env.client.workflow.start(continueAsNewProbe, { args: [0], workflowId: 'probe:terminated-mid-task', taskQueue: TASK_QUEUE });
    await handle.query(probeGeneration);
    // The signal schedules a slow workflow task; the termination lands before it completes. (Sent
    // past the client's interceptors: the liveness check after a signal would wait for that task.)
    await h.env.connection.workflowService.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: handle.workflowId }, signalName: probeContinue.name, identity: 'test' });
    await handle.terminate('a scenario over');
    const before = await h.env.currentTimeMs();
    await h.env.sleep('30 days');
    expect((await h.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * 86_400_000);
  });
}, 60_000);

test('a workflow terminated while one of its activities runs does not stop the clock', async () => {
  // The mail server takes 5 s to accept each message: the first request email is still being
  // sent when the commission is terminated (as the property runner ends each scenario).
  h = await harness(loadPartnership(), { acceptAfterMs: 5_000 });
  await h.run(async () => {
    const input = commissionInput(h.partnership);
    const handle = await h.env.client.workflow.start(jointCommission, { workflowId: commissionWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
    for (;;) {
      const { events } = await handle.fetchHistory();
      if (events!.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendTaskEmail')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await handle.terminate('a scenario over');
    const before = await h.env.currentTimeMs();
    await h.env.sleep('30 days');
    expect((await h.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * 86_400_000);
  });
}, 60_000);

test('a server that takes longer than the SDK\'s 5 s to listen (a loaded machine) is started again rather than failing the test', async () => {
  // The first start of this launcher waits 7 s before starting the server, as a JVM on a machine
  // running the whole suite sometimes does; the SDK gives up on it after 5 s and kills it.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jco-slow-server-'));
  const launcher = path.join(dir, 'slow-test-server');
  const firstStart = path.join(dir, 'started-once');
  writeFileSync(launcher, `#!/bin/sh\nif [ ! -e '${firstStart}' ]; then touch '${firstStart}'; sleep 7; fi\nexec '${ensureTestServer()}' "$@"\n`);
  chmodSync(launcher, 0o755);
  const before = process.env['JCO_TEST_SERVER_DEBUG'];
  process.env['JCO_TEST_SERVER_DEBUG'] = launcher;
  try {
    const { env, quiet } = await timeSkippingEnv();
    expect(existsSync(firstStart)).toBe(true);
    expect((await env.connection.workflowService.getSystemInfo({})).capabilities).toBeDefined();
    await quiet();
    await env.teardown();
  } finally {
    if (before === undefined) delete process.env['JCO_TEST_SERVER_DEBUG'];
    else process.env['JCO_TEST_SERVER_DEBUG'] = before;
  }
}, 60_000);
