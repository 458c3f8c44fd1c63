import { condition, workflowInfo } from '@temporalio/workflow';
import { HISTORY_BOUND } from '../domain/historyBound';

export { HISTORY_BOUND };

/**
 * Whether this run has grown long enough to continue as new (the one definition; queries and
 * validators may read it). `bound` is the case's own (its input's `historyBound`), passed each time:
 * workflows may share a context, so no bound is kept between calls.
 */
export const runIsLong = (bound: number = HISTORY_BOUND): boolean => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > bound;

/** The waits in progress that a new run takes up again where this one left them (a task carried open, a date). */
export interface Resumable {
  waits: number;
}

/** A wait a resumed run takes up again by running the same code: counted while it lasts. */
export async function resumably<T>(counter: Resumable | undefined, p: Promise<T>): Promise<T> {
  if (counter) counter.waits++;
  try {
    return await p;
  } finally {
    if (counter) counter.waits--;
  }
}

/**
 * Waits for `running` to end, or for this run to grow long while `canContinue` (everything in hand
 * is at a wait a new run takes up again): what the step in hand sends is then sent (`drain`) and,
 * if it still can, the run is to continue as new. `bound`: the case's history bound (absent, the
 * default). Conditions add no command.
 */
export async function endedOrLong<T>(running: Promise<T>, canContinue: () => boolean, drain: () => Promise<void>, bound: number | undefined): Promise<{ ended: T } | 'continue-as-new'> {
  let outcome: { next: T } | { failed: unknown } | undefined;
  running.then(
    (next) => (outcome = { next }),
    (failed: unknown) => (outcome = { failed }),
  );
  for (;;) {
    await condition(() => outcome !== undefined || (runIsLong(bound) && canContinue()));
    // What the step in hand sends is sent; then the run stops where a new one resumes it.
    if (!outcome) await drain();
    if (outcome && 'failed' in outcome) throw outcome.failed;
    if (outcome) return { ended: outcome.next };
    if (canContinue()) return 'continue-as-new';
  }
}
