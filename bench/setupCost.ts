import { Client, Connection } from '@temporalio/client';
import { startSystem } from '../scripts/lib/system';
import { commissionWorkflowId } from '../domain/commission';
import { benchEnv, settled, sleep, startCommission, writeResult } from './common';
import { setupCostOf, type SetupCost } from './historyCost';

/**
 * Until every commission is quiet: no activity or workflow task pending, its history no longer
 * growing (the email leaves after the record is written, so a moment with nothing pending in
 * between is not the end). Only the reminder's timer, days away, is left.
 */
async function quiet(client: Client, workflowIds: string[], timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lengths = new Map<string, number>();
  for (;;) {
    const now = new Map<string, number>();
    let busy = false;
    for (const id of workflowIds) {
      const d = await client.workflow.getHandle(id).describe();
      if ((d.raw.pendingActivities?.length ?? 0) > 0 || d.raw.pendingWorkflowTask) busy = true;
      now.set(id, d.historyLength);
    }
    if (!busy && workflowIds.every((id) => lengths.get(id) === now.get(id))) return;
    if (Date.now() > deadline) throw new Error('the commissions did not settle');
    lengths = now;
    await sleep(1000);
  }
}

const mean = (xs: number[]): string => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2);

/**
 * `npm run bench -- starts-setup`: what it costs to set a commission up (start → its first task
 * open, every email sent, the record written), counted from the histories of `n` commissions
 * started one at a time through the API.
 */
export async function setupCostBenchmark(n = Number(process.env['BENCH_COMMISSIONS'] ?? 20)): Promise<string> {
  const system = await startSystem({ env: benchEnv });
  const connection = await Connection.connect({ address: system.temporal.address });
  const client = new Client({ connection, dataConverter: system.dataConverter });
  const run = `${Date.now()}`;
  try {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await startCommission(system.baseUrl, `Set-up cost ${i}`, `setup-${run}-${i}`));
    await settled(system.baseUrl, n);
    const workflowIds = ids.map(commissionWorkflowId);
    await quiet(client, workflowIds);
    const costs: SetupCost[] = [];
    for (const id of workflowIds) costs.push(setupCostOf((await client.workflow.getHandle(id).fetchHistory()).events ?? []));
    const types = [...new Set(costs.flatMap((c) => Object.keys(c.byType)))].sort();
    const row = (what: string, pick: (c: SetupCost) => number): string => `| ${what} | ${mean(costs.map(pick))} | ${Math.min(...costs.map(pick))} | ${Math.max(...costs.map(pick))} |`;
    return writeResult('starts-setup', [
      `# Commission set-up cost (${new Date().toISOString()})`,
      '',
      `${n} commissions started one at a time through POST /api/v1/commissions (two partners), each counted from its history once quiet: its first task open, every email sent, the record written.`,
      '',
      '| per commission | mean | min | max |',
      '| --- | --- | --- | --- |',
      row('workflow tasks (WorkflowTaskCompleted)', (c) => c.workflowTasks),
      row('activities (ActivityTaskScheduled)', (c) => c.activities),
      ...types.map((t) => row(`  of which ${t}`, (c) => c.byType[t] ?? 0)),
      row('local activities (MarkerRecorded)', (c) => c.localActivities),
      row('search attribute upserts (the workflow\'s)', (c) => c.searchAttributeUpserts),
      row('search attribute upserts (TemporalChangeVersion, one per patch marker)', (c) => c.patchVersionUpserts),
      row('memo upserts', (c) => c.memoUpserts),
      row('history events', (c) => c.events),
    ]);
  } finally {
    await connection.close();
    await system.stop();
  }
}
