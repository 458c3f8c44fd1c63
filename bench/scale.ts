import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { CommissionView } from '../domain/commission';
import { parseDuration } from '../domain/duration';
import { startSystem } from '../scripts/lib/system';
import { getCommission } from '../workflows/jointCommission';
import { benchEnv, ms, partnershipFile, settled, sleep, startCommission, verdict, writeResult } from './common';
import { percentile, pool } from './stats';
import { timerLateness } from './timerLateness';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

/** A duration written in hours, minutes or seconds, in ms (the policies here are never in working days). */
function msOf(text: string): number {
  const d = parseDuration(text);
  if (d?.kind !== 'calendar' || d.years || d.months) throw new Error(`${text}: give the benchmark's durations in days, hours, minutes or seconds`);
  return d.days * 86_400_000 + d.ms;
}

/** Resident memory of a process, MB (threads included: they share the address space). */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}

/**
 * Many open commissions, each waiting on its reminder and escalation timers (policy durations of
 * minutes through a partnership file copy): the worker's memory with an explicit cache size,
 * batch by batch, and how late the timers fire against when they were due.
 */
export async function scaleBenchmark(
  total = env('BENCH_OPEN', 5000),
  batches = 3,
  cache = env('BENCH_CACHE', 1000),
  due = process.env['BENCH_DUE'] ?? 'PT8M',
  remindBefore = process.env['BENCH_REMIND_BEFORE'] ?? 'PT4M',
  samples = env('BENCH_SAMPLES', 500),
): Promise<string> {
  const config = partnershipFile((p) => {
    p.policies.leadPartnerAgreement = { due, remindBefore, escalateFor: 'PT2H' };
  });
  const system = await startSystem({ env: { ...benchEnv, JCO_CONFIG: config, JCO_MAX_CACHED_WORKFLOWS: String(cache) } });
  const connection = await Connection.connect({ address: system.temporal.address });
  const client = new Client({ connection, dataConverter: system.dataConverter });
  const worker = system.worker.pid!;
  try {
    await sleep(5000);
    const idle = rssMb(worker);
    const rows: string[] = [];
    const rss: number[] = [];
    const ids: string[] = [];
    const began = Date.now();
    const perBatch = Math.ceil(total / batches);
    for (let b = 0; b < batches; b++) {
      const from = b * perBatch;
      const n = Math.min(perBatch, total - from);
      const t = Date.now();
      await pool(n, 20, async (k) => void (ids[from + k] = await startCommission(system.baseUrl, `Bench scale ${from + k}`)));
      await settled(system.baseUrl, from + n, 1_800_000);
      await sleep(10_000);
      rss.push(rssMb(worker));
      rows.push(`| ${b + 1} | ${from + n} | ${((Date.now() - t) / 1000).toFixed(0)} | ${rss[b]!.toFixed(0)} |`);
    }
    const setupSeconds = (Date.now() - began) / 1000;

    // Every escalation is due at most `due` after the last commission opened its task.
    const dueMs = msOf(due);
    await sleep(Math.max(0, began + setupSeconds * 1000 + dueMs + 60_000 - Date.now()));
    const afterTimers = rssMb(worker);
    const remindMs = dueMs - msOf(remindBefore);
    const late: { reminder: number[]; escalation: number[] } = { reminder: [], escalation: [] };
    const parts: { armed: number[]; server: number[]; pickup: number[] } = { armed: [], server: [], pickup: [] };
    let missing = 0;
    const step = Math.max(1, Math.floor(ids.length / samples));
    const sample = ids.filter((_, i) => i % step === 0).slice(0, samples);
    await pool(sample.length, 4, async (i) => {
      const view: CommissionView = await client.workflow.getHandle(`commission:${sample[i]}`).query(getCommission);
      const task = view.tasks[0]!;
      const opened = Date.parse(task.createdAt);
      const at = (event: string) => view.history.find((e) => e.event === event && Date.parse(e.at) >= opened);
      const reminder = at('reminder-sent');
      const escalated = at('escalated');
      if (!reminder || !escalated) missing++;
      if (reminder) late.reminder.push(Date.parse(reminder.at) - (opened + remindMs));
      if (escalated) late.escalation.push(Date.parse(escalated.at) - (opened + dueMs));
      const history = await client.workflow.getHandle(`commission:${sample[i]}`).fetchHistory();
      for (const t of timerLateness(history.events ?? [])) {
        parts.armed.push(t.armed);
        parts.server.push(t.server);
        parts.pickup.push(t.pickup);
      }
    });
    for (const p of Object.values(parts)) p.sort((a, b) => a - b);
    const all = [...late.reminder, ...late.escalation].sort((a, b) => a - b);
    late.reminder.sort((a, b) => a - b);
    late.escalation.sort((a, b) => a - b);

    const budget = 300 + Math.min(cache, total);
    const peak = Math.max(...rss, afterTimers);
    const growth = rss.length >= 3 ? (rss[2]! - rss[1]!) / rss[1]! : NaN;
    const lateRow = (name: string, t: number[]) => `| ${name} | ${t.length} | ${ms(t[0] ?? NaN)} | ${ms(percentile(t, 50))} | ${ms(percentile(t, 99))} | ${ms(t[t.length - 1] ?? NaN)} |`;
    return writeResult('scale', [
      `# Scale: ${total} open commissions on timers (${new Date().toISOString()})`,
      '',
      `Lead-partner agreement policy: due ${due}, reminder ${remindBefore} before, escalation after it. Worker \`JCO_MAX_CACHED_WORKFLOWS=${cache}\`; dev server on SQLite (WAL), 2 shared cores.`,
      `Worker RSS idle after start: ${idle.toFixed(0)} MB. Setting up all ${total} (every task open) took ${setupSeconds.toFixed(0)} s.`,
      '',
      '| batch | open commissions | seconds | worker RSS MB |',
      '| --- | --- | --- | --- |',
      ...rows,
      `| after every timer fired | ${total} | | ${afterTimers.toFixed(0)} |`,
      '',
      `Peak worker RSS ${peak.toFixed(0)} MB against a budget of 300 MB + 1 MB × ${Math.min(cache, total)} cached = ${budget} MB: ${verdict(peak <= budget)}.`,
      `RSS growth from batch 2 to batch 3: ${(growth * 100).toFixed(1)} % (goal < 10 %: ${verdict(growth < 0.1)}).`,
      '',
      `Timer lateness, ms after the instant each was due, from the task's recorded events (${sample.length} commissions sampled evenly; ${missing} lacked an event):`,
      '',
      '| timer | n | min | p50 | p99 | max |',
      '| --- | --- | --- | --- | --- | --- |',
      lateRow('reminder', late.reminder),
      lateRow('escalation', late.escalation),
      '',
      `Goal p99 ≤ 1,000 ms late: ${verdict(percentile(all, 99) <= 1000)}; never early: ${verdict((all[0] ?? 0) >= 0)}.`,
      '',
      "Where the lateness comes from, per fired timer, from the same commissions' history timestamps (ms):",
      '',
      '| part | n | p50 | p99 | max |',
      '| --- | --- | --- | --- | --- |',
      ...([
        ['armed late: workflow task start (when the wait is computed) to the timer started on the server', parts.armed],
        ['server: fired after its start plus duration', parts.server],
        ['pickup: fired to the worker starting the task that acts on it', parts.pickup],
      ] as const).map(([name, t]) => `| ${name} | ${t.length} | ${ms(percentile(t, 50))} | ${ms(percentile(t, 99))} | ${ms(t[t.length - 1] ?? NaN)} |`),
    ]);
  } finally {
    await connection.close();
    await system.stop();
  }
}
