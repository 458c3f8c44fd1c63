import type { Task } from '../domain/task';
import { commissionWorkflowId, COMMISSION_ID, type CommissionView } from '../domain/commission';
import type { Person } from '../domain/partnership';
import { getCommission } from '../workflows/jointCommission';
import type { ApiContext } from './context';
import { problem } from './problem';
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

/** Partner staff see what involves their partner; anyone sees a task they may decide. */
export function maySee(person: Person, view: Pick<CommissionView, 'partners' | 'tasks'>): boolean {
  return (
    (person.partner !== undefined && view.partners.includes(person.partner)) ||
    view.tasks.some((t) => t.assignees.includes(person.id))
  );
}

export function publicTask(t: Task): Task {
  return t;
}
