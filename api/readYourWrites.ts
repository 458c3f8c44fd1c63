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
 * Waits, briefly, until the database shows a change the workflow has just made: the workflow
 * writes it through an activity right after the update, so the caller who made a decision reads
 * it on their next request, on any API instance. If the record is slow (the database is away),
 * the answer goes out anyway after `budgetMs`: the decision is made and the record catches up.
 */
export async function untilRecorded(ctx: Pick<ApiContext, 'database'>, answered: Task, budgetMs = 5000): Promise<boolean> {
  const deadline = Date.now() + budgetMs;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    const stored = await taskById(ctx.database.db, answered.id).catch(() => undefined);
    if (stored && reflects(stored, answered)) return true;
    if (Date.now() + wait > deadline) return false;
    await sleep(wait);
  }
}

/**
 * Waits, briefly, for a subject just started to reach the database (its workflow's first write),
 * so the 201 can show it. The answer goes out after `budgetMs` either way.
 */
export async function untilSubject(ctx: Pick<ApiContext, 'database'>, id: string, instance: string, budgetMs = 5000): Promise<boolean> {
  const deadline = Date.now() + budgetMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    const row = await ctx.database.db
      .selectFrom('subjects')
      .select('seq')
      .where('subject_id', '=', id)
      .where('instance', '=', instance)
      .executeTakeFirst()
      .catch(() => undefined);
    if (row) return true;
    if (Date.now() + wait > deadline) return false;
    await sleep(wait);
  }
}
