import { sql } from 'kysely';
import { retainedTypes, type RetentionPolicy } from '../domain/partnership';
import { endedBefore, retainedUntil } from '../domain/retention';
import type { Database, RecordDb } from './index';

/** A case whose retention period has run out and which no legal hold keeps. */
export interface DueCase {
  subjectId: string;
  instance: string;
  subjectType: string;
  endedAt: string;
  /** When its retention period ran out. */
  dueAt: string;
  retention: string;
}

/**
 * The cases due for disposal at `now`: subjects that ended (closed, with an end time) longer ago
 * than their type's retention period, with no hold in place on the subject id. Oldest end first,
 * at most `limit` (run again for more). Subject types without a retention period are kept.
 */
export async function dueForDisposal(db: RecordDb, retention: RetentionPolicy, now: Date, limit = 1000): Promise<DueCase[]> {
  const due: DueCase[] = [];
  for (const type of retainedTypes) {
    const period = retention[type];
    const bound = endedBefore(now, period).toISOString();
    const rows = await db
      .selectFrom('subjects as s')
      .select(['s.subject_id', 's.instance', 's.subject_type', 's.ended_at'])
      .where('s.subject_type', '=', type)
      .where('s.is_open', '=', 0)
      .where('s.ended_at', 'is not', null)
      .where('s.ended_at', '<=', bound)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('holds as h').select('h.hold_id').whereRef('h.subject_id', '=', 's.subject_id').where('h.lifted_at', 'is', null))))
      .orderBy('s.ended_at')
      .orderBy('s.subject_id')
      .orderBy('s.instance')
      .limit(limit)
      .execute();
    for (const r of rows) {
      const ended = new Date(r.ended_at!);
      if (Number.isNaN(ended.getTime())) continue;
      const until = retainedUntil(ended, period);
      if (until.getTime() > now.getTime()) continue;
      due.push({ subjectId: r.subject_id, instance: r.instance, subjectType: r.subject_type, endedAt: r.ended_at!, dueAt: until.toISOString(), retention: period });
    }
  }
  due.sort((a, b) => a.endedAt.localeCompare(b.endedAt) || a.subjectId.localeCompare(b.subjectId) || a.instance.localeCompare(b.instance));
  return due.slice(0, limit);
}

export interface Disposal {
  subjectId: string;
  instance: string;
  subjectType: string;
  events: number;
  lastHash: string | null;
}

export class DisposalRefused extends Error {
  constructor(
    readonly subjectId: string,
    readonly instance: string,
    why: string,
  ) {
    super(`${subjectId} (case ${instance}) was not disposed of: ${why}`);
    this.name = 'DisposalRefused';
  }
}

/**
 * Disposes of one case in one transaction: records the disposal first (what, when, by whom, how
 * many events, the last hash, so the chain's end can still be shown), then deletes its record
 * events, its tasks, their assignees and emails, and its subject row. The checks are made again
 * inside the transaction, and the database's own trigger refuses to delete the record of a case
 * that a hold keeps or whose disposal is not recorded.
 */
export async function disposeCase(database: Database, c: Pick<DueCase, 'subjectId' | 'instance'>, by: string, now: Date, retention: RetentionPolicy): Promise<Disposal> {
  return database.write(async (tx) => {
    const subject = await tx
      .selectFrom('subjects')
      .select(['subject_type', 'is_open', 'ended_at'])
      .where('subject_id', '=', c.subjectId)
      .where('instance', '=', c.instance)
      .executeTakeFirst();
    if (!subject) throw new DisposalRefused(c.subjectId, c.instance, 'no such case');
    if (subject.is_open !== 0 || !subject.ended_at) throw new DisposalRefused(c.subjectId, c.instance, 'it has not ended');
    const period = retention[subject.subject_type as keyof RetentionPolicy];
    if (!period) throw new DisposalRefused(c.subjectId, c.instance, `no retention period for ${subject.subject_type}`);
    if (retainedUntil(new Date(subject.ended_at), period).getTime() > now.getTime()) throw new DisposalRefused(c.subjectId, c.instance, `its retention period (${period}) has not run out`);
    const held = await tx.selectFrom('holds').select('hold_id').where('subject_id', '=', c.subjectId).where('lifted_at', 'is', null).limit(1).executeTakeFirst();
    if (held) throw new DisposalRefused(c.subjectId, c.instance, `legal hold ${held.hold_id} is in place`);

    const { events } = await tx
      .selectFrom('record_events')
      .select((eb) => eb.fn.countAll<number>().as('events'))
      .where('subject_id', '=', c.subjectId)
      .where('instance', '=', c.instance)
      .executeTakeFirstOrThrow();
    const last = await tx
      .selectFrom('record_events')
      .select('hash')
      .where('subject_id', '=', c.subjectId)
      .where('instance', '=', c.instance)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const disposal: Disposal = { subjectId: c.subjectId, instance: c.instance, subjectType: subject.subject_type, events: Number(events), lastHash: last?.hash ?? null };
    await tx
      .insertInto('disposals')
      .values({ subject_id: c.subjectId, instance: c.instance, subject_type: subject.subject_type, disposed_at: now.toISOString(), disposed_by: by, events: disposal.events, last_hash: disposal.lastHash })
      .execute();
    await tx.deleteFrom('record_events').where('subject_id', '=', c.subjectId).where('instance', '=', c.instance).execute();
    const taskIds = tx.selectFrom('tasks').select('task_id').where('subject_id', '=', c.subjectId).where('instance', '=', c.instance);
    await tx.deleteFrom('task_assignees').where('instance', '=', c.instance).where('task_id', 'in', taskIds).execute();
    await tx.deleteFrom('outbox').where('task_id', 'in', taskIds).execute();
    await tx.deleteFrom('tasks').where('subject_id', '=', c.subjectId).where('instance', '=', c.instance).execute();
    await tx.deleteFrom('subjects').where('subject_id', '=', c.subjectId).where('instance', '=', c.instance).execute();
    return disposal;
  });
}

/** Cases already disposed of: a disposal is recorded once. */
export async function disposalsCount(db: RecordDb): Promise<number> {
  const { n } = await db.selectFrom('disposals').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(n);
}
