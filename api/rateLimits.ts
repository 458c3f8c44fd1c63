import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { SharedRateLimitStore } from '../db/rateLimits';
import type { ApiContext } from './context';
import { HttpProblem, problem } from './problem';

export interface RateLimits {
  /** Per client address, for requests no person is signed in to: emailed links, sign-in pages, refused keys. */
  unauthenticated: RequestHandler;
  /** An API call refused for want of a valid key or token counts against its address. */
  unauthenticatedRefusal: ErrorRequestHandler;
  /** Per person, after identity: one partner's integration cannot starve the others. */
  perPerson: RequestHandler;
}

/**
 * The API's rate limits, counted in the record database so that every API instance enforces the
 * same limit (db/rateLimits.ts). Signed-in people are limited per person, never per address: a
 * council's staff behind one address do not share one allowance.
 */
export function rateLimits(ctx: ApiContext): RateLimits {
  // Seconds until the window ends: windows are aligned to the clock, shared by every instance.
  const retryAfter = (req: Request): string => {
    const resetTime = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime;
    return String(Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000)));
  };
  const common = {
    windowMs: 60_000,
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    // TRUST_PROXY=true is the operator's choice, warned about at start-up (api/main.ts).
    validate: { trustProxy: false },
  };
  const unauthenticated = rateLimit({
    ...common,
    limit: ctx.rateLimitUnauthenticatedPerMinute ?? ctx.rateLimitPerMinute,
    store: new SharedRateLimitStore(ctx.database.db, { name: 'address' }),
    handler: (req, _res, next) =>
      next(problem(429, 'Too many requests from your address without signing in; wait a minute and try again.', undefined, { 'Retry-After': retryAfter(req) })),
  });
  const perPerson = rateLimit({
    ...common,
    limit: ctx.rateLimitPerMinute,
    keyGenerator: (req) => req.person!.id,
    store: new SharedRateLimitStore(ctx.database.db, { name: 'person' }),
    handler: (req, _res, next) => next(problem(429, 'Too many requests for your key; wait a minute and try again.', undefined, { 'Retry-After': retryAfter(req) })),
  });
  const unauthenticatedRefusal: ErrorRequestHandler = (err, req, res, next) => {
    if (!(err instanceof HttpProblem) || err.status !== 401 || req.person) return next(err);
    void unauthenticated(req, res, (limited?: unknown) => next(limited ?? err));
  };
  return { unauthenticated, unauthenticatedRefusal, perPerson };
}
