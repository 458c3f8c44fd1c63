import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Partnership, Person } from '../domain/partnership';
import type { OidcResult } from './oidc';
import { problem } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    person?: Person;
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Identity: API keys from the partnership file, and OpenID Connect bearer tokens when an issuer
 * is configured. Only key digests are kept; every digest is compared, in constant time, so the
 * response time does not reveal which key was close.
 */
export function identify(partnership: Partnership, oidc?: (token: string) => Promise<OidcResult>, apiKeys: 'on' | 'off' = 'on') {
  // Switched off, no key is even held: only the organisation's sign-in reaches the API.
  const keys = apiKeys === 'off' ? [] : partnership.people.filter((p) => p.apiKey).map((p) => ({ person: p, digest: digest(p.apiKey!) }));

  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(problem(401, 'Send your API key or sign-in token as "Authorization: Bearer <key>".'));
    const token = match[1]!;
    if (oidc && token.split('.').length === 3) {
      const result = await oidc(token);
      if (!result.ok) return next(problem(401, result.reason));
      req.person = result.person;
      return next();
    }
    if (apiKeys === 'off') return next(problem(401, "API keys are switched off on this service (AUTH_API_KEYS=off): send a sign-in token from your organisation's single sign-on instead."));
    const given = digest(token);
    let found: Person | undefined;
    for (const k of keys) if (timingSafeEqual(k.digest, given)) found = k.person;
    if (!found) return next(problem(401, 'This API key is not known; ask your partnership administrator for yours.'));
    req.person = found;
    next();
  };
}

export function caller(req: Request): Person {
  if (!req.person) throw problem(401, 'Not signed in.');
  return req.person;
}
