import { setTimeout as sleepMs } from 'node:timers/promises';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionPlugin, type WorkflowClientInterceptor } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

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
 * The watch below finds such a run (an open run of a workflow that has a newer open run, seen on
 * two looks a second apart, so a continue-as-new still being recorded is left alone) and gives
 * back the one lock it holds. The query interceptor gives up on a query after 10 s and asks the
 * current run again.
 */
export function watchHalfRecordedContinues(env: TestWorkflowEnvironment): { released(): number; stop(): void } {
  const service = env.connection.workflowService;
  const seenOnce = new Set<string>();
  const released = new Set<string>();
  let stopped = false;
  const look = async () => {
    const open = await service.listOpenWorkflowExecutions({ namespace: 'default', maximumPageSize: 1000 });
    const newest = new Map<string, { runId: string; startedAt: number }>();
    for (const e of open.executions ?? []) {
      const workflowId = e.execution?.workflowId ?? '';
      const startedAt = Number(e.startTime?.seconds ?? 0) * 1000 + (e.startTime?.nanos ?? 0) / 1e6;
      const known = newest.get(workflowId);
      if (!known || startedAt > known.startedAt) newest.set(workflowId, { runId: e.execution?.runId ?? '', startedAt });
    }
    const stale = (open.executions ?? [])
      .map((e) => ({ workflowId: e.execution?.workflowId ?? '', runId: e.execution?.runId ?? '' }))
      .filter((e) => newest.get(e.workflowId)?.runId !== e.runId && !released.has(e.runId));
    const now = new Set(stale.map((e) => e.runId));
    for (const { runId } of stale) {
      if (!seenOnce.has(runId)) continue;
      released.add(runId);
      await env.connection.testService!.unlockTimeSkipping({});
    }
    for (const runId of [...seenOnce]) if (!now.has(runId)) seenOnce.delete(runId);
    for (const runId of now) seenOnce.add(runId);
  };
  const loop = async () => {
    while (!stopped) {
      // A look that fails (the server closing under it) is only a look missed.
      await look().catch(() => undefined);
      await sleepMs(1000);
    }
  };
  void loop();
  return {
    released: () => released.size,
    stop: () => {
      stopped = true;
    },
  };
}

/** A query left unanswered by a half-recorded continue-as-new is asked again of the current run. */
export function queriesAskedAgain(env: () => TestWorkflowEnvironment): WorkflowClientInterceptor {
  return {
    async query(input, next) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await env().connection.withDeadline(Date.now() + 10_000, () => next(input));
        } catch (err) {
          const code = (err as { cause?: { code?: number }; code?: number }).cause?.code ?? (err as { code?: number }).code;
          if (code !== 4 /* DEADLINE_EXCEEDED */ || attempt >= 3) throw err;
        }
      }
    },
  };
}
