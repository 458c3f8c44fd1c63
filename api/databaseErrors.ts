import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../db';
import { problem, type HttpProblem } from './problem';

/** Seconds a caller should wait before trying again while the database is away or busy. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The 503 for a database that is away or busy (not the caller's fault), or undefined for other errors. */
export function databaseProblem(err: unknown): HttpProblem | undefined {
  if (!isDatabaseUnavailable(err)) return undefined;
  return problem(503, 'The system of record is unavailable or busy; try again shortly.', undefined, { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) });
}

/**
 * Error middleware: turns database unavailability into 503 with Retry-After and passes every other
 * error on. Mount it before the last error handler (api/problem.ts problemHandler), or at the end
 * of a router that reads the database.
 */
export function databaseErrors(err: unknown, _req: Request, _res: Response, next: NextFunction): void {
  next(databaseProblem(err) ?? err);
}
