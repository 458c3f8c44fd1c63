import { randomBytes } from 'node:crypto';
import type { RecordDb } from './index';

/** The kinds of read the access audit records (what a records officer sees in the list). */
export const readKinds = [
  'referral',
  'referral-timeline',
  // A list or the chair's agenda names each child's case reference: each referral shown is a read.
  'referral-list',
  'evaluation',
  'task',
  'decision-record',
  'decision-record-csv',
  'decision-record-period',
] as const;
export type ReadKind = (typeof readKinds)[number];

/** One read of a subject by a person. */
export interface AccessRead {
  /** The subject the read is listed under: a referral, a commission (its evaluation panel too) or a dispute. */
  subjectId: string;
  /** `referral`, `commission` or `dispute`; `other` for an id of none of their forms (an imported record's). */
  subjectType: string;
  /** What exactly was read: the subject itself, its panel, one of its tasks, or its record. */
  readOf: string;
  kind: ReadKind;
  person: string;
  partner?: string | undefined;
  channel: 'api' | 'web';
  /** The address the request came from, as the server sees it (behind a proxy, as TRUST_PROXY says). */
  address?: string | undefined;
  at: string;
}

/** Records reads, all or none: a read is given only once it is recorded. */
export async function recordReads(db: RecordDb, reads: AccessRead[]): Promise<void> {
  if (reads.length === 0) return;
  if (reads.length <= 500) return insertReads(db, reads);
  // A period export's many subjects: in parts of 500 rows (under both engines' parameter limits), in one transaction.
  await db.transaction().execute((tx) => insertReads(tx, reads));
}

async function insertReads(db: RecordDb, reads: AccessRead[]): Promise<void> {
  for (let i = 0; i < reads.length; i += 500) {
    await db
      .insertInto('access_reads')
      .values(
        reads.slice(i, i + 500).map((r) => ({
          id: randomBytes(12).toString('hex'),
          subject_id: r.subjectId,
          subject_type: r.subjectType,
          read_of: r.readOf,
          kind: r.kind,
          person: r.person,
          partner: r.partner ?? null,
          channel: r.channel,
          address: r.address ?? null,
          at: r.at,
        })),
      )
      .execute();
  }
}

/** Where a page of reads starts: the last row of the page before (newest first). */
export interface ReadsCursor {
  at: string;
  id: string;
}

export const READS_PAGE = { default: 50, max: 200 } as const;

/** A subject's reads, newest first, a page at a time; `next` is where the following page starts. */
export async function readsOf(db: RecordDb, subjectId: string, opts: { limit: number; after?: ReadsCursor | undefined }) {
  let q = db.selectFrom('access_reads').selectAll().where('subject_id', '=', subjectId);
  const after = opts.after;
  if (after) q = q.where((eb) => eb.or([eb('at', '<', after.at), eb.and([eb('at', '=', after.at), eb('id', '<', after.id)])]));
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(opts.limit + 1).execute();
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > opts.limit && last ? { at: last.at, id: last.id } : undefined };
}
