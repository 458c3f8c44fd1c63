import type { RunningSystem } from '../../scripts/lib/system';
import { headers, keys, sleep } from '../common';
import { pool } from '../stats';
import { agreeToLead, checkAgreed, createCommission, newLog } from './load';
import type { DrillReport } from './workerCrash';

/**
 * The Temporal server stopped mid-load and started again: while it is away the API answers 503
 * with Retry-After (never 500, never a hang), it recovers by itself, and every workflow resumes
 * (each commission of the load still ends agreed).
 */
export async function serverRestartDrill(system: RunningSystem, opts: { commissions: number; downSeconds: number }): Promise<DrillReport> {
  const log = newLog();
  const ids: string[] = [];
  const began = Date.now();
  let loading = true;
  const load = pool(opts.commissions, 5, async (i) => {
    const id = await createCommission(system, log, `restart-${began}-${i}`);
    ids.push(id);
    await agreeToLead(system, log, id);
  }).finally(() => (loading = false));

  // A reader who keeps asking, without retrying: what did each answer say, and how fast?
  const probe = { during: {} as Record<string, number>, slowest: 0, without: 0, firstOkAfterUp: NaN };
  const now: { phase: 'before' | 'down' | 'up' } = { phase: 'before' };
  let upAt = 0;
  const prober = (async () => {
    while (loading || now.phase !== 'up' || Number.isNaN(probe.firstOkAfterUp)) {
      const target = ids[0] ? `/api/v1/commissions/${ids[0]}` : '/api/v1/commissions';
      const t = Date.now();
      const res = await fetch(`${system.baseUrl}${target}`, { headers: headers(keys.council), signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
      const status = res?.status ?? 0;
      await res?.text();
      if (now.phase === 'down') {
        probe.during[status] = (probe.during[status] ?? 0) + 1;
        probe.slowest = Math.max(probe.slowest, Date.now() - t);
        if (status === 503 && !res?.headers.get('retry-after')) probe.without++;
      }
      if (now.phase === 'up' && status === 200 && Number.isNaN(probe.firstOkAfterUp)) probe.firstOkAfterUp = (Date.now() - upAt) / 1000;
      if (now.phase === 'up' && !loading && Date.now() - upAt > 120_000) break;
      await sleep(200);
    }
  })();

  await sleep(8000);
  await system.stopTemporal();
  now.phase = 'down';
  await sleep(opts.downSeconds * 1000);
  now.phase = 'up';
  await system.startTemporal();
  upAt = Date.now();
  await load;
  await prober;
  const wrong = await checkAgreed(system, log, ids);
  const downStatuses = Object.keys(probe.during).filter((s) => s !== '503');
  const ok = wrong.length === 0 && downStatuses.length === 0 && probe.without === 0 && log.faults.length === 0 && log.bare503 === 0 && probe.firstOkAfterUp >= 0;
  return {
    ok,
    lines: [
      `| commissions in the load, each ending agreed | ${ids.length - wrong.length} of ${opts.commissions} | all |`,
      `| server down for | ${opts.downSeconds} s | |`,
      `| answers while down, by status | ${JSON.stringify(probe.during)} | only 503 |`,
      `| 503 without Retry-After | ${probe.without + log.bare503} | 0 |`,
      `| slowest answer while down | ${probe.slowest} ms | |`,
      `| 5xx other than 503, all requests | ${log.faults.length} | 0 |`,
      `| first 200 after the server was back | ${probe.firstOkAfterUp.toFixed(1)} s | by itself |`,
      ...(wrong.length ? ['', ...wrong.slice(0, 10).map((w) => `- ${w}`)] : []),
      ...(log.faults.length ? ['', ...log.faults.slice(0, 10).map((f) => `- ${f}`)] : []),
      '',
      `Statuses seen by the load (which retries 503s): ${JSON.stringify(log.statuses)}.`,
    ],
  };
}
