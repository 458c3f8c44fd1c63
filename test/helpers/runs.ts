import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

export interface RunSize {
  runId: string;
  events: number;
  /** The bytes of the input the run started with (the state carried into it). */
  inputBytes: number;
}

/**
 * Every run of a workflow so far, oldest first, by following continue-as-new back from the current
 * one. Counted without fetching whole histories: a run grown past the bound may be too large for
 * one gRPC message.
 */
export async function describeRuns(client: Client, workflowId: string): Promise<RunSize[]> {
  const runs: RunSize[] = [];
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const { historyLength } = await client.workflow.getHandle(workflowId, runId).describe();
    // The time-skipping server sends the whole history whatever the page size: one too large to
    // receive is counted alone (its input unknown), as no bounded run would be.
    const first: Awaited<ReturnType<Client['workflowService']['getWorkflowExecutionHistory']>> | undefined = await client.workflowService
      .getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId, runId }, maximumPageSize: 1 })
      .catch((err: unknown) => {
        if (/RESOURCE_EXHAUSTED/.test(String((err as Error).message))) return undefined;
        throw err;
      });
    if (!first) {
      runs.unshift({ runId, events: historyLength, inputBytes: NaN });
      break;
    }
    const started: temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes = first.history!.events![0]!.workflowExecutionStartedEventAttributes!;
    const inputBytes = (started.input?.payloads ?? []).reduce((n: number, p) => n + (p.data?.length ?? 0), 0);
    runs.unshift({ runId, events: historyLength, inputBytes });
    runId = started.continuedExecutionRunId || undefined;
  }
  return runs;
}

/** Replays every run of a workflow on the given bundle: the runs a continue-as-new resumed must replay too. Returns the failures. */
export async function replayRuns(client: Client, workflowId: string, workflowBundle: { code: string }): Promise<string[]> {
  const runs = await describeRuns(client, workflowId);
  const histories = await Promise.all(runs.map(async (r) => ({ workflowId: `${workflowId}/${r.runId}`, history: await client.workflow.getHandle(workflowId, r.runId).fetchHistory() })));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error.message ?? result.error).slice(0, 500)}`);
  }
  return failures;
}

/**
 * The activities each closed run of a workflow left on their way when it continued as new or
 * ended (their outcome is lost with the run; on the time-skipping server each also holds time
 * still for good). A drained run leaves none.
 */
export async function activitiesLeftRunning(client: Client, workflowId: string): Promise<string[]> {
  const left: string[] = [];
  const current = (await client.workflow.getHandle(workflowId).describe()).runId;
  for (const { runId } of await describeRuns(client, workflowId)) {
    const { status } = await client.workflow.getHandle(workflowId, runId).describe();
    if (runId === current && status.name === 'RUNNING') continue;
    const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    for (const e of activitiesNeverClosed(events)) left.push(`${e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?'} (event ${e.eventId}) of run ${runId}, which ended ${status.name}`);
  }
  return left;
}

/** The activities a history scheduled and never closed (completed, failed, timed out or cancelled), by their scheduling events. */
export function activitiesNeverClosed(events: temporal.api.history.v1.IHistoryEvent[]): temporal.api.history.v1.IHistoryEvent[] {
  const open = new Map<number, temporal.api.history.v1.IHistoryEvent>();
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) open.set(Number(e.eventId), e);
    const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
    if (closed) open.delete(Number(closed.scheduledEventId));
  }
  return [...open.values()];
}
