import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Requests counted per client and per minute window, so every API instance enforces one shared
 * limit instead of each its own. The client is kept only as a digest (an address is personal
 * data); rows of past windows are deleted as they end.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('rate_limit_hits')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_hits_pk', ['bucket', 'window_start'])
    .execute();
  await db.schema.createIndex('rate_limit_hits_window').on('rate_limit_hits').columns(['window_start']).execute();
}
