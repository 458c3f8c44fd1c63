import type { Task } from '../domain/task';
import { commissionWorkflowId, COMMISSION_ID, type CommissionView } from '../domain/commission';
import { getCommission } from '../workflows/jointCommission';
import type { ApiContext } from './context';
import { problem } from './problem';
import type { Scope } from './permissions';
import { temporalProblem } from './temporalErrors';

/** Runs a Temporal call, turning what Temporal says into a problem the caller understands. */
export async function viaTemporal<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw temporalProblem(err, what) ?? err;
  }
}

export async function readCommission(ctx: ApiContext, id: string): Promise<CommissionView> {
  if (!COMMISSION_ID.test(id)) throw problem(404, `There is no commission ${id}.`);
  return viaTemporal(`Commission ${id}`, () => ctx.client.workflow.getHandle(commissionWorkflowId(id)).query(getCommission));
}

/** What the permission rules look at for a commission: its partners and everyone its tasks ask. */
export function scopeOf(view: Pick<CommissionView, 'partners' | 'tasks'>): Scope {
  return {
    partners: view.partners,
    assignees: [...new Set(view.tasks.flatMap((t: Task) => [...t.assignees, ...(t.parties ?? []).flatMap((p) => p.assignees)]))],
  };
}
