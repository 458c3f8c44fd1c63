import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Database, RecordDb } from './index';
import type { RecordSchema } from './schema';
import type { HistoryEntry } from '../domain/commission';
import type { Channel } from '../domain/task';

export type RecordRow = Selectable<RecordSchema['record_events']>;

/** One event of a case as the workflow hands it over. */
export interface RecordEvent {
  at: string;
  event: string;
  by?: string | undefined;
  partner?: string | undefined;
  role?: string | undefined;
  actingFor?: string | undefined;
  channel?: string | undefined;
  what?: string | undefined;
  reason?: string | undefined;
  policyVersion: string;
}

/** A different event already at this place in the record: never overwritten, never dropped. */
export class RecordConflict extends Error {
  constructor(
    readonly subjectId: string,
    readonly seq: number,
  ) {
    super(`The record of ${subjectId} already holds a different event number ${seq}; a record is never rewritten.`);
    this.name = 'RecordConflict';
  }
}

type Content = Omit<RecordRow, 'hash' | 'recorded_at'>;

/** The fields the chain covers, in a fixed order, so the hash is the same on every engine. */
function canonical(r: Content): string {
  return JSON.stringify([
    r.subject_id, r.instance, r.seq, r.subject_type, r.at, r.event, r.by_person, r.partner, r.role,
    r.acting_for, r.channel, r.what, r.reason, r.policy_version, r.prev_hash,
  ]);
}

export function hashOf(r: Content): string {
  return createHash('sha256').update(canonical(r)).digest('hex');
}

function rowOf(subject: { id: string; instance: string; type: string }, seq: number, e: RecordEvent, prevHash: string | null): Content {
  return {
    subject_id: subject.id,
    instance: subject.instance,
    seq,
    subject_type: subject.type,
    at: e.at,
    event: e.event,
    by_person: e.by ?? null,
    partner: e.partner ?? null,
    role: e.role ?? null,
    acting_for: e.actingFor ?? null,
    channel: e.channel ?? null,
    what: e.what ?? null,
    reason: e.reason ?? null,
    policy_version: e.policyVersion,
    prev_hash: prevHash,
  };
}

/**
 * Appends events `from`, `from + 1`, … of one case, in the caller's transaction. The same event
 * again at its place is a no-op (a retried write); a different one is a RecordConflict. Each row
 * carries the hash of the one before it in the case, so any later change shows.
 */
export async function appendEvents(
  tx: RecordDb,
  subject: { id: string; instance: string; type: string },
  from: number,
  events: RecordEvent[],
  recordedAt: string,
): Promise<number> {
  if (events.length === 0) return 0;
  const existing = await tx
    .selectFrom('record_events')
    .selectAll()
    .where('subject_id', '=', subject.id)
    .where('instance', '=', subject.instance)
    .where('seq', '>=', Math.max(0, from - 1))
    .where('seq', '<', from + events.length)
    .orderBy('seq')
    .execute();
  const bySeq = new Map(existing.map((r) => [r.seq, r]));
  let prev = bySeq.get(from - 1)?.hash ?? null;
  let written = 0;
  for (const [i, e] of events.entries()) {
    const seq = from + i;
    const had = bySeq.get(seq);
    if (had) {
      const again = rowOf(subject, seq, e, had.prev_hash);
      if (hashOf(again) !== had.hash) throw new RecordConflict(subject.id, seq);
      prev = had.hash;
      continue;
    }
    const content = rowOf(subject, seq, e, prev);
    const hash = hashOf(content);
    // Two attempts of one write can overlap (a retry while the first still runs): the second
    // finds the row there and compares, as for any retry.
    const inserted = await tx
      .insertInto('record_events')
      .values({ ...content, hash, recorded_at: recordedAt })
      .onConflict((oc) => oc.columns(['subject_id', 'instance', 'seq']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
      const raced = await tx.selectFrom('record_events').select('hash').where('subject_id', '=', subject.id).where('instance', '=', subject.instance).where('seq', '=', seq).executeTakeFirstOrThrow();
      if (raced.hash !== hash) throw new RecordConflict(subject.id, seq);
    } else {
      written++;
    }
    prev = hash;
  }
  return written;
}

export interface Verification {
  subjectId: string;
  instance: string;
  intact: boolean;
  events: number;
  lastHash: string | null;
  /** The first row whose hash or link to the row before does not hold. */
  firstBroken?: { seq: number; problem: string } | undefined;
}

/** Checks one case's chain row by row; names the first row that does not hold. */
export async function verifyCase(db: RecordDb, subjectId: string, instance: string): Promise<Verification> {
  let prev: string | null = null;
  // Every case starts at event 0 with no link before it: a removed first event shows too.
  let expectSeq = 0;
  let events = 0;
  for await (const row of rowsOf(db, subjectId, instance)) {
    events++;
    const fail = (problem: string): Verification => ({ subjectId, instance, intact: false, events, lastHash: prev, firstBroken: { seq: row.seq, problem } });
    if (row.seq !== expectSeq) return fail(`event ${expectSeq} is missing`);
    if (row.prev_hash !== prev) return fail('it does not link to the event before it');
    if (hashOf(row) !== row.hash) return fail('its content does not match its hash: it was changed after it was recorded');
    prev = row.hash;
    expectSeq = row.seq + 1;
  }
  return { subjectId, instance, intact: true, events, lastHash: prev };
}

/** The cases (instances) recorded under a subject id, oldest first. */
export async function casesOf(db: RecordDb, subjectId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('record_events')
    .select(['instance'])
    .select((eb) => eb.fn.min('at').as('first'))
    .where('subject_id', '=', subjectId)
    .groupBy('instance')
    .orderBy('first')
    .execute();
  return rows.map((r) => r.instance);
}

/** Every row of a case in order, read in pages so a long record is never held whole. */
export async function* rowsOf(db: RecordDb, subjectId: string, instance?: string, pageSize = 500): AsyncGenerator<RecordRow> {
  const instances = instance ? [instance] : await casesOf(db, subjectId);
  for (const inst of instances) {
    let after = -1;
    for (;;) {
      const page = await db
        .selectFrom('record_events')
        .selectAll()
        .where('subject_id', '=', subjectId)
        .where('instance', '=', inst)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(pageSize)
        .execute();
      yield* page;
      if (page.length < pageSize) break;
      after = page.at(-1)!.seq;
    }
  }
}

/** A row of the record in the shape the workflows keep their history. */
export function historyEntryOf(r: RecordRow): HistoryEntry {
  return {
    at: r.at,
    event: r.event,
    ...(r.by_person ? { by: r.by_person } : {}),
    ...(r.partner ? { partner: r.partner } : {}),
    ...(r.acting_for ? { actingFor: r.acting_for } : {}),
    ...(r.channel ? { channel: r.channel as Channel } : {}),
    ...(r.what ? { detail: r.what } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
  };
}

export interface PeriodFilter {
  from: string;
  to: string;
  type?: string | undefined;
  /** Only subjects this partner takes part in. */
  partner?: string | undefined;
}

/** The subjects with events in a period (as rowsInPeriod filters them): whose records a period export reads. */
export async function subjectsInPeriod(db: RecordDb, f: PeriodFilter): Promise<string[]> {
  let q = db.selectFrom('record_events as e').select('e.subject_id').distinct().where('e.at', '>=', f.from).where('e.at', '<', f.to);
  if (f.type) q = q.where('e.subject_type', '=', f.type);
  if (f.partner) {
    const like = `%"${f.partner}"%`;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('subjects as s').select('s.subject_id').whereRef('s.subject_id', '=', 'e.subject_id').whereRef('s.instance', '=', 'e.instance').where('s.partners', 'like', like)),
    );
  }
  return (await q.execute()).map((r) => r.subject_id);
}

/** Every event of a period, in time order, in pages: a year exports without being held in memory. */
export async function* rowsInPeriod(db: RecordDb, f: PeriodFilter, pageSize = 500): AsyncGenerator<RecordRow> {
  let cursor: { at: string; subject_id: string; instance: string; seq: number } | undefined;
  for (;;) {
    let q = db
      .selectFrom('record_events as e')
      .selectAll('e')
      .where('e.at', '>=', f.from)
      .where('e.at', '<', f.to);
    if (f.type) q = q.where('e.subject_type', '=', f.type);
    if (f.partner) {
      const like = `%"${f.partner}"%`;
      q = q.where((eb) =>
        eb.exists(
          eb.selectFrom('subjects as s').select('s.subject_id').whereRef('s.subject_id', '=', 'e.subject_id').whereRef('s.instance', '=', 'e.instance').where('s.partners', 'like', like),
        ),
      );
    }
    if (cursor) {
      const c = cursor;
      q = q.where((eb) =>
        eb.or([
          eb('e.at', '>', c.at),
          eb.and([eb('e.at', '=', c.at), eb('e.subject_id', '>', c.subject_id)]),
          eb.and([eb('e.at', '=', c.at), eb('e.subject_id', '=', c.subject_id), eb('e.instance', '>', c.instance)]),
          eb.and([eb('e.at', '=', c.at), eb('e.subject_id', '=', c.subject_id), eb('e.instance', '=', c.instance), eb('e.seq', '>', c.seq)]),
        ]),
      );
    }
    const page = await q.orderBy('e.at').orderBy('e.subject_id').orderBy('e.instance').orderBy('e.seq').limit(pageSize).execute();
    yield* page;
    if (page.length < pageSize) return;
    const last = page.at(-1)!;
    cursor = { at: last.at, subject_id: last.subject_id, instance: last.instance, seq: last.seq };
  }
}

/** Keeps the text behind a policy version; the first text stored for a version stays. */
export async function keepPolicy(database: Database, version: string, text: string): Promise<void> {
  await database.db
    .insertInto('policies')
    .values({ version, text, recorded_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('version').doNothing())
    .execute();
}

/** Checks every case in the record: what `npm run record:verify` prints. */
export async function verifyAll(db: RecordDb): Promise<{ cases: number; events: number; broken: Verification[] }> {
  const cases = await db.selectFrom('record_events').select(['subject_id', 'instance']).distinct().orderBy('subject_id').orderBy('instance').execute();
  const broken: Verification[] = [];
  let events = 0;
  for (const c of cases) {
    const v = await verifyCase(db, c.subject_id, c.instance);
    events += v.events;
    if (!v.intact) broken.push(v);
  }
  return { cases: cases.length, events, broken };
}
