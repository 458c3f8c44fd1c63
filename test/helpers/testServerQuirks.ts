import { setMaxListeners } from 'node:events';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionPlugin, type WorkflowClientInterceptor } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activitiesNeverClosed } from './runs';

// Where the Java time-skipping server (1.38.0, the newest on Maven Central) or the client meeting
// it falls short of the real server, the workflow test harness makes up for it here, each with
// its reason. test/workflow/testServer.test.ts proves each one.

/**
 * The client pings an idle connection every 30 s by default; the server allows one ping in 5
 * minutes and, after two too many, closes the connection with every call on it. A call cut so is
 * retried, and for `env.sleep` (UnlockTimeSkippingWithSleep, which blocks until the time comes)
 * the retry is a second sleep whose re-lock is never undone: time stops skipping for good.
 * Pings every 6 minutes stay within what the server allows.
 */
export const patientKeepalive: ConnectionPlugin = {
  name: 'jco-test-patient-keepalive',
  configureConnection: (options) => ({ ...options, channelArgs: { ...options.channelArgs, 'grpc.keepalive_time_ms': 6 * 60_000, 'grpc.keepalive_permit_without_calls': 0 } }),
};

/**
 * The SDK waits a fixed 5 s for the time-skipping server (a JVM) to listen, then kills it. On a
 * loaded machine (a whole suite on two cores) a start can take longer; that says nothing about
 * the code under test, so a start that timed out is tried again, at most twice.
 */
export async function startingAgainIfSlow<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test((err as Error).message)) throw err;
    }
  }
}

/**
 * The client retries a failed call after a pause, from a timer. A pause that ends after the test
 * closed its connection throws "Channel has been shut down" out of that timer, into whichever
 * test file runs next. Here no retry begins once closing has begun, and `settle()` waits out the
 * pauses already begun, while the connection is still open.
 */
export function retriesThatSettle(): { plugin: ConnectionPlugin; settle(): Promise<void> } {
  const defaults = defaultGrpcRetryOptions();
  let closing = false;
  let lastRetryAt = 0;
  return {
    plugin: {
      name: 'jco-test-retries-that-settle',
      configureConnection: (options) => ({
        ...options,
        interceptors: [
          makeGrpcRetryInterceptor({
            retryableDecider: (attempt, status) => !closing && defaults.retryableDecider(attempt, status),
            delayFunction: (attempt, status) => {
              const ms = defaults.delayFunction(attempt, status);
              lastRetryAt = Math.max(lastRetryAt, Date.now() + ms);
              return ms;
            },
          }),
        ],
      }),
    },
    async settle() {
      closing = true;
      const wait = lastRetryAt - Date.now();
      if (wait > 0) await sleepMs(wait + 50);
    },
  };
}

/**
 * A query that arrives during the workflow task in which a run continues as new makes the server
 * refuse that task's completion after it has already started the next run ("workflow execution
 * already completed": it schedules a task for the query on the closed run). The old run stays
 * open at WorkflowTaskStarted holding its lock on time, so time stops skipping; the query is never
 * answered. The real server fails the task and the worker tries again.
 *
 * A workflow terminated while one of its workflow tasks or activities is scheduled or running
 * keeps that task's lock on time the same way (the server takes the lock when it schedules the
 * task and gives it back only when the task completes, which a terminated run's never does). Terminating is
 * what the property runner does with each scenario's workflows, and what a parent's close does
 * to its children.
 *
 * The watch below finds a stranded run (an open run that is not its workflow's current run, seen on
 * two looks a second apart, so a continue-as-new still being recorded is left alone) and gives
 * back the one lock it holds; it gives back each terminated run's locks (`locksHeldAtTermination`).
 * The query interceptor asks a query again once its run is found stranded; `resultsPastStrandedRuns` waits for a result past the stranded run.
 */
export interface Stranding {
  workflowId: string;
  runId: string;
  /** The workflow's current run when the stranding was found: the chain goes on from there. */
  successor: string;
}

export interface StrandedRunWatch {
  strandings(): readonly Stranding[];
  /** Called with each stranding found from now on; returns a function that stops the calls. */
  onStranding(listener: (s: Stranding) => void): () => void;
  /** Looks five times as often until the returned function is called (a query is waiting). */
  hurry(): () => void;
  stop(): void;
}

/**
 * The locks on time a terminated run still holds: the server takes one when it schedules a workflow
 * task or an activity and gives it back when that completes, which a terminated run's never do.
 * Counted from the history: a workflow task scheduled and neither completed, failed nor timed out
 * when the history ended (events written meanwhile, an activity's completion say, may come
 * between), and each activity scheduled and never closed.
 */
export function locksHeldAtTermination(events: temporal.api.history.v1.IHistoryEvent[]): number {
  const T = temporal.api.enums.v1.EventType;
  let workflowTask = false;
  for (const { eventType: t } of events) {
    if (t === T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) workflowTask = true;
    else if (t === T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || t === T.EVENT_TYPE_WORKFLOW_TASK_FAILED || t === T.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) workflowTask = false;
  }
  return (workflowTask ? 1 : 0) + activitiesNeverClosed(events).length;
}


export function watchHeldClockLocks(env: TestWorkflowEnvironment): StrandedRunWatch {
  const service = env.connection.workflowService;
  const namespace = 'default';
  const checkedTerminations = new Set<string>();
  /** Gives back the locks of the workflow task and activities a termination cut off, once per terminated run. */
  const releaseTerminated = async () => {
    const closed = await service.listClosedWorkflowExecutions({ namespace, maximumPageSize: 10_000 });
    for (const e of closed.executions ?? []) {
      const runId = e.execution?.runId ?? '';
      if (e.status !== temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED || checkedTerminations.has(runId)) continue;
      const history = await service.getWorkflowExecutionHistory({ namespace, execution: e.execution! });
      checkedTerminations.add(runId);
      for (let held = locksHeldAtTermination(history.history?.events ?? []); held > 0; held--) await env.connection.testService!.unlockTimeSkipping({});
    }
  };
  const seenOnce = new Set<string>();
  const found: Stranding[] = [];
  const listeners = new Set<(s: Stranding) => void>();
  let stopped = false;
  let hurried = 0;
  const look = async () => {
    const open = await service.listOpenWorkflowExecutions({ namespace, maximumPageSize: 1000 });
    const now = new Map<string, Stranding>();
    for (const e of open.executions ?? []) {
      const workflowId = e.execution?.workflowId ?? '';
      const runId = e.execution?.runId ?? '';
      if (found.some((f) => f.runId === runId)) continue;
      const current = await service.describeWorkflowExecution({ namespace, execution: { workflowId } });
      const successor = current.workflowExecutionInfo?.execution?.runId ?? runId;
      if (successor !== runId) now.set(runId, { workflowId, runId, successor });
    }
    for (const [runId, stranding] of now) {
      if (!seenOnce.has(runId)) continue;
      found.push(stranding);
      await env.connection.testService!.unlockTimeSkipping({});
      for (const listener of listeners) listener(stranding);
    }
    seenOnce.clear();
    for (const runId of now.keys()) seenOnce.add(runId);
  };
  const loop = async () => {
    while (!stopped) {
      // A look that fails (the server closing under it) is only a look missed.
      await look().catch(() => undefined);
      await releaseTerminated().catch(() => undefined);
      await sleepMs(hurried > 0 ? 200 : 1000);
    }
  };
  void loop();
  return {
    strandings: () => found,
    onStranding(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    hurry() {
      hurried++;
      let done = false;
      return () => {
        if (!done) hurried--;
        done = true;
      };
    },
    stop: () => {
      stopped = true;
    },
  };
}

/** Whether `stranded` is `from` or comes after it in the chain of runs that continued as new. */
async function inChainFrom(env: TestWorkflowEnvironment, workflowId: string, from: string, stranded: string): Promise<boolean> {
  for (let runId: string | undefined = stranded; runId; ) {
    if (runId === from) return true;
    const history: temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse = await env.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId, runId }, maximumPageSize: 1 });
    runId = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return false;
}

/**
 * The result of a chain of runs is read by following each run to its close; a stranded run never
 * closes. The client's `result` (used by every handle) goes on from the stranded run's successor,
 * whether the run was stranded before the wait or during it. The wait given up is cancelled, so
 * its hold on time (the test client unlocks time while it waits for a result) is given back.
 */
export function resultsPastStrandedRuns(env: TestWorkflowEnvironment, watch: StrandedRunWatch): void {
  const workflow = env.client.workflow;
  const original = workflow.result.bind(workflow);
  const strandedFrom = async (workflowId: string, runId: string | undefined, s: Stranding) =>
    s.workflowId === workflowId && (runId === undefined || (await inChainFrom(env, workflowId, runId, s.runId)));
  workflow.result = async (workflowId, runId, opts) => {
    for (;;) {
      let successor: string | undefined;
      for (const s of watch.strandings()) if (runId !== undefined && (await strandedFrom(workflowId, runId, s))) successor = s.successor;
      if (successor) {
        runId = successor;
        continue;
      }
      const stop = new AbortController();
      // Each long poll of the wait listens to the signal: a wait of many polls is not a leak.
      setMaxListeners(0, stop.signal);
      let stopListening = () => {};
      const stranded = new Promise<string>((resolve) => {
        stopListening = watch.onStranding((s) => void strandedFrom(workflowId, runId, s).then((yes) => yes && resolve(s.successor)));
      });
      const outcome = env.connection.withAbortSignal(stop.signal, () => original(workflowId, runId, opts));
      const first = await Promise.race([outcome.then(() => undefined, () => undefined), stranded]);
      stopListening();
      if (first === undefined) return outcome;
      stop.abort();
      await outcome.catch(() => undefined);
      runId = first;
    }
  };
}

/**
 * A query left unanswered by a half-recorded continue-as-new is asked again of the current run: as
 * soon as the watch finds the run it was sent to stranded (a query unanswered after 300 ms has the
 * watch look more often), or after 10 s if the watch sees nothing (a query is a read; asking again
 * changes nothing).
 */
export function queriesAskedAgain(env: () => TestWorkflowEnvironment, watch: () => StrandedRunWatch | undefined): WorkflowClientInterceptor {
  return {
    async query(input, next) {
      for (let attempt = 1; ; attempt++) {
        const stop = new AbortController();
        const stopListening = watch()?.onStranding((s) => s.workflowId === input.workflowExecution.workflowId && stop.abort()) ?? (() => {});
        let calmDown = () => {};
        const slow = setTimeout(() => (calmDown = watch()?.hurry() ?? calmDown), 300);
        try {
          return await env().connection.withAbortSignal(stop.signal, () => env().connection.withDeadline(Date.now() + 10_000, () => next(input)));
        } catch (err) {
          const code = (err as { cause?: { code?: number }; code?: number }).cause?.code ?? (err as { code?: number }).code;
          const abandoned = stop.signal.aborted || code === 4; /* DEADLINE_EXCEEDED */
          if (!abandoned || attempt >= 3) throw err;
        } finally {
          clearTimeout(slow);
          calmDown();
          stopListening();
        }
      }
    },
  };
}
