import type { Task } from '../domain/task';
import { commissionWorkflowId, COMMISSION_ID, type CommissionView } from '../domain/commission';
import { getCommission } from '../workflows/jointCommission';
import type { ApiContext } from './context';
import { problem } from './problem';
import type { Scope } from './permissions';
import { temporalProblem, unavailable } from './temporalErrors';

/**
 * How long a request waits for Temporal. Long enough to ride out a worker restart (queries and
 * updates need a worker); an unreachable server is answered at once from TemporalHealth.
 */
export const TEMPORAL_BUDGET_MS = { read: 15_000, update: 30_000 };

/**
 * Runs a Temporal call within a deadline, turning what Temporal says into a problem the caller
 * understands (404, 409, 422, or 503 with Retry-After while the server is away).
 */
export async function viaTemporal<T>(ctx: Pick<ApiContext, 'connection' | 'health'>, what: string, call: () => Promise<T>, budgetMs = TEMPORAL_BUDGET_MS.read): Promise<T> {
  if (ctx.health?.reachable === false) throw unavailable();
  try {
    return await ctx.connection.withDeadline(Date.now() + budgetMs, call);
  } catch (err) {
    throw temporalProblem(err, what) ?? err;
  }
}

export async function readCommission(ctx: ApiContext, id: string): Promise<CommissionView> {
  if (!COMMISSION_ID.test(id)) throw problem(404, `There is no commission ${id}.`);
  return viaTemporal(ctx, `Commission ${id}`, () => ctx.client.workflow.getHandle(commissionWorkflowId(id)).query(getCommission));
}

/** What the permission rules look at for a commission: its partners and everyone its tasks ask. */
export function scopeOf(view: Pick<CommissionView, 'partners' | 'tasks'>): Scope {
  return {
    partners: view.partners,
    assignees: [...new Set(view.tasks.flatMap((t: Task) => [...t.assignees, ...(t.parties ?? []).flatMap((p) => p.assignees)]))],
  };
}
