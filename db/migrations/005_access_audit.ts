import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * The access audit: who read a child's referral, an evaluation panel's record or a subject's
 * decision record, what kind of read, when, through which channel and from which address
 * (DOMAIN.md, Records: "who read sensitive records is itself recorded"). Rows are only ever
 * added; records officers list them per subject (GET /api/v1/{referrals|commissions|disputes}/{id}/reads).
 * `subject_id` is the subject the read is listed under (an evaluation panel's reads under its
 * commission); `read_of` is what exactly was read (the panel, a task, the record).
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('access_reads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('read_of', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('person', 'text', (c) => c.notNull())
    .addColumn('partner', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  // A subject's reads, newest first, paged by (at, id).
  await db.schema.createIndex('access_reads_subject_at').on('access_reads').columns(['subject_id', 'at', 'id']).execute();
}
