import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * Every delegation the register has recorded, kept after it ends or is revoked: auditors read
 * who could decide for whom, when. Written only by the register's projection (one row per
 * delegation, a newer projection number wins); the API and the task book read it.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('delegations')
    .addColumn('delegation_id', 'text', (c) => c.primaryKey())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('deputy', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('from_at', 'text', (c) => c.notNull())
    .addColumn('to_at', 'text', (c) => c.notNull())
    .addColumn('set_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .addColumn('seq', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('delegations_deputy').on('delegations').columns(['deputy', 'from_at']).execute();
  await db.schema.createIndex('delegations_principal').on('delegations').columns(['principal', 'from_at']).execute();
}
