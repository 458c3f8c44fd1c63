import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import pino, { type Logger } from 'pino';

declare module 'express-serve-static-core' {
  interface Request {
    id?: string;
  }
}

/** Structured JSON logs. Never paths (emailed tokens live in them), bodies, names or addresses. */
export const logger: Logger = pino({ level: process.env['LOG_LEVEL'] ?? 'info', base: { service: 'jco-api' } });

const GOOD_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** A request id for every request (the caller's X-Request-Id if sensible), logged and echoed. */
export function requestLog(log: Logger = logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.get('x-request-id');
    req.id = given && GOOD_ID.test(given) ? given : randomUUID();
    res.set('X-Request-Id', req.id);
    const started = performance.now();
    res.on('finish', () => {
      const routePath = (req.route as { path?: string } | undefined)?.path;
      log.info(
        {
          reqId: req.id,
          method: req.method,
          route: routePath ? `${req.baseUrl}${routePath}` : 'unmatched',
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
          partner: req.person?.partner,
        },
        'request',
      );
    });
    next();
  };
}
