import type { RunningSystem } from '../../scripts/lib/system';
import { sleep } from '../common';
import { pool } from '../stats';
import { checkRecord, recordCheckLines, recordCheckOk } from './record';
import { agreeToLead, checkAgreed, createCommission, duplicates, messageIds, newLog } from './load';

export interface DrillReport {
  ok: boolean;
  lines: string[];
}

/**
 * Commissions driven through the lead-partner agreement while the worker is SIGKILLed at random
 * moments and restarted: each must end agreed with both decisions, and each kill may cost at most
 * one duplicate email (a send the worker made but could not record before it died).
 */
export async function workerCrashDrill(system: RunningSystem, opts: { commissions: number; kills: number; seed?: number }): Promise<DrillReport> {
  const log = newLog();
  let x = opts.seed ?? 20261122;
  const random = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const ids: string[] = [];
  const began = Date.now();
  let loading = true;
  const load = pool(opts.commissions, 10, async (i) => {
    const id = await createCommission(system, log, `crash-${began}-${i}`);
    ids.push(id);
    await agreeToLead(system, log, id);
  }).finally(() => (loading = false));
  let kills = 0;
  const killer = (async () => {
    while (kills < opts.kills && loading) {
      await sleep(1000 + random() * 5000);
      if (!loading) break;
      await system.killWorker('SIGKILL');
      kills++;
      await sleep(random() * 2000);
      await system.startWorker();
    }
  })();
  await load;
  await killer;
  const wrong = await checkAgreed(system, log, ids);
  // Every request, reminder and notice these commissions sent has arrived by now or never will.
  await sleep(3000);
  const dup = duplicates(messageIds(system, ids));
  const seconds = (Date.now() - began) / 1000;
  // Killed while projecting too: the database holds every event, once, its chains intact.
  const check = await checkRecord(system, ids);
  const ok = wrong.length === 0 && dup <= kills && log.faults.length === 0 && ids.length === opts.commissions && recordCheckOk(check);
  return {
    ok,
    lines: [
      `| commissions driven to agreement | ${ids.length} of ${opts.commissions} | all |`,
      `| worker SIGKILLs (random moments, restarted) | ${kills} | ${opts.kills} |`,
      `| commissions not agreed, or a decision lost or doubled | ${wrong.length} | 0 |`,
      `| duplicate emails (same Message-ID twice at the SMTP server) | ${dup} | ≤ ${kills} (one per kill) |`,
      `| 5xx other than 503 | ${log.faults.length} | 0 |`,
      ...recordCheckLines(check),
      `| took | ${seconds.toFixed(0)} s | |`,
      ...(wrong.length ? ['', ...wrong.slice(0, 10).map((w) => `- ${w}`)] : []),
      ...(log.faults.length ? ['', ...log.faults.slice(0, 10).map((f) => `- ${f}`)] : []),
      '',
      `Statuses seen by the load: ${JSON.stringify(log.statuses)}.`,
    ],
  };
}
