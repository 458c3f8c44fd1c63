import { sql } from 'kysely';
import type { Database } from '../../db';
import { appendEvents, casesOf, RecordConflict, rowsInPeriod, verifyAll, verifyCase, type RecordRow } from '../../db/record';
import { applySnapshot } from '../../db/readModels';
import { at, dbTest, engines, event, snapshot, type EngineName } from './helpers';

const S = { id: 'jc-0001', instance: 'jc-0001-run-1', type: 'commission' };
const append = (d: Database, subject: typeof S, from: number, n: number, over = {}) =>
  d.write((tx) => appendEvents(tx, subject, from, Array.from({ length: n }, (_, i) => event(from + i, over)), at(100)));

/** Lets a test change the record as an attacker with database access could: the guard off. */
async function bypassGuard(d: Database): Promise<void> {
  if (d.engine === 'sqlite') {
    await sql`DROP TRIGGER record_events_no_update`.execute(d.db);
    await sql`DROP TRIGGER record_events_no_delete`.execute(d.db);
  } else {
    await sql`ALTER TABLE record_events DISABLE TRIGGER record_events_guard`.execute(d.db);
  }
}

/**
 * The message a refused statement fails with. Not `rejects.toThrow`: the SQLite driver's native part
 * keeps the error class of the first test file that loaded it, from another realm than this file's.
 */
const refusal = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'it was not refused',
    (e: unknown) => String((e as { message?: unknown }).message),
  );

const rowsOfCase = (d: Database, s: typeof S) =>
  d.db.selectFrom('record_events').selectAll().where('subject_id', '=', s.id).where('instance', '=', s.instance).orderBy('seq').execute();

describe.each(engines)('the decision record on %s', (engine: EngineName) => {
  const it = dbTest(engine);

  it('appends a chain; the same write again is a no-op', async ({ database: d }) => {
    expect(await append(d, S, 0, 5)).toBe(5);
    const before = await rowsOfCase(d, S);
    expect(before.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(before[0]!.prev_hash).toBeNull();
    for (let i = 1; i < 5; i++) expect(before[i]!.prev_hash).toBe(before[i - 1]!.hash);
    // A retried activity hands over the same events again, and some new ones after them.
    expect(await append(d, S, 0, 5)).toBe(0);
    expect(await append(d, S, 3, 4)).toBe(2);
    const after = await rowsOfCase(d, S);
    expect(after.slice(0, 5)).toEqual(before);
    expect(after.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await verifyCase(d.db, S.id, S.instance)).toMatchObject({ intact: true, events: 7, lastHash: after[6]!.hash });
  });

  it('refuses a different event at a place already written, and leaves the stored one', async ({ database: d }) => {
    await append(d, S, 0, 3);
    const before = await rowsOfCase(d, S);
    const err = await append(d, S, 1, 1, { what: 'something else' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecordConflict);
    expect(err).toMatchObject({ subjectId: S.id, seq: 1 });
    // The conflict rolled the whole write back: nothing after it was written either.
    await expect(d.write((tx) => appendEvents(tx, S, 2, [event(2), event(3)], at(100)).then(() => appendEvents(tx, S, 1, [event(1, { event: 'other' })], at(100))))).rejects.toBeInstanceOf(RecordConflict);
    expect(await rowsOfCase(d, S)).toEqual(before);
  });

  it('keeps two cases of one subject id apart', async ({ database: d }) => {
    const second = { ...S, instance: 'jc-0001-run-2' };
    await append(d, S, 0, 3);
    await d.write((tx) => appendEvents(tx, second, 0, [event(50, { what: 'referred again' }), event(51)], at(100)));
    expect(await casesOf(d.db, S.id)).toEqual([S.instance, second.instance]);
    const a = await rowsOfCase(d, S);
    const b = await rowsOfCase(d, second);
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(2);
    expect(b[0]!.prev_hash).toBeNull();
    expect(b[0]!.what).toBe('referred again');
    expect(await verifyCase(d.db, S.id, S.instance)).toMatchObject({ intact: true, events: 3 });
    expect(await verifyCase(d.db, S.id, second.instance)).toMatchObject({ intact: true, events: 2 });
    expect(await verifyAll(d.db)).toEqual({ cases: 2, events: 5, broken: [] });
  });

  it('verification names the first changed row', async ({ database: d }) => {
    await append(d, S, 0, 5);
    await append(d, { ...S, id: 'jc-0002', instance: 'jc-0002-run-1' }, 0, 2);
    await bypassGuard(d);
    await d.db.updateTable('record_events').set({ what: 'rewritten' }).where('subject_id', '=', S.id).where('seq', '=', 2).execute();
    const v = await verifyCase(d.db, S.id, S.instance);
    expect(v).toMatchObject({ intact: false, firstBroken: { seq: 2 } });
    expect(v.firstBroken!.problem).toMatch(/changed/);
    const all = await verifyAll(d.db);
    expect(all.cases).toBe(2);
    expect(all.broken).toHaveLength(1);
    expect(all.broken[0]).toMatchObject({ subjectId: S.id, instance: S.instance, firstBroken: { seq: 2 } });
  });

  it('verification names a removed event as missing (middle and first)', async ({ database: d }) => {
    const other = { ...S, id: 'jc-0003', instance: 'jc-0003-run-1' };
    await append(d, S, 0, 5);
    await append(d, other, 0, 3);
    await bypassGuard(d);
    await d.db.deleteFrom('record_events').where('subject_id', '=', S.id).where('seq', '=', 2).execute();
    const v = await verifyCase(d.db, S.id, S.instance);
    expect(v).toMatchObject({ intact: false, firstBroken: { seq: 3 } });
    expect(v.firstBroken!.problem).toMatch(/event 2 is missing/);
    await d.db.deleteFrom('record_events').where('subject_id', '=', other.id).where('seq', '=', 0).execute();
    expect((await verifyCase(d.db, other.id, other.instance)).firstBroken?.problem).toMatch(/event 0 is missing/);
    expect((await verifyAll(d.db)).broken.map((b) => b.subjectId)).toEqual([S.id, other.id]);
  });

  it('the database itself refuses UPDATE and DELETE of the record, except a recorded disposal of an unheld case', async ({ database: d }) => {
    const second = { ...S, instance: 'jc-0001-run-2' };
    await append(d, S, 0, 3);
    await append(d, second, 0, 2);
    const count = async (s: typeof S) => (await rowsOfCase(d, s)).length;
    expect(await refusal(d.db.updateTable('record_events').set({ what: 'x' }).where('subject_id', '=', S.id).execute())).toMatch(/append-only/);
    expect(await refusal(sql`UPDATE record_events SET seq = seq + 100`.execute(d.db))).toMatch(/append-only/);
    expect(await refusal(d.db.deleteFrom('record_events').where('subject_id', '=', S.id).execute())).toMatch(/append-only/);

    // A hold in place: the disposal is recorded, the delete is still refused.
    await d.db.insertInto('holds').values({ hold_id: 'h1', subject_id: S.id, placed_by: 'records-officer', placed_at: at(200), reason: 'FOI request', lifted_by: null, lifted_at: null, lift_reason: null }).execute();
    await d.db.insertInto('disposals').values({ subject_id: S.id, instance: S.instance, subject_type: S.type, disposed_at: at(300), disposed_by: 'records-officer', events: 3, last_hash: null }).execute();
    expect(await refusal(d.db.deleteFrom('record_events').where('subject_id', '=', S.id).where('instance', '=', S.instance).execute())).toMatch(/append-only/);
    expect(await count(S)).toBe(3);

    await d.db.updateTable('holds').set({ lifted_by: 'records-officer', lifted_at: at(400), lift_reason: 'answered' }).where('hold_id', '=', 'h1').execute();
    // The other case of the same subject id has no disposal: still refused, and all or nothing.
    expect(await refusal(d.db.deleteFrom('record_events').where('subject_id', '=', S.id).execute())).toMatch(/append-only/);
    expect(await count(S)).toBe(3);
    await d.db.deleteFrom('record_events').where('subject_id', '=', S.id).where('instance', '=', S.instance).execute();
    expect(await count(S)).toBe(0);
    expect(await count(second)).toBe(2);
    // Still no rewriting of what remains.
    expect(await refusal(d.db.updateTable('record_events').set({ what: 'x' }).where('instance', '=', second.instance).execute())).toMatch(/append-only/);
  });

  it('rowsInPeriod streams a period in pages, in time order, filtered by type and partner', async ({ database: d }) => {
    // 7 subjects × 7 events, some at the same instant; two types; partners known from the read model.
    const subjects = Array.from({ length: 7 }, (_, i) => ({
      id: `${i % 2 ? 'jd' : 'jc'}-000${i}`,
      instance: `run-${i}`,
      type: i % 2 ? 'dispute' : 'commission',
      partners: i % 3 === 0 ? ['council', 'icb'] : ['council', 'trust'],
    }));
    for (const [n, s] of subjects.entries()) {
      await d.write(async (tx) => {
        await appendEvents(tx, s, 0, Array.from({ length: 7 }, (_, k) => event(k * 3 + (n % 3))), at(100));
        await applySnapshot(tx, 1, snapshot(s.id, { instance: s.instance, type: s.type as 'commission', partners: s.partners }), []);
      });
    }
    const key = (r: RecordRow) => [r.at, r.subject_id, r.instance, String(r.seq).padStart(4, '0')].join('|');
    const all = (await d.db.selectFrom('record_events').selectAll().execute()).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(all).toHaveLength(49);
    const collect = async (f: Parameters<typeof rowsInPeriod>[1], pageSize: number) => {
      const out: RecordRow[] = [];
      for await (const r of rowsInPeriod(d.db, f, pageSize)) out.push(r);
      return out;
    };
    const period = { from: at(0), to: at(1000) };
    for (const pageSize of [7, 10, 49, 500]) expect((await collect(period, pageSize)).map(key)).toEqual(all.map(key));
    // Bounds: from is inclusive, to exclusive.
    const window = await collect({ from: at(3), to: at(9) }, 7);
    expect(window.map(key)).toEqual(all.filter((r) => r.at >= at(3) && r.at < at(9)).map(key));
    expect(window.length).toBeGreaterThan(7);
    const disputes = await collect({ ...period, type: 'dispute' }, 7);
    expect(disputes.map(key)).toEqual(all.filter((r) => r.subject_type === 'dispute').map(key));
    expect(disputes).toHaveLength(21);
    const icb = await collect({ ...period, partner: 'icb' }, 7);
    const withIcb = new Set(subjects.filter((s) => s.partners.includes('icb')).map((s) => s.id));
    expect(icb.map(key)).toEqual(all.filter((r) => withIcb.has(r.subject_id)).map(key));
    expect(await collect({ ...period, partner: 'nobody' }, 7)).toEqual([]);
  });
});
