import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { problem } from '../../api/problem';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Every form carries its session's synchronizer token (`csrf`), and a browser's POST must come
 * from this service's own origin: another site's page can make a browser post, but it can neither
 * read the token nor forge the Origin header.
 */
export function checkCsrf(publicBaseUrl: string) {
  const ours = new URL(publicBaseUrl).origin;
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const origin = req.get('origin');
    const fetchSite = req.get('sec-fetch-site');
    const sameOrigin = origin ? origin === ours || origin === `${req.protocol}://${req.get('host')}` : fetchSite === undefined || fetchSite === 'same-origin';
    const given = (req.body as { csrf?: unknown } | undefined)?.csrf;
    const expected = req.webSession?.csrfToken;
    const tokenOk = typeof given === 'string' && given.length <= 100 && expected !== undefined && timingSafeEqual(digest(given), digest(expected));
    if (sameOrigin && tokenOk) return next();
    next(problem(403, 'This form has expired or did not come from this service. Go back, reload the page and try again.'));
  };
}
