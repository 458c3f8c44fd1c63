import { CancellationScope, CancelledFailure, ChildWorkflowFailure, patched, TerminatedFailure, TimeoutFailure } from '@temporalio/workflow';
import type { DurationText } from '../domain/duration';
import type { AssigneeSpec, Task } from '../domain/task';
import { runTask, type TaskContext, type TaskResult } from './humanTask';

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
  counter: {
    failures?: number | undefined;
    /** The question open about the latest failure, while it waits resumably (see `resumable`). */
    asking?: { attempt: number; why: string } | undefined;
  };
  /** Starts the child and waits for it; `attempt` is 1, then 2 after the first failure, and so on. */
  start(attempt: number): Promise<T>;
  /** The failure task's deadline; reminders continue after it, as only a person can decide. */
  due?: DurationText;
  /** How the question waits where a new run can take it up again; absent, it waits in one run. */
  resumable?: ResumableQuestion;
}

/**
 * A question about a stopped child nobody answers is reminded for ever: since `patch`, it is held
 * open in the counter (`asking`), so that a run resumed there waits on the same task (nobody asked
 * afresh, the failure not recorded twice); `wait` waits for the answer, or resolves
 * 'continue-as-new' once the parent's run is long (the parent then continues as new).
 * Runs recorded before the patch wait in one run, however long.
 */
export interface ResumableQuestion {
  patch: string;
  wait(question: Promise<TaskResult>): Promise<TaskResult | 'continue-as-new'>;
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
export function runChildSafely<T>(tasks: TaskContext, run: ChildRun<T> & { resumable: ResumableQuestion }): Promise<ChildOutcome<T> | { status: 'continue-as-new' }>;
export function runChildSafely<T>(tasks: TaskContext, run: ChildRun<T>): Promise<ChildOutcome<T>>;
export async function runChildSafely<T>(tasks: TaskContext, run: ChildRun<T>): Promise<ChildOutcome<T> | { status: 'continue-as-new' }> {
  for (;;) {
    let attempt: number;
    let why: string;
    const asking = run.resumable ? run.counter.asking : undefined;
    if (asking) {
      // A run continued as new while the question was open: it waits on it again, as it was.
      ({ attempt, why } = asking);
    } else {
      attempt = (run.counter.failures ?? 0) + 1;
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
    }
    const resumable = run.resumable && patched(run.resumable.patch) ? run.resumable : undefined;
    if (resumable) run.counter.asking = { attempt, why };
    const question = runTask(tasks, {
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
    const waited = resumable ? await resumable.wait(question) : await question;
    if (waited === 'continue-as-new') return { status: 'continue-as-new' };
    run.counter.asking = undefined;
    const answer = waited;
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
