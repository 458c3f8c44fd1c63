import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createTestDatabase, dropTestDatabase, ensurePostgres } from '../scripts/lib/postgres';
import { startSystem } from '../scripts/lib/system';
import { percentile, pool, timeEach } from './stats';

/**
 * Inbox latency with N open commissions, each waiting on the NENC commissioner, answered from the
 * system of record (`BENCH_DATABASE=postgres` for PostgreSQL, else the embedded file). Baseline:
 * the bare visibility list call an inbox read from Temporal would make, same server, same run.
 */
export async function inboxBenchmark(open = Number(process.env['BENCH_OPEN'] ?? 1000), samples = 200): Promise<string> {
  const onPostgres = process.env['BENCH_DATABASE'] === 'postgres';
  const pgDatabase = `jco_bench_${process.pid}_inbox`;
  const server = onPostgres ? await ensurePostgres() : undefined;
  const databaseUrl = server ? await createTestDatabase(pgDatabase, server) : undefined;
  // The load is one key's: lift the per-key limit so the benchmark measures the inbox, not the limiter.
  const system = await startSystem({ env: { RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'warn', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) } });
  const key = (k: string) => ({ authorization: `Bearer ${k}`, 'content-type': 'application/json' });
  try {
    const started = performance.now();
    await pool(open, 20, async (i) => {
      const res = await fetch(`${system.baseUrl}/api/v1/commissions`, {
        method: 'POST',
        headers: key('demo-key-council-commissioner-0001'),
        body: JSON.stringify({ title: `Bench commission ${i}`, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 10_000 }),
      });
      if (res.status !== 201) throw new Error(`start ${i}: ${res.status} ${await res.text()}`);
    });
    const startSeconds = (performance.now() - started) / 1000;
    const inbox = () => fetch(`${system.baseUrl}/api/v1/tasks`, { headers: key('demo-key-nenc-commissioner-00001') }).then((r) => r.json() as Promise<{ tasks: unknown[] }>);
    for (let waited = 0; (await inbox()).tasks.length < open; waited++) {
      if (waited > 600) throw new Error('the inbox never showed every task');
      await new Promise((r) => setTimeout(r, 500));
    }
    const settledSeconds = (performance.now() - started) / 1000;

    const connection = await Connection.connect({ address: system.temporal.address });
    const client = new Client({ connection, dataConverter: system.dataConverter });
    const bare = async () => {
      let n = 0;
      for await (const _ of client.workflow.list({ query: `JcoAssignees = 'nenc-commissioner' AND ExecutionStatus = 'Running'`, pageSize: 1000 })) n++;
      return n;
    };
    await timeEach(20, inbox);
    await timeEach(20, bare);
    const api = await timeEach(samples, inbox);
    const base = await timeEach(samples, bare);
    await connection.close();

    const row = (name: string, t: number[]) => `| ${name} | ${percentile(t, 50).toFixed(1)} | ${percentile(t, 99).toFixed(1)} |`;
    const table = [
      `# Inbox benchmark (${new Date().toISOString()})`,
      '',
      `${open} open commissions, each with a task for the caller; ${samples} sequential requests after 20 warm-up; dev server on SQLite (WAL); the inbox read from the system of record on ${onPostgres ? 'PostgreSQL (local cluster, loopback)' : 'the embedded SQLite file (WAL, synchronous=FULL)'}; 2 cores.`,
      `Setting up: ${open} starts took ${startSeconds.toFixed(1)} s; every task in the inbox after ${settledSeconds.toFixed(1)} s.`,
      '',
      '| request | p50 ms | p99 ms |',
      '| --- | --- | --- |',
      row('GET /api/v1/tasks (API)', api),
      row('bare visibility list (baseline)', base),
      '| before the system of record: the in-memory read model, 2026-11-22 (not this run) | 8.3 | 29.8 |',
      '',
      `Ratio p99 API / bare: ${(percentile(api, 99) / percentile(base, 99)).toFixed(2)}. Goal: API p99 under 200 ms: ${percentile(api, 99) < 200 ? 'met' : 'not met'}.`,
    ].join('\n');
    writeFileSync(path.join(__dirname, 'results', 'inbox.md'), `${table}\n`);
    return table;
  } finally {
    await system.stop();
    if (server) await dropTestDatabase(pgDatabase, server).catch(() => undefined);
  }
}
