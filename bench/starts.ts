import { Client, Connection } from '@temporalio/client';
import { startSystem } from '../scripts/lib/system';
import { BASELINE_QUEUE, startBaselineWorker } from './baseline/worker';
import { trivial } from './baseline/workflows';
import { benchEnv, ms, settled, startCommission, verdict, writeResult } from './common';
import { forDuration, percentile } from './stats';

/**
 * Start throughput: POST /api/v1/commissions at concurrency 20 against a bare client starting a
 * trivial workflow at the same concurrency, on the same server, in the same run.
 */
export async function startsBenchmark(seconds = Number(process.env['BENCH_SECONDS'] ?? 60), concurrency = 20): Promise<string> {
  const system = await startSystem({ env: benchEnv });
  const baseline = await startBaselineWorker(system.temporal.address);
  const connection = await Connection.connect({ address: system.temporal.address });
  const client = new Client({ connection, dataConverter: system.dataConverter });
  const run = `${Date.now()}`;
  // Every POST carries its own Idempotency-Key, as a careful client would (one commission each).
  const api = (i: number) => startCommission(system.baseUrl, `Bench start ${i}`, `bench-${run}-${i}`);
  const bare = (i: number) => client.workflow.start(trivial, { workflowId: `bench-start-${run}-${i}`, taskQueue: BASELINE_QUEUE });
  try {
    const warm = await forDuration(10_000, concurrency, (i) => api(1e7 + i));
    await forDuration(10_000, concurrency, (i) => bare(1e7 + i));
    await settled(system.baseUrl, warm.done);
    const a = await forDuration(seconds * 1000, concurrency, api);
    // A 201 means the commission is durably started; its first steps (people, task, email) run
    // after. The baseline waits until they have, so it does not pay for the API's backlog.
    const drainStarted = performance.now();
    await settled(system.baseUrl, warm.done + a.done);
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const b = await forDuration(seconds * 1000, concurrency, bare);
    const ratio = a.perSecond / b.perSecond;
    const row = (name: string, r: typeof a) =>
      `| ${name} | ${r.done} | ${r.failed} | ${r.perSecond.toFixed(1)} | ${ms(percentile(r.times, 50))} | ${ms(percentile(r.times, 99))} |`;
    return writeResult('starts', [
      `# Start throughput (${new Date().toISOString()})`,
      '',
      `Concurrency ${concurrency}, ${seconds} s each after 10 s of warm-up each; dev server on SQLite (WAL), 2 shared cores.`,
      'API: POST /api/v1/commissions (two partners, unique Idempotency-Key). Bare: `client.workflow.start` of a trivial workflow that a worker picks up.',
      '',
      '| starter | started | failed | per second | p50 ms | p99 ms |',
      '| --- | --- | --- | --- | --- | --- |',
      row('POST /api/v1/commissions (API)', a),
      row('bare client start (baseline)', b),
      '',
      `Ratio API / bare: ${ratio.toFixed(2)} (goal ≥ 0.8: ${verdict(ratio >= 0.8)}). API rate ${a.perSecond.toFixed(1)}/s (goal ≥ 50/s: ${verdict(a.perSecond >= 50)}).`,
      `After the API run, its ${a.done} commissions had every task open ${drainSeconds.toFixed(1)} s later: the system set up ${(a.done / (seconds + drainSeconds)).toFixed(1)} commissions/s end to end.`,
      ...(a.firstError ? ['', `First API error: ${a.firstError}`] : []),
      ...(b.firstError ? ['', `First bare error: ${b.firstError}`] : []),
    ]);
  } finally {
    await connection.close();
    await baseline.stop();
    await system.stop();
  }
}

