import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import type { Logger } from 'pino';
import { HttpProblem } from '../../api/problem';

const titles: Record<number, string> = {
  400: 'There is a problem with what was sent',
  401: 'You could not be signed in',
  403: 'You cannot do this',
  409: 'This has changed',
  413: 'That is too much to send',
  429: 'Too many requests',
  503: 'Please try again in a moment',
};

/** Pages' errors as pages: a refusal says the rule; anything unexpected says nothing was recorded. */
export function pageErrors(logger?: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const status = err instanceof HttpProblem ? err.status : err instanceof ZodError ? 404 : (err as { status?: number }).status && (err as { status: number }).status < 500 ? (err as { status: number }).status : 500;
    if (status === 404) return void res.status(404).render('notFound', { title: 'Page not found' });
    if (status >= 500) logger?.error({ err, path: req.path }, 'web page failed');
    const detail =
      err instanceof HttpProblem && status < 500
        ? err.detail
        : status === 503
          ? 'The system is busy or restarting. Nothing has been recorded; try again in a minute.'
          : status >= 500
            ? 'Something went wrong on our side. Nothing has been recorded; try again, and if it happens again tell whoever runs this service.'
            : 'What was sent could not be read. Go back and try again.';
    if (status === 503) res.set('Retry-After', '5');
    res.status(status).render('error', { title: titles[status] ?? 'Sorry, there is a problem', detail });
  };
}
