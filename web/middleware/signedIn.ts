import type { NextFunction, Request, Response } from 'express';

/** Pages past this need a signed-in person; others go to sign in, and come back afterwards. */
export function requireSignedIn(req: Request, res: Response, next: NextFunction): void {
  if (req.person) return next();
  const back = req.method === 'GET' ? req.originalUrl : '/tasks';
  res.redirect(303, `/sign-in?returnTo=${encodeURIComponent(back.slice(0, 500))}`);
}
