import type { NextFunction, Request, Response } from 'express';
import { personById, type Person } from '../../domain/partnership';
import { sessionInForce, type WebSession } from '../../db/sessions';
import type { ApiContext } from '../../api/context';
import { cookieValue, sessionCookieName } from '../cookies';

declare module 'express-serve-static-core' {
  interface Request {
    webSession?: WebSession;
  }
}

/**
 * Finds the request's session in the record database; a session whose person has left the
 * partnership file signs nobody in. Templates get the person and the session's CSRF token.
 */
export function loadSession(ctx: ApiContext, secure: boolean) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const id = cookieValue(req, sessionCookieName(secure));
    const session = id ? await sessionInForce(ctx.database.db, id) : undefined;
    if (session) {
      req.webSession = session;
      res.locals['csrfToken'] = session.csrfToken;
      const person: Person | undefined = session.person ? personById(ctx.partnership, session.person) : undefined;
      if (person) {
        req.person = person;
        res.locals['person'] = person;
      }
    }
    next();
  };
}
