import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Database, RecordDb } from './index';
import type { RecordSchema } from './schema';

export type HoldRow = Selectable<RecordSchema['holds']>;

/** A subject keeps at most this many holds (placed and lifted): its record response stays bounded. */
export const MAX_HOLDS_PER_SUBJECT = 200;

export interface Hold {
  id: string;
  subjectId: string;
  placedBy: string;
  placedAt: string;
  reason: string;
  liftedBy: string | null;
  liftedAt: string | null;
  liftReason: string | null;
  active: boolean;
}

export const holdOf = (r: HoldRow): Hold => ({
  id: r.hold_id,
  subjectId: r.subject_id,
  placedBy: r.placed_by,
  placedAt: r.placed_at,
  reason: r.reason,
  liftedBy: r.lifted_by,
  liftedAt: r.lifted_at,
  liftReason: r.lift_reason,
  active: r.lifted_at === null,
});

export async function holdsOf(db: RecordDb, subjectId: string): Promise<Hold[]> {
  const rows = await db.selectFrom('holds').selectAll().where('subject_id', '=', subjectId).orderBy('placed_at').orderBy('hold_id').limit(MAX_HOLDS_PER_SUBJECT).execute();
  return rows.map(holdOf);
}

export class HoldRefused extends Error {
  constructor(
    readonly why: 'too-many' | 'unknown' | 'lifted',
    message: string,
  ) {
    super(message);
    this.name = 'HoldRefused';
  }
}

/** Places a legal hold: while it is in place nothing of the subject is disposed of. */
export async function placeHold(database: Database, h: { subjectId: string; by: string; reason: string; at: string; holdId?: string | undefined }): Promise<Hold> {
  return database.write(async (tx) => {
    // A hold named by its request's key and placed already: that one, not a second.
    const placed = h.holdId ? await tx.selectFrom('holds').selectAll().where('hold_id', '=', h.holdId).where('subject_id', '=', h.subjectId).executeTakeFirst() : undefined;
    if (placed) return holdOf(placed);
    const { n } = await tx.selectFrom('holds').select((eb) => eb.fn.countAll<number>().as('n')).where('subject_id', '=', h.subjectId).executeTakeFirstOrThrow();
    if (Number(n) >= MAX_HOLDS_PER_SUBJECT) throw new HoldRefused('too-many', `A subject keeps at most ${MAX_HOLDS_PER_SUBJECT} holds; lift and keep using an existing one.`);
    const row: HoldRow = {
      hold_id: h.holdId ?? `hold-${randomBytes(8).toString('hex')}`,
      subject_id: h.subjectId,
      placed_by: h.by,
      placed_at: h.at,
      reason: h.reason,
      lifted_by: null,
      lifted_at: null,
      lift_reason: null,
    };
    // Two at once with the same key (PostgreSQL lets both look first): the second inserts nothing and answers with the first.
    await tx.insertInto('holds').values(row).onConflict((oc) => oc.column('hold_id').doNothing()).execute();
    const kept = h.holdId ? await tx.selectFrom('holds').selectAll().where('hold_id', '=', row.hold_id).executeTakeFirst() : undefined;
    return holdOf(kept ?? row);
  });
}

/** Lifts a hold, once; says who and why. */
export async function liftHold(database: Database, h: { subjectId: string; holdId: string; by: string; reason: string; at: string }): Promise<Hold> {
  return database.write(async (tx) => {
    const row = await tx.selectFrom('holds').selectAll().where('hold_id', '=', h.holdId).where('subject_id', '=', h.subjectId).executeTakeFirst();
    if (!row) throw new HoldRefused('unknown', `No hold ${h.holdId} on ${h.subjectId}.`);
    if (row.lifted_at !== null) throw new HoldRefused('lifted', `The hold was already lifted by ${row.lifted_by} at ${row.lifted_at}.`);
    await tx
      .updateTable('holds')
      .set({ lifted_by: h.by, lifted_at: h.at, lift_reason: h.reason })
      .where('hold_id', '=', h.holdId)
      .where('lifted_at', 'is', null)
      .execute();
    return holdOf({ ...row, lifted_by: h.by, lifted_at: h.at, lift_reason: h.reason });
  });
}
