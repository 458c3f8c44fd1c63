import { Client, Connection } from '@temporalio/client';
import { startSystem } from '../scripts/lib/system';
import { BASELINE_QUEUE, startBaselineWorker } from './baseline/worker';
import { decideTask } from '../workflows/jointCommission';
import { ping, trivial } from './baseline/workflows';
import { benchEnv, headers, keys, ms, settled, sleep, startCommission, verdict, writeResult } from './common';
import { percentile, pool } from './stats';

/**
 * Decision latency: POST /api/v1/tasks/{id}/decision (the NENC commissioner agreeing to the
 * council's lead, one commission each) against a bare `executeUpdate` of a no-op update on a
 * trivial workflow (one each), sequentially and at concurrency 20, on the same server.
 */
export async function decisionsBenchmark(sequential = Number(process.env['BENCH_SEQUENTIAL'] ?? 200), concurrent = Number(process.env['BENCH_CONCURRENT'] ?? 400), concurrency = 20): Promise<string> {
  const warm = 20;
  // Commissions for the API, then as many for direct updates of the same workflow type.
  const half = warm + sequential + warm + concurrent;
  const total = 2 * half;
  const system = await startSystem({ env: benchEnv });
  const baseline = await startBaselineWorker(system.temporal.address);
  const connection = await Connection.connect({ address: system.temporal.address });
  const client = new Client({ connection, dataConverter: system.dataConverter });
  try {
    const began = performance.now();
    const ids: string[] = [];
    await pool(total, concurrency, async (i) => void (ids[i] = await startCommission(system.baseUrl, `Bench decision ${i}`)));
    // Ready when the NENC commissioner's inbox shows every task: the tasks are open and the API knows them.
    const taskIds = await settled(system.baseUrl, total);
    const setupSeconds = (performance.now() - began) / 1000;
    const run = `${Date.now()}`;
    const bareIds = Array.from({ length: total }, (_, i) => `bench-decision-${run}-${i}`);
    await pool(total, concurrency, (i) => client.workflow.start(trivial, { workflowId: bareIds[i]!, taskQueue: BASELINE_QUEUE }));
    await sleep(10_000); // the commissions' emails and records after their tasks opened settle first

    const api = async (i: number) => {
      const res = await fetch(`${system.baseUrl}/api/v1/tasks/${ids[i]}.lead/decision`, { method: 'POST', headers: headers(keys.nenc), body: '{"decision":"agree"}' });
      if (res.status !== 200) throw new Error(`decision ${i}: ${res.status} ${await res.text()}`);
    };
    const bare = (i: number) => client.workflow.getHandle(bareIds[i]!).executeUpdate(ping);
    // The same decision sent straight to the commission's workflow: what the workflow itself costs.
    const direct = (i: number) =>
      client.workflow
        .getHandle(`commission:${ids[half + i]}`)
        .executeUpdate(decideTask, { args: [{ taskId: taskIds.get(ids[half + i]!)!, by: 'nenc-commissioner', channel: 'api', decision: 'agree' }] });
    // The three kinds take turns (request by request sequentially, block by block at
    // concurrency), so a busier or quieter moment of the shared machine falls on all of them.
    const kinds = [api, bare, direct];
    const times = (): number[][] => kinds.map(() => []);
    const timedOne = async (kind: number, i: number, into: number[][]) => {
      const t = performance.now();
      await kinds[kind]!(i);
      into[kind]!.push(performance.now() - t);
    };
    const sequentialRun = async (from: number, n: number) => {
      const into = times();
      for (let k = 0; k < n; k++) for (let j = 0; j < kinds.length; j++) await timedOne((k + j) % kinds.length, from + k, into);
      return into.map((t) => t.sort((a, b) => a - b));
    };
    const concurrentRun = async (from: number, n: number, rounds: number) => {
      const into = times();
      const block = Math.ceil(n / rounds);
      for (let r = 0; r < rounds; r++) {
        for (let j = 0; j < kinds.length; j++) {
          const kind = (r + j) % kinds.length;
          const start = from + r * block;
          await pool(Math.min(block, n - r * block), concurrency, (k) => timedOne(kind, start + k, into));
        }
      }
      return into.map((t) => t.sort((a, b) => a - b));
    };
    await sequentialRun(0, warm);
    const [apiSeq, bareSeq, directSeq] = (await sequentialRun(warm, sequential)) as [number[], number[], number[]];
    const from = warm + sequential;
    await concurrentRun(from, warm, 1);
    const [apiConc, bareConc, directConc] = (await concurrentRun(from + warm, concurrent, 4)) as [number[], number[], number[]];

    const row = (name: string, t: number[]) => `| ${name} | ${t.length} | ${ms(percentile(t, 50))} | ${ms(percentile(t, 95))} | ${ms(percentile(t, 99))} |`;
    const seqRatio = percentile(apiSeq, 99) / percentile(bareSeq, 99);
    const concRatio = percentile(apiConc, 99) / percentile(bareConc, 99);
    return writeResult('decisions', [
      `# Decision latency (${new Date().toISOString()})`,
      '',
      `One decision per commission (the NENC commissioner agrees to the council's lead); baseline: \`executeUpdate\` of a no-op update, one per trivial workflow. ${warm} warm-up requests of each kind first; the kinds take turns (request by request sequentially, in 4 rotating blocks at concurrency). Dev server on SQLite (WAL), 2 shared cores.`,
      `Setting up ${total} commissions with their tasks open took ${setupSeconds.toFixed(1)} s.`,
      '',
      '| request | n | p50 ms | p95 ms | p99 ms |',
      '| --- | --- | --- | --- | --- |',
      row('API decision, sequential', apiSeq),
      row('bare update, sequential (baseline)', bareSeq),
      row('decideTask update straight to the commission workflow, sequential (no API)', directSeq),
      row(`API decision, concurrency ${concurrency}`, apiConc),
      row(`bare update, concurrency ${concurrency} (baseline)`, bareConc),
      row(`decideTask update straight to the commission workflow, concurrency ${concurrency} (no API)`, directConc),
      '',
      `Sequential: p99 ratio API / bare ${seqRatio.toFixed(2)} (goal ≤ 1.5: ${verdict(seqRatio <= 1.5)}); API p99 ${ms(percentile(apiSeq, 99))} ms (goal ≤ 50 ms: ${verdict(percentile(apiSeq, 99) <= 50)}).`,
      `Concurrency ${concurrency}: p99 ratio API / bare ${concRatio.toFixed(2)} (goal ≤ 1.5: ${verdict(concRatio <= 1.5)}).`,
      `What the API adds over the same update sent straight to the workflow: p99 ratio ${(percentile(apiSeq, 99) / percentile(directSeq, 99)).toFixed(2)} sequential, ${(percentile(apiConc, 99) / percentile(directConc, 99)).toFixed(2)} at concurrency ${concurrency}; the rest of the gap to the bare update is the commission workflow's own step (settling the task, recording it, updating memo and search attributes, scheduling what follows) that the update waits for.`,
    ]);
  } finally {
    await connection.close();
    await baseline.stop();
    await system.stop();
  }
}
