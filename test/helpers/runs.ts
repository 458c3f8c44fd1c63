import type { Client, WorkflowHandle } from '@temporalio/client';

export interface RunSize {
  runId: string;
  events: number;
  /** The bytes of the input the run started with (the state carried into it). */
  inputBytes: number;
}

/** Every run of a workflow so far, oldest first, by following continue-as-new back from the current one. */
export async function describeRuns(client: Client, workflowId: string): Promise<RunSize[]> {
  const runs: RunSize[] = [];
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    const inputBytes = (started.input?.payloads ?? []).reduce((n: number, p) => n + (p.data?.length ?? 0), 0);
    runs.unshift({ runId, events: history.events!.length, inputBytes });
    runId = started.continuedExecutionRunId || undefined;
  }
  return runs;
}
