import { setTimeout as sleep } from 'node:timers/promises';
import type { Task } from '../domain/task';
import { taskById } from '../db/readModels';
import type { ApiContext } from './context';

/** Whether the stored task shows at least what the workflow answered. */
function reflects(stored: Task, answered: Task): boolean {
  return (
    stored.status === answered.status &&
    stored.dueAt === answered.dueAt &&
    (stored.decisions?.length ?? 0) >= (answered.decisions?.length ?? 0) &&
    JSON.stringify(stored.decision ?? null) === JSON.stringify(answered.decision ?? null)
  );
}

/**
 * Asks `shows()` of the database until it holds or `budgetMs` runs out, waiting a little longer
 * each time (from `firstWaitMs`, doubling, up to `maxWaitMs`). A database error counts as "not
 * yet": the answer goes out anyway at the end, and the record catches up by itself.
 */
async function until(shows: () => Promise<boolean>, budgetMs: number, firstWaitMs: number, maxWaitMs: number): Promise<boolean> {
  const deadline = Date.now() + budgetMs;
  for (let wait = firstWaitMs; ; wait = Math.min(wait * 2, maxWaitMs)) {
    if (await shows().catch(() => false)) return true;
    if (Date.now() + wait > deadline) return false;
    await sleep(wait);
  }
}

/**
 * Waits, briefly, until the database shows a change the workflow has just made: the workflow
 * writes it through an activity right after the update, so the caller who made a decision reads
 * it on their next request, on any API instance. If the record is slow (the database is away),
 * the answer goes out anyway after `budgetMs`: the decision is made and the record catches up.
 */
export function untilRecorded(ctx: Pick<ApiContext, 'database'>, answered: Task, budgetMs = 5000): Promise<boolean> {
  return until(
    async () => {
      const stored = await taskById(ctx.database.db, answered.id);
      return stored !== undefined && reflects(stored, answered);
    },
    budgetMs,
    2,
    50,
  );
}

/**
 * Waits, briefly, for a subject just started to reach the database (its workflow's first write),
 * so the 201 can show it. The answer goes out after `budgetMs` either way.
 */
export function untilSubject(ctx: Pick<ApiContext, 'database'>, id: string, instance: string, budgetMs = 5000): Promise<boolean> {
  return until(
    async () =>
      (await ctx.database.db.selectFrom('subjects').select('seq').where('subject_id', '=', id).where('instance', '=', instance).executeTakeFirst()) !== undefined,
    budgetMs,
    5,
    100,
  );
}
