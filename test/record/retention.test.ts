import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { loadPartnership, parsePartnership } from '../../config';
import { openMigratedDatabase, type Database } from '../../db';
import { placeHold, liftHold } from '../../db/holds';
import { DisposalRefused, disposeCase, dueForDisposal } from '../../db/retention';
import { defaultRetention } from '../../domain/partnership';
import { parseRetention, retainedUntil } from '../../domain/retention';
import { disposeRecords, parseDisposeArgs } from '../../scripts/recordDispose';
import { verifyRecord } from '../../scripts/recordVerify';
import { seedCase, tempDatabase } from './fixtures';

test('retention periods are written in years, months or days (or ISO 8601); working days are refused', () => {
  expect(parseRetention('7 years')).toEqual({ years: 7, months: 0, days: 0 });
  expect(parseRetention('18 months')).toEqual({ years: 0, months: 18, days: 0 });
  expect(parseRetention('90 days')).toEqual({ years: 0, months: 0, days: 90 });
  expect(parseRetention('P6Y')).toEqual({ years: 6, months: 0, days: 0 });
  expect(parseRetention('10 working days')).toBeUndefined();
  expect(parseRetention('PT30S')).toBeUndefined();
  expect(retainedUntil(new Date('2019-03-31T12:00:00Z'), '7 years').toISOString()).toBe('2026-03-31T12:00:00.000Z');
});

test('the partnership file states retention per subject type; 7 years each by default; a bad period is named', () => {
  expect(loadPartnership().retention).toEqual(defaultRetention);
  const base = { partnership: { id: 'p', name: 'P' }, partners: [{ id: 'a', name: 'A', kind: 'icb' }, { id: 'b', name: 'B', kind: 'icb' }], people: [] };
  expect(parsePartnership({ ...base, retention: { referral: '25 years' } }).retention).toEqual({ ...defaultRetention, referral: '25 years' });
  expect(() => parsePartnership({ ...base, retention: { dispute: '10 working days', other: '1 year' } })).toThrow(/retention\.dispute: must be .*\n.*retention: Unrecognized key: "other"/s);
});

/**
 * The message a promise rejects with. (the SQLite driver's errors come from the realm that first
 * loaded the native module, so with several test files in one process they fail `instanceof Error`
 * and jest's `rejects.toThrow` would not see them.)
 */
const refusal = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'not refused',
    (e: unknown) => String((e as { message?: unknown }).message ?? e),
  );

describe('disposal', () => {
  let database: Database;
  let dir: string;
  const env = () => ({ JCO_DATA_DIR: dir });
  const run = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await disposeRecords(argv, env(), (l) => lines.push(l));
    return { code, out: lines.join('\n') };
  };
  const count = async (table: 'record_events' | 'subjects' | 'tasks' | 'task_assignees' | 'disposals', subjectId?: string) => {
    let q = database.db.selectFrom(table).select(sql<number>`count(*)`.as('n'));
    if (subjectId && table !== 'task_assignees') q = q.where('subject_id', '=', subjectId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };

  beforeAll(async () => {
    ({ database, dir } = await tempDatabase());
    // Ended 2018: due in 2025. Ended 2018 but held: never. Ended 2024: not yet. Open: never.
    await seedCase(database, { id: 'jc-old000001', partners: ['council', 'nenc-icb'], startedAt: '2017-05-01T09:00:00.000Z', endedAt: '2018-06-01T00:00:00.000Z', count: 4 });
    await seedCase(database, { id: 'jd-old000001', type: 'dispute', partners: ['council', 'nenc-icb'], startedAt: '2017-05-01T09:00:00.000Z', endedAt: '2018-06-01T00:00:00.000Z' });
    await seedCase(database, { id: 'jc-held00001', partners: ['council', 'lsc-icb'], startedAt: '2017-05-01T09:00:00.000Z', endedAt: '2018-01-01T00:00:00.000Z' });
    await seedCase(database, { id: 'jc-new000001', partners: ['council', 'lsc-icb'], startedAt: '2023-05-01T09:00:00.000Z', endedAt: '2024-01-01T00:00:00.000Z' });
    await seedCase(database, { id: 'jc-open00001', partners: ['council', 'lsc-icb'], startedAt: '2017-05-01T09:00:00.000Z' });
    await placeHold(database, { subjectId: 'jc-held00001', by: 'council-records-officer', reason: 'Litigation pending', at: '2024-01-01T00:00:00.000Z' });
  });

  afterAll(async () => {
    await database?.close();
  });

  test('options: --dry-run, --now, --by, --limit; anything else is refused with the usage', () => {
    const d = { now: new Date('2030-01-01T00:00:00Z'), by: 'me' };
    expect(parseDisposeArgs(['--dry-run', '--now=2025-07-01T00:00:00Z', '--by=records team', '--limit=10'], d)).toEqual({ dryRun: true, now: new Date('2025-07-01T00:00:00Z'), by: 'records team', limit: 10 });
    expect(parseDisposeArgs([], d)).toEqual({ dryRun: false, now: d.now, by: 'me', limit: 1000 });
    expect(() => parseDisposeArgs(['--now=soon'], d)).toThrow(/--now must be/);
    expect(() => parseDisposeArgs(['--force'], d)).toThrow(/usage: npm run record:dispose/);
  });

  test('due: ended more than the retention period ago, not held, not open', async () => {
    const due = await dueForDisposal(database.db, defaultRetention, new Date('2025-07-01T00:00:00Z'));
    expect(due.map((c) => c.subjectId).sort()).toEqual(['jc-old000001', 'jd-old000001']);
    expect(due.find((c) => c.subjectId === 'jc-old000001')).toMatchObject({ endedAt: '2018-06-01T00:00:00.000Z', dueAt: '2025-06-01T00:00:00.000Z', retention: '7 years' });
    // A day before it is due, it is not.
    expect(await dueForDisposal(database.db, defaultRetention, new Date('2025-05-31T23:59:59Z'))).toEqual([]);
    // A shorter period for disputes only.
    expect((await dueForDisposal(database.db, { ...defaultRetention, commission: '50 years' }, new Date('2025-07-01T00:00:00Z'))).map((c) => c.subjectId)).toEqual(['jd-old000001']);
  });

  test('a dry run lists what is due and changes nothing', async () => {
    const before = await count('record_events');
    const { code, out } = await run('--dry-run', '--now=2025-07-01T00:00:00Z');
    expect(code).toBe(0);
    expect(out).toMatch(/2 cases due for disposal at 2025-07-01T00:00:00.000Z \(dry run: nothing changes\)/);
    expect(out).toMatch(/would dispose of commission jc-old000001 \(case jc-old000001-run-1\): ended 2018-06-01T00:00:00.000Z, kept 7 years, due 2025-06-01T00:00:00.000Z/);
    expect(out).not.toMatch(/jc-held00001|jc-new000001|jc-open00001/);
    expect(await count('record_events')).toBe(before);
    expect(await count('disposals')).toBe(0);
  });

  test('a real run records each disposal, then deletes the case: record, tasks, assignees, subject', async () => {
    const { code, out } = await run('--now=2025-07-01T00:00:00Z', '--by=test records team');
    expect(code).toBe(0);
    expect(out).toMatch(/disposed of commission jc-old000001 .*: 4 events, last hash [0-9a-f]{64}/);
    expect(out).toMatch(/disposed of dispute jd-old000001/);
    for (const t of ['record_events', 'subjects', 'tasks'] as const) expect([t, await count(t, 'jc-old000001')]).toEqual([t, 0]);
    expect(await count('task_assignees')).toBe(3);
    const disposals = await database.db.selectFrom('disposals').selectAll().orderBy('subject_id').execute();
    expect(disposals).toEqual([
      expect.objectContaining({ subject_id: 'jc-old000001', subject_type: 'commission', disposed_at: '2025-07-01T00:00:00.000Z', disposed_by: 'test records team', events: 4, last_hash: expect.stringMatching(/^[0-9a-f]{64}$/) }),
      expect.objectContaining({ subject_id: 'jd-old000001', subject_type: 'dispute', events: 3 }),
    ]);
    // The rest is kept, and a second run finds nothing more.
    expect(await count('record_events', 'jc-held00001')).toBe(3);
    expect(await count('record_events', 'jc-new000001')).toBe(3);
    expect((await run('--now=2025-07-01T00:00:00Z')).out).toMatch(/0 cases due/);
  });

  test('a held subject is never disposed of, even past its time; the database refuses to delete it directly', async () => {
    expect((await run('--now=2090-01-01T00:00:00Z', '--dry-run')).out).not.toMatch(/jc-held00001/);
    // A hold placed between listing and disposing is seen inside the disposal's transaction.
    await expect(disposeCase(database, { subjectId: 'jc-held00001', instance: 'jc-held00001-run-1' }, 'test', new Date('2090-01-01T00:00:00Z'), defaultRetention)).rejects.toThrow(
      /jc-held00001 \(case jc-held00001-run-1\) was not disposed of: legal hold hold-[0-9a-f]{16} is in place/,
    );
    await expect(disposeCase(database, { subjectId: 'jc-open00001', instance: 'jc-open00001-run-1' }, 'test', new Date('2090-01-01T00:00:00Z'), defaultRetention)).rejects.toBeInstanceOf(DisposalRefused);
    expect(await count('record_events', 'jc-held00001')).toBe(3);
    // Even with a disposal recorded by hand, the trigger refuses while the hold is in place.
    await database.db.insertInto('disposals').values({ subject_id: 'jc-held00001', instance: 'jc-held00001-run-1', subject_type: 'commission', disposed_at: '2090-01-01T00:00:00.000Z', disposed_by: 'test', events: 3, last_hash: null }).execute();
    expect(await refusal(database.db.deleteFrom('record_events').where('subject_id', '=', 'jc-held00001').execute())).toMatch(/append-only/);
    await database.db.deleteFrom('disposals').where('subject_id', '=', 'jc-held00001').execute();
    // Without a recorded disposal, nothing can be deleted, held or not.
    expect(await refusal(database.db.deleteFrom('record_events').where('subject_id', '=', 'jc-new000001').execute())).toMatch(/append-only/);
    expect(await count('record_events', 'jc-held00001')).toBe(3);

    // Once the hold is lifted, its time having come, it goes.
    const [hold] = await database.db.selectFrom('holds').select('hold_id').where('subject_id', '=', 'jc-held00001').execute();
    await liftHold(database, { subjectId: 'jc-held00001', holdId: hold!.hold_id, by: 'council-records-officer', reason: 'Litigation settled', at: '2026-01-01T00:00:00.000Z' });
    const { out } = await run('--now=2026-01-01T00:00:00Z');
    expect(out).toMatch(/disposed of commission jc-held00001/);
    expect(await count('record_events', 'jc-held00001')).toBe(0);
  });
});

test('record:verify prints what it checked and each broken case with its first broken event; exit 1 if any', async () => {
  const { database, dir } = await tempDatabase();
  try {
    await seedCase(database, { id: 'jc-fine00001', partners: ['council', 'nenc-icb'], count: 3 });
    await seedCase(database, { id: 'jc-bad000001', partners: ['council', 'nenc-icb'], count: 4 });
    const lines: string[] = [];
    expect(await verifyRecord({ JCO_DATA_DIR: dir }, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/: 2 cases, 7 events checked\.\nEvery hash chain is intact\./);

    await sql`DROP TRIGGER record_events_no_update`.execute(database.db);
    await database.db.updateTable('record_events').set({ by_person: 'someone-else' }).where('subject_id', '=', 'jc-bad000001').where('seq', '=', 2).execute();
    lines.length = 0;
    expect(await verifyRecord({ JCO_DATA_DIR: dir }, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toMatch(/BROKEN jc-bad000001 \(case jc-bad000001-run-1\): event 2: its content does not match its hash/);
    expect(lines.join('\n')).toMatch(/1 case is broken\./);
    expect(lines.join('\n')).not.toMatch(/BROKEN jc-fine00001/);
  } finally {
    await database.close();
  }
});

test('npm run record:dispose reads the retention of the partnership file JCO_CONFIG names', async () => {
  const { database, dir } = await tempDatabase();
  try {
    await seedCase(database, { id: 'jr-short0001', type: 'referral', partners: ['council', 'nenc-icb'], startedAt: '2025-01-01T00:00:00.000Z', endedAt: '2025-02-01T00:00:00.000Z' });
    const file = path.join(dir, 'partnership.json');
    writeFileSync(file, JSON.stringify({ ...loadPartnership(), retention: { referral: '30 days' } }));
    const lines: string[] = [];
    expect(await disposeRecords(['--dry-run', '--now=2025-03-05T00:00:00Z'], { JCO_DATA_DIR: dir, JCO_CONFIG: file }, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/would dispose of referral jr-short0001 .*kept 30 days, due 2025-03-03T00:00:00.000Z/);
  } finally {
    await database.close();
  }
});

test('a disposal made by the script (another process) is seen when the database is reopened', async () => {
  const { database, dir } = await tempDatabase();
  await seedCase(database, { id: 'jc-gone00001', partners: ['council', 'nenc-icb'], startedAt: '2010-01-01T00:00:00.000Z', endedAt: '2010-02-01T00:00:00.000Z' });
  await database.close();
  expect(await disposeRecords(['--now=2030-01-01T00:00:00Z'], { JCO_DATA_DIR: dir }, () => undefined)).toBe(0);
  const reopened = await openMigratedDatabase({ dataDir: dir });
  try {
    expect(await reopened.db.selectFrom('record_events').selectAll().execute()).toEqual([]);
    expect(await reopened.db.selectFrom('disposals').select(['subject_id', 'events']).execute()).toEqual([{ subject_id: 'jc-gone00001', events: 3 }]);
  } finally {
    await reopened.close();
  }
});
