import { CancellationScope, CancelledFailure, ChildWorkflowFailure, patched, TerminatedFailure, TimeoutFailure } from '@temporalio/workflow';
import type { DurationText } from '../domain/duration';
import type { AssigneeSpec, Task } from '../domain/task';
import { runTask, type TaskContext } from './humanTask';

/** What a parent does when one of its children fails or is terminated. */
export interface ChildRun<T> {
  /** The child in words, as the record and the task say it: "The evaluation panel", "Dispute jd-…". */
  what: string;
  subject: Task['subject'];
  /** The failure tasks' key: the nth failure asks under `${key}.failed${n}`. */
  key: string;
  /** Who decides what happens next: the lead commissioner, the referrer. */
  ask: AssigneeSpec[];
  /**
   * Where the failures so far are counted, in the workflow's carried state, so that each attempt
   * and each failure task has an id of its own across runs.
   */
  counter: { failures?: number | undefined };
  /** Starts the child and waits for it; `attempt` is 1, then 2 after the first failure, and so on. */
  start(attempt: number): Promise<T>;
  /** The failure task's deadline; reminders continue after it, as only a person can decide. */
  due?: DurationText;
}

export type ChildOutcome<T> = { status: 'completed'; result: T } | { status: 'withdrawn'; by?: string | undefined; reason: string };

/** Why a child stopped, in words for the record and the task. */
export function whyChildStopped(err: ChildWorkflowFailure): string {
  if (err.cause instanceof TerminatedFailure) return `it was terminated${err.cause.message ? ` (${err.cause.message})` : ''}`;
  if (err.cause instanceof TimeoutFailure) return 'it timed out';
  if (err.cause instanceof CancelledFailure) return 'it was cancelled';
  return `it failed: ${err.cause?.message ?? err.message}`;
}

/**
 * Runs a child; when it fails or is terminated, records it and asks a named person to retry it
 * (a fresh attempt) or withdraw (with a reason), so the parent never fails for good nor waits on
 * nobody. Before the `child-failure-asks` patch the failure failed the parent, and old histories
 * replay that way.
 */
export async function runChildSafely<T>(tasks: TaskContext, run: ChildRun<T>): Promise<ChildOutcome<T>> {
  for (;;) {
    const attempt = (run.counter.failures ?? 0) + 1;
    let why: string;
    try {
      return { status: 'completed', result: await run.start(attempt) };
    } catch (err) {
      // Cancelled because the parent is being withdrawn: nothing to ask, the parent ends.
      if (CancellationScope.current().consideredCancelled) throw err;
      if (!(err instanceof ChildWorkflowFailure) || !patched('child-failure-asks')) throw err;
      why = whyChildStopped(err);
    }
    run.counter.failures = attempt;
    tasks.note({ event: 'child-failed', detail: `${run.what} stopped: ${why}. Asked whether to start it again or withdraw.` });
    tasks.publish();
    const answer = await runTask(tasks, {
      key: `${run.key}.failed${attempt}`,
      kind: 'child-failure',
      title: `${run.what} stopped: start it again, or withdraw`,
      subject: run.subject,
      options: ['retry', 'withdraw'],
      reasonRequiredFor: ['withdraw'],
      completion: 'any',
      ask: [{ people: run.ask }],
      due: run.due ?? '5 working days',
      reminders: ['2 working days'],
      escalation: [],
      overdueReminders: run.due ?? '5 working days',
      ifNoAnswer: 'Nothing moves on until this is answered; reminders continue.',
      briefing: [`${run.what} stopped: ${why}.`],
    });
    if (answer.status === 'decided' && answer.outcome === 'retry') {
      tasks.note({ event: 'child-retried', by: answer.decision.by, detail: `${run.what} started again (attempt ${attempt + 1})` });
      tasks.publish();
      continue;
    }
    const reason = answer.status === 'decided' ? (answer.decision.comment ?? '') : `the question was ${answer.status}`;
    tasks.note({ event: 'child-withdrawn', by: answer.status === 'decided' ? answer.decision.by : undefined, detail: `${run.what} withdrawn: ${reason}` });
    tasks.publish();
    return { status: 'withdrawn', by: answer.status === 'decided' ? answer.decision.by : undefined, reason };
  }
}
