import type { Kysely } from 'kysely';
import type { Engine } from '../engine';

/**
 * The staff web service's sessions, kept server-side so any one can be ended (sign-out, or an
 * administrator revoking a person's sessions) and so every API process sees the same ones. The
 * cookie carries a random id; only its digest is stored, so a copy of the table signs nobody in.
 * A session starts anonymous (to carry the sign-in form's CSRF token and, during single sign-on,
 * the PKCE verifier, state and nonce) and is replaced by a new one when the person signs in.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('web_sessions')
    .addColumn('id_digest', 'text', (c) => c.primaryKey())
    .addColumn('person', 'text')
    .addColumn('signed_in_by', 'text')
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('sign_in_state', 'text')
    .execute();
  await db.schema.createIndex('web_sessions_person').on('web_sessions').columns(['person']).execute();
  await db.schema.createIndex('web_sessions_expires').on('web_sessions').columns(['expires_at']).execute();
}
