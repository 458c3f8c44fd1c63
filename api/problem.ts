import type { NextFunction, Request, Response } from 'express';
import type { ZodError } from 'zod';
import { issuePath } from '../config/partnership';
import { isDatabaseUnavailable } from '../db';
import { logger } from './observability';

export interface ProblemField {
  path: string;
  message: string;
}

/** An error the caller can act on, sent as application/problem+json (../shared/API.md, Errors). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: ProblemField[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

const titles: Record<number, string> = {
  400: 'Invalid request',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict with the current state',
  405: 'Method not allowed',
  406: 'Not acceptable',
  410: 'Gone',
  422: 'Refused by a rule',
  429: 'Too many requests',
  503: 'Temporarily unavailable',
};

export const problem = (status: number, detail: string, errors?: ProblemField[], headers?: Record<string, string>): HttpProblem =>
  new HttpProblem(status, titles[status] ?? 'Error', detail, errors, headers);

/**
 * 400 when the request breaks the shape the OpenAPI document gives it; 422 when every problem is a
 * rule the document cannot state in JSON Schema (a zod refinement: a split summing to 100, a window
 * ending after it starts, a duration in words), so a request the document allows is never a 400.
 */
export function invalid(err: ZodError, where: string): HttpProblem {
  const byRule = err.issues.every((i) => i.code === 'custom');
  return problem(
    byRule ? 422 : 400,
    `The ${where} has ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}; see errors.`,
    err.issues.map((i) => ({ path: issuePath(i.path), message: i.message })),
  );
}

export function sendProblem(res: Response, p: HttpProblem): void {
  res
    .status(p.status)
    .set(p.headers)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `about:blank#${p.status}`,
        title: p.title,
        status: p.status,
        detail: p.detail,
        ...(p.errors ? { errors: p.errors } : {}),
      }),
    );
}

/** Last error handler: known problems as they are; malformed JSON as 400; the rest as 500 without detail. */
export function problemHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof HttpProblem) return sendProblem(res, err);
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') return sendProblem(res, problem(400, 'The body is not valid JSON.'));
  if (e.type === 'entity.too.large') return sendProblem(res, problem(413, 'The body is too large.'));
  if (isDatabaseUnavailable(err)) {
    return sendProblem(res, problem(503, 'The record database is not reachable just now; try again shortly.', undefined, { 'Retry-After': '5' }));
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return sendProblem(res, problem(e.status, e.message ?? 'The request was refused.'));
  }
  const cause = (err as { cause?: { code?: number; details?: string } })?.cause;
  logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message, causeCode: cause?.code, causeDetails: cause?.details } }, 'unexpected error');
  sendProblem(res, new HttpProblem(500, 'Internal error', 'Something went wrong on our side; it has been logged.'));
}
