import type { RunningSystem } from '../../scripts/lib/system';
import { sleep } from '../common';
import { pool } from '../stats';
import { createCommission, duplicates, messageIds, newLog } from './load';
import type { DrillReport } from './workerCrash';

const askedOfEach = ['nenc-commissioner', 'lsc-commissioner'];

/**
 * The SMTP server refuses connections for a while mid-load: every email the commissions sent
 * during the outage arrives afterwards (the activity retries with backoff), and only once.
 */
export async function mailOutageDrill(system: RunningSystem, opts: { commissions: number; outageSeconds: number }): Promise<DrillReport> {
  const log = newLog();
  const ids: string[] = [];
  const began = Date.now();
  const load = pool(opts.commissions, 4, async (i) => {
    ids.push(await createCommission(system, log, `mail-${began}-${i}`));
    await sleep(100);
  });
  await sleep(5000);
  await system.stopMailbox();
  const before = system.mailbox.messages.length;
  await sleep(opts.outageSeconds * 1000);
  await system.startMailbox();
  const back = Date.now();
  await load;

  // Each commission asks the NENC and LSC commissioners, one request email each.
  // Message-IDs name the case too (`<id>.c<8 hex>.lead…`) since task ids do.
  const expected = ids.flatMap((id) => askedOfEach.map((person) => ({ shown: `<${id}.lead.${person}.request-1@`, id: new RegExp(`^<${id}\\.(c[0-9a-f]{8}\\.)?lead\\.${person}\\.request-1@`) })));
  const missing = () => {
    const got = [...messageIds(system, ids).keys()];
    return expected.filter((e) => !got.some((m) => e.id.test(m))).map((e) => e.shown);
  };
  let lacking = missing();
  while (lacking.length && Date.now() - back < 180_000) {
    await sleep(1000);
    lacking = missing();
  }
  const allArrivedAfter = (Date.now() - back) / 1000;
  await sleep(3000);
  const dup = duplicates(messageIds(system, ids));
  const ok = lacking.length === 0 && dup === 0 && log.faults.length === 0;
  return {
    ok,
    lines: [
      `| commissions started around the outage | ${ids.length} | |`,
      `| SMTP refusing connections for | ${opts.outageSeconds} s | |`,
      `| emails delivered before the outage | ${before} | |`,
      `| request emails expected | ${expected.length} | |`,
      `| missing after the outage | ${lacking.length} | 0 |`,
      `| every email there, after the SMTP server was back | ${allArrivedAfter.toFixed(1)} s | |`,
      `| duplicate emails (same Message-ID twice) | ${dup} | 0 |`,
      `| 5xx other than 503 | ${log.faults.length} | 0 |`,
      ...(lacking.length ? ['', ...lacking.slice(0, 10).map((m) => `- missing ${m}…>`)] : []),
    ],
  };
}
