import { Client, Connection } from '@temporalio/client';
import { openDatabase } from '../../db';
import { verifyAll } from '../../db/record';
import { commissionWorkflowId } from '../../domain/commission';
import type { RunningSystem } from '../../scripts/lib/system';
import { getCommission } from '../../workflows/jointCommission';
import { headers, keys, sleep } from '../common';
import { pool } from '../stats';
import { agreeToLead, call, checkAgreed, createCommission, duplicates, messageIds, newLog, type LoadLog } from './load';
import type { DrillReport } from './workerCrash';

export interface RecordCheck {
  /** Events in a workflow's history that the database does not hold. */
  lost: number;
  events: number;
  cases: number;
  /** Cases whose hash chain does not verify. */
  broken: string[];
  /** Subjects with more than one row for one case, or tasks of another commission's case. */
  duplicateRows: number;
}

/**
 * Compares what each commission's workflow holds with what the database holds, and verifies
 * every chain in the database: what `npm run record:verify` checks, plus nothing lost.
 */
export async function recordCheck(system: RunningSystem, ids: string[]): Promise<RecordCheck> {
  const database = openDatabase({ url: system.env['DATABASE_URL'], dataDir: system.dataDir });
  const connection = await Connection.connect({ address: system.temporal.address });
  const client = new Client({ connection, dataConverter: system.dataConverter });
  try {
    let lost = 0;
    for (const id of ids) {
      const view = await client.workflow.getHandle(commissionWorkflowId(id)).query(getCommission);
      // The workflow writes after each change; give the last write a moment to land.
      for (let tries = 0; ; tries++) {
        const row = await database.db
          .selectFrom('record_events as e')
          .innerJoin('subjects as s', (j) => j.onRef('s.subject_id', '=', 'e.subject_id').onRef('s.instance', '=', 'e.instance'))
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('e.subject_id', '=', id)
          .executeTakeFirstOrThrow();
        const missing = view.history.length - Number(row.n);
        if (missing <= 0 || tries >= 20) {
          lost += Math.max(0, missing);
          break;
        }
        await sleep(250);
      }
    }
    const verified = await verifyAll(database.db);
    const dup = await database.db
      .selectFrom('subjects')
      .select(['subject_id'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy('subject_id')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    return { lost, events: verified.events, cases: verified.cases, broken: verified.broken.map((b) => `${b.subjectId}/${b.instance} at ${b.firstBroken?.seq}: ${b.firstBroken?.problem}`), duplicateRows: dup.length };
  } finally {
    await connection.close();
    await database.close();
  }
}

const checkLines = (c: RecordCheck): string[] => [
  `| events lost (in a workflow's history, not in the database) | ${c.lost} | 0 |`,
  `| \`record:verify\` afterwards | ${c.broken.length === 0 ? `clean: ${c.cases} cases, ${c.events} events` : `${c.broken.length} broken`} | clean |`,
  `| duplicate subject rows | ${c.duplicateRows} | 0 |`,
  ...(c.broken.length ? ['', ...c.broken.slice(0, 10).map((b) => `- ${b}`)] : []),
];
const checkOk = (c: RecordCheck): boolean => c.lost === 0 && c.broken.length === 0 && c.duplicateRows === 0;

/**
 * The database stopped for `downSeconds` while commissions are driven through the lead agreement:
 * workflows carry on, projections and sends retry and catch up, reads answer 503 with Retry-After
 * (never 500), nothing is lost, and the record verifies afterwards.
 */
export async function databaseOutageDrill(
  system: RunningSystem,
  opts: { commissions: number; downSeconds: number; stopDatabase(): Promise<void>; startDatabase(): Promise<void> },
): Promise<DrillReport> {
  const log = newLog();
  const began = Date.now();
  const ids: string[] = [];
  const load = pool(opts.commissions, 8, async (i) => {
    const id = await createCommission(system, log, `db-${began}-${i}`);
    ids.push(id);
    await agreeToLead(system, log, id);
  });
  // Readers while the database is away: what they are answered, without retrying.
  const whileDown: LoadLog = newLog();
  await sleep(1500);
  await opts.stopDatabase();
  const downAt = Date.now();
  while (Date.now() - downAt < opts.downSeconds * 1000) {
    const id = ids[0] ?? 'jc-aaaaaaaaaa';
    for (const path of [`/api/v1/commissions/${id}`, '/api/v1/tasks', `/api/v1/commissions/${id}/timeline`]) {
      await call(system, whileDown, 'GET', path, keys.council, undefined, {}, 0);
    }
    await sleep(500);
  }
  await opts.startDatabase();
  const upAt = Date.now();
  await load;
  const wrong = await checkAgreed(system, log, ids);
  const check = await recordCheck(system, ids);
  await sleep(2000);
  const dup = duplicates(messageIds(system, ids));
  const downAnswers = Object.entries(whileDown.statuses).map(([s, n]) => `${n} × ${s}`).join(', ');
  const served5xx = whileDown.faults.length + log.faults.length;
  const ok = wrong.length === 0 && served5xx === 0 && whileDown.bare503 === 0 && checkOk(check) && dup === 0;
  return {
    ok,
    lines: [
      `| commissions driven to agreement | ${ids.length - wrong.length} of ${opts.commissions} | all |`,
      `| database down | ${opts.downSeconds} s | |`,
      `| answers to reads while it was down | ${downAnswers} | 503 with Retry-After, never 500 |`,
      `| 503 without Retry-After | ${whileDown.bare503} | 0 |`,
      `| 5xx other than 503, whole run | ${served5xx} | 0 |`,
      ...checkLines(check),
      `| duplicate emails | ${dup} | 0 |`,
      `| from the database's return to the last commission agreed | ${((Date.now() - upAt) / 1000).toFixed(1)} s | |`,
      ...(wrong.length ? ['', ...wrong.slice(0, 10).map((w) => `- ${w}`)] : []),
      ...(log.faults.length ? ['', ...log.faults.slice(0, 10).map((f) => `- ${f}`)] : []),
      '',
      `Statuses seen by the load (which retries 503): ${JSON.stringify(log.statuses)}.`,
    ],
  };
}

/**
 * Two workers and two API instances on one database: decisions through one API are read at once
 * through the other (read-your-writes across instances), no duplicate rows, no lost task.
 */
export async function twoOfEachDrill(system: RunningSystem, opts: { commissions: number }): Promise<DrillReport> {
  const log = newLog();
  const other = await system.startAnotherApi();
  await system.startAnotherWorker();
  const apis = [system.baseUrl, other];
  const began = Date.now();
  const ids: string[] = [];
  let checks = 0;
  const misses: string[] = [];
  const via = (base: string): RunningSystem => ({ ...system, baseUrl: base });
  await pool(opts.commissions, 6, async (i) => {
    const [a, b] = i % 2 ? [apis[0]!, apis[1]!] : [apis[1]!, apis[0]!];
    const id = await createCommission(via(a), log, `two-${began}-${i}`);
    ids.push(id);
    for (let n = 0; ; n++) {
      const open = await call(via(b), log, 'GET', `/api/v1/tasks/${id}.lead`, keys.nenc);
      if (open.status === 200) break;
      if (n > 200) throw new Error(`${id}: the lead task never reached the other API`);
      await sleep(100);
    }
    for (const [key, person, decideOn, readOn] of [
      [keys.nenc, 'nenc-commissioner', a, b],
      [keys.lsc, 'lsc-commissioner', b, a],
    ] as const) {
      const decided = await call(via(decideOn), log, 'POST', `/api/v1/tasks/${id}.lead/decision`, key, { decision: 'agree' });
      if (decided.status !== 200) throw new Error(`${id}: decision ${decided.status} ${JSON.stringify(decided.json).slice(0, 200)}`);
      // At once, on the other instance: the task shows the decision, and the inbox no longer lists it.
      const task = (await call(via(readOn), log, 'GET', `/api/v1/tasks/${id}.lead`, key)).json as { id?: string; decisions?: { by: string }[] };
      const inbox = (await fetch(`${readOn}/api/v1/tasks`, { headers: headers(key) }).then((r) => r.json())) as { tasks: { id: string }[] };
      checks++;
      if (!task.decisions?.some((d) => d.by === person) || inbox.tasks.some((t) => t.id === task.id)) misses.push(`${id}: ${person}'s decision not yet visible on the other API`);
    }
  });
  const wrong = await checkAgreed(system, log, ids);
  const check = await recordCheck(system, ids);
  const ok = wrong.length === 0 && misses.length === 0 && log.faults.length === 0 && checkOk(check);
  return {
    ok,
    lines: [
      `| commissions, alternating between the two APIs | ${ids.length - wrong.length} of ${opts.commissions} agreed | all |`,
      `| decisions read at once through the other API | ${checks - misses.length} of ${checks} | all |`,
      `| 5xx other than 503 | ${log.faults.length} | 0 |`,
      ...checkLines(check),
      ...(misses.length ? ['', ...misses.slice(0, 10).map((m) => `- ${m}`)] : []),
      ...(wrong.length ? ['', ...wrong.slice(0, 10).map((w) => `- ${w}`)] : []),
    ],
  };
}

export { recordCheck as checkRecord, checkLines as recordCheckLines, checkOk as recordCheckOk };
