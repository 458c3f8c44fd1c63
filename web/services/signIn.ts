import type { Response } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../api/context';
import { endSession, startSession, type SignedInBy, type WebSession } from '../../db/sessions';
import { setSessionCookie } from '../cookies';

/** Where to go after signing in: a path of this service only, never another site. */
export const returnTo = z
  .string()
  .max(500)
  .regex(/^\/(?![/\\])[A-Za-z0-9\-._~/?=&%+]*$/, 'must be a page of this service')
  .catch('/tasks');

/**
 * Signs the person in with a new session (a new id and CSRF token: an id fixed before sign-in by
 * someone else is worthless after it), and ends the anonymous one the sign-in pages used.
 */
export async function signIn(ctx: ApiContext, res: Response, secure: boolean, person: string, by: SignedInBy, before?: WebSession): Promise<void> {
  if (before) await endSession(ctx.database.db, before.id);
  const session = await startSession(ctx.database.db, { person, signedInBy: by });
  setSessionCookie(res, secure, session.id);
  ctx.logger?.info({ person, signedInBy: by }, 'signed in to the web service');
}

/** The anonymous session the sign-in pages need for their CSRF token (and single sign-on's state). */
export async function anonymousSession(ctx: ApiContext, res: Response, secure: boolean, existing?: WebSession): Promise<WebSession> {
  if (existing && !existing.person) return existing;
  const session = await startSession(ctx.database.db);
  setSessionCookie(res, secure, session.id);
  res.locals['csrfToken'] = session.csrfToken;
  return session;
}
