import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { digestOfApiKey, storedApiKeyDigest } from '../config/apiKeys';
import type { Partnership, Person } from '../domain/partnership';
import type { OidcResult } from './oidc';
import { problem } from './problem';

declare module 'express-serve-static-core' {
  interface Request {
    person?: Person;
  }
}

/**
 * Identity: API keys from the partnership file, and OpenID Connect bearer tokens when an issuer
 * is configured. Only key digests are kept (the file may hold only digests: config/apiKeys.ts);
 * every digest is compared, in constant time, so the response time does not reveal which key was
 * close. The people re-read on SIGHUP (config/reload.ts) take effect at the next request.
 */
export function identify(partnership: Partnership, oidc?: (token: string) => Promise<OidcResult>, apiKeys: 'on' | 'off' = 'on') {
  let keysOf: Person[] | undefined;
  let keys: { person: Person; digest: Buffer }[] = [];
  // Read again when SIGHUP replaces the people; switched off, no key is even held: only the organisation's sign-in reaches the API.
  const keysInForce = () => {
    if (apiKeys === 'off') return [];
    if (keysOf !== partnership.people) {
      keysOf = partnership.people;
      keys = keysOf.filter((p) => p.apiKey).map((p) => ({ person: p, digest: storedApiKeyDigest(p.apiKey!) }));
    }
    return keys;
  };

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
    const given = digestOfApiKey(token);
    let found: Person | undefined;
    for (const k of keysInForce()) if (timingSafeEqual(k.digest, given)) found = k.person;
    if (!found) return next(problem(401, 'This API key is not known; ask your partnership administrator for yours.'));
    req.person = found;
    next();
  };
}

export function caller(req: Request): Person {
  if (!req.person) throw problem(401, 'Not signed in.');
  return req.person;
}
