import { endSession, endSessionsOf, keepSignInState, purgeEndedSessions, SESSION_LIMITS, sessionInForce, startSession } from '../../db/sessions';
import { dbTest, engines, type EngineName } from './helpers';

const T0 = Date.parse('2026-12-01T09:00:00Z');

describe.each(engines)('staff web sessions on %s', (engine: EngineName) => {
  const it = dbTest(engine);

  it('a session is found by its cookie id only, and only the digest is stored', async ({ database: d }) => {
    const s = await startSession(d.db, { person: 'council-commissioner', signedInBy: 'development', now: T0 });
    expect(await sessionInForce(d.db, s.id, T0 + 1000)).toMatchObject({ person: 'council-commissioner', signedInBy: 'development', csrfToken: s.csrfToken });
    const rows = await d.db.selectFrom('web_sessions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(s.id);
    // One character changed (never to itself: an id ending in 'A' made this the same id, 1 run in 32).
    expect(await sessionInForce(d.db, `${s.id.slice(0, -1)}${s.id.endsWith('A') ? 'B' : 'A'}`, T0)).toBeUndefined();
    expect(await sessionInForce(d.db, 'not-a-session', T0)).toBeUndefined();
  });

  it('ends at sign-out, after the idle limit, after its maximum age; every session of a person can be revoked', async ({ database: d }) => {
    const a = await startSession(d.db, { person: 'p1', signedInBy: 'oidc', now: T0 });
    await endSession(d.db, a.id, T0 + 1);
    expect(await sessionInForce(d.db, a.id, T0 + 2)).toBeUndefined();

    const idle = await startSession(d.db, { person: 'p1', signedInBy: 'oidc', now: T0 });
    expect(await sessionInForce(d.db, idle.id, T0 + SESSION_LIMITS.idleMs - 1)).toBeDefined();
    // That use moved the idle limit on.
    expect(await sessionInForce(d.db, idle.id, T0 + SESSION_LIMITS.idleMs + 1000)).toBeDefined();
    expect(await sessionInForce(d.db, idle.id, T0 + 3 * SESSION_LIMITS.idleMs)).toBeUndefined();
    const old = await startSession(d.db, { person: 'p2', signedInBy: 'oidc', now: T0 });
    expect(await sessionInForce(d.db, old.id, T0 + SESSION_LIMITS.maxAgeMs)).toBeUndefined();

    const b = await startSession(d.db, { person: 'p3', signedInBy: 'development', now: T0 });
    const c = await startSession(d.db, { person: 'p3', signedInBy: 'development', now: T0 });
    expect(await endSessionsOf(d.db, 'p3', T0 + 5)).toBe(2);
    expect(await sessionInForce(d.db, b.id, T0 + 6)).toBeUndefined();
    expect(await sessionInForce(d.db, c.id, T0 + 6)).toBeUndefined();
    expect(await purgeEndedSessions(d.db, T0 + SESSION_LIMITS.maxAgeMs + 86_400_001)).toBe(5);
  });

  it('an anonymous session carries single sign-on state until sign-in replaces it', async ({ database: d }) => {
    const s = await startSession(d.db, { now: T0 });
    const state = { codeVerifier: 'v'.repeat(43), state: 's1', nonce: 'n1', returnTo: '/tasks' };
    await keepSignInState(d.db, s.id, state);
    expect(await sessionInForce(d.db, s.id, T0 + 1000)).toMatchObject({ person: undefined, signInState: state });
    expect(await sessionInForce(d.db, s.id, T0 + SESSION_LIMITS.anonymousMs)).toBeUndefined();
  });
});
