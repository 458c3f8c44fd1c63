import { createHash, randomBytes } from 'node:crypto';
import type { RecordDb } from './index';

/** How a person signed in to the staff web service. */
export type SignedInBy = 'development' | 'oidc';

/** What single sign-on keeps between sending the browser to the provider and its return. */
export interface SignInState {
  codeVerifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

export interface WebSession {
  /** The cookie's value: random, never stored as such. */
  id: string;
  person?: string | undefined;
  signedInBy?: SignedInBy | undefined;
  csrfToken: string;
  expiresAt: string;
  signInState?: SignInState | undefined;
}

/** A signed-in session ends after this long without a request, or after `maxAgeMs` whatever happens. */
export const SESSION_LIMITS = { idleMs: 2 * 3600_000, maxAgeMs: 12 * 3600_000, anonymousMs: 30 * 60_000 };

const digest = (id: string): string => createHash('sha256').update(id, 'utf8').digest('base64url');
const token = (): string => randomBytes(32).toString('base64url');
const iso = (ms: number): string => new Date(ms).toISOString();

/** Starts a session: anonymous (the sign-in pages) or for a person who has just signed in. */
export async function startSession(db: RecordDb, opts: { person?: string; signedInBy?: SignedInBy; signInState?: SignInState; now?: number } = {}): Promise<WebSession> {
  const now = opts.now ?? Date.now();
  const id = token();
  const session: WebSession = {
    id,
    person: opts.person,
    signedInBy: opts.signedInBy,
    csrfToken: token(),
    expiresAt: iso(now + (opts.person ? SESSION_LIMITS.maxAgeMs : SESSION_LIMITS.anonymousMs)),
    signInState: opts.signInState,
  };
  await db
    .insertInto('web_sessions')
    .values({
      id_digest: digest(id),
      person: opts.person ?? null,
      signed_in_by: opts.signedInBy ?? null,
      csrf_token: session.csrfToken,
      created_at: iso(now),
      last_seen_at: iso(now),
      expires_at: session.expiresAt,
      revoked_at: null,
      sign_in_state: opts.signInState ? JSON.stringify(opts.signInState) : null,
    })
    .execute();
  return session;
}

/**
 * The session a cookie names, if it is still in force: not revoked, not past its end, and (when
 * signed in) used within the idle limit. Each use moves the idle limit on.
 */
export async function sessionInForce(db: RecordDb, id: string, now = Date.now()): Promise<WebSession | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
  const row = await db.selectFrom('web_sessions').selectAll().where('id_digest', '=', digest(id)).executeTakeFirst();
  if (!row || row.revoked_at || row.expires_at <= iso(now)) return undefined;
  if (row.person && Date.parse(row.last_seen_at) + SESSION_LIMITS.idleMs <= now) return undefined;
  // One write a minute at most: the idle limit needs no finer grain.
  if (Date.parse(row.last_seen_at) + 60_000 < now) await db.updateTable('web_sessions').set({ last_seen_at: iso(now) }).where('id_digest', '=', row.id_digest).execute();
  return {
    id,
    person: row.person ?? undefined,
    signedInBy: (row.signed_in_by as SignedInBy | null) ?? undefined,
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
    signInState: row.sign_in_state ? (JSON.parse(row.sign_in_state) as SignInState) : undefined,
  };
}

/** Keeps single sign-on's state on an anonymous session, replacing any earlier attempt. */
export async function keepSignInState(db: RecordDb, id: string, state: SignInState | undefined): Promise<void> {
  await db.updateTable('web_sessions').set({ sign_in_state: state ? JSON.stringify(state) : null }).where('id_digest', '=', digest(id)).execute();
}

/** Ends one session (sign-out, or the anonymous one replaced at sign-in). */
export async function endSession(db: RecordDb, id: string, now = Date.now()): Promise<void> {
  await db.updateTable('web_sessions').set({ revoked_at: iso(now), sign_in_state: null }).where('id_digest', '=', digest(id)).where('revoked_at', 'is', null).execute();
}

/** Ends every session of a person, e.g. when they leave: returns how many were in force. */
export async function endSessionsOf(db: RecordDb, person: string, now = Date.now()): Promise<number> {
  const r = await db
    .updateTable('web_sessions')
    .set({ revoked_at: iso(now), sign_in_state: null })
    .where('person', '=', person)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', iso(now))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Deletes sessions that ended more than a day ago: they decide nothing and the record keeps no copy. */
export async function purgeEndedSessions(db: RecordDb, now = Date.now()): Promise<number> {
  const r = await db.deleteFrom('web_sessions').where('expires_at', '<', iso(now - 86_400_000)).executeTakeFirst();
  return Number(r.numDeletedRows);
}
