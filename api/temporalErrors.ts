import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { refusal, type RefusalType } from '../domain/task';
import { problem, type HttpProblem } from './problem';

const refusalStatus: Record<RefusalType, number> = {
  [refusal.unknownTask]: 404,
  [refusal.notAssignee]: 403,
  [refusal.taskClosed]: 409,
  [refusal.linkUsed]: 409,
  [refusal.invalidDecision]: 422,
  [refusal.reasonRequired]: 422,
  [refusal.invalidRequest]: 400,
  [refusal.invalidData]: 422,
  [refusal.noAuthority]: 403,
  [refusal.invalidExtension]: 422,
  [refusal.ruleRefused]: 422,
};

/** Refusals of workflow-specific updates (withdrawal) that map like task refusals. */
const otherRefusals: Record<string, number> = { NoAuthority: 403, ReasonRequired: 422, TaskClosed: 409, NotYet: 409, InvalidRequest: 400 };

/** The refusal a workflow's update validator gave, if that is what this error is. */
export function refusalOf(err: unknown): { type: RefusalType; message: string } | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type && (cause.type in refusalStatus || cause.type in otherRefusals)) {
    return { type: cause.type as RefusalType, message: cause.message };
  }
  return undefined;
}

function isUnavailable(err: unknown): boolean {
  const e = err as { code?: number; name?: string; cause?: { code?: number } };
  // gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4): the server is away, not the caller's fault.
  // CANCELLED (1): the server gave up on a query whose worker died under it (seen in
  // bench/drills/workerCrash.ts as "Call cancelled"); asking again once a worker is back works.
  const transient = [14, 4, 1];
  return transient.includes(e.code ?? -1) || transient.includes(e.cause?.code ?? -1) || e.name === 'WorkflowUpdateRPCTimeoutOrCancelledError';
}

/** Turns what Temporal said into what the caller can act on; undefined means a genuine fault. */
export function temporalProblem(err: unknown, what = 'That'): HttpProblem | undefined {
  if (err instanceof WorkflowNotFoundError) return problem(404, `${what} does not exist.`);
  const r = refusalOf(err);
  if (r) return problem(refusalStatus[r.type] ?? otherRefusals[r.type] ?? 422, r.message);
  if (isUnavailable(err)) return unavailable();
  return undefined;
}

export const unavailable = (): HttpProblem =>
  problem(503, 'The workflow service is not reachable or did not answer in time; try again shortly.', undefined, { 'Retry-After': '5' });
