import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../config';
import { openSystemOfRecord } from '../db/startup';
import { refreshRecord } from '../workflows/taskMessages';
import { dataConverterOf, temporalConnectionSettings } from '../config/temporal';

/**
 * `npm run record:backfill`: brings every open workflow into the system of record. Workflows
 * project themselves when the worker next runs them; this asks those asleep on a long timer to do
 * it now (a signal), so the workflow stays the only writer. Also imports the old `var/records`
 * files (once). Waits until each is in the database, and says how many.
 */
async function main(): Promise<void> {
  const { env, policyVersion, policyText } = loadConfigOrExit();
  const database = await openSystemOfRecord(env, { version: policyVersion, text: policyText }, { importLegacy: true });
  const connection = await Connection.connect(temporalConnectionSettings(env));
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: dataConverterOf(env) });
  const types = ['jointCommission', 'dispute', 'evaluationPanel', 'resourceAllocation'];
  const query = `ExecutionStatus = 'Running' AND WorkflowType IN (${types.map((t) => `'${t}'`).join(', ')})`;
  const asked: string[] = [];
  for await (const wf of client.workflow.list({ query })) {
    await client.workflow.getHandle(wf.workflowId).signal(refreshRecord);
    asked.push(wf.workflowId);
  }
  console.log(`asked ${asked.length} open workflow(s) to write themselves to ${database.where}`);
  const deadline = Date.now() + Number(process.env['BACKFILL_WAIT_MS'] ?? 120_000);
  let missing = asked;
  while (missing.length && Date.now() < deadline) {
    const present = new Set<string>();
    for (let i = 0; i < missing.length; i += 500) {
      const rows = await database.db.selectFrom('subjects').select('workflow_id').where('workflow_id', 'in', missing.slice(i, i + 500)).execute();
      for (const r of rows) present.add(r.workflow_id);
    }
    missing = missing.filter((id) => !present.has(id));
    if (missing.length) await sleep(500);
  }
  console.log(`${asked.length - missing.length} of ${asked.length} are in the record${missing.length ? `; not yet: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''} (is a worker running?)` : ''}`);
  await connection.close();
  await database.close();
  if (missing.length) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
