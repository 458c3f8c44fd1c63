import path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';

export const BASELINE_QUEUE = 'bench-baseline';

/**
 * A worker for the baseline workflow, in the benchmark's process, against the same server the
 * system uses. Same cache size as the system's worker, so neither side replays more than the other.
 */
export async function startBaselineWorker(address: string, maxCachedWorkflows = 1000): Promise<{ stop(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue: BASELINE_QUEUE,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'workflows.ts'), logger: quiet }),
    maxCachedWorkflows,
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

const nothing = (): void => undefined;
const quiet = { log: nothing, trace: nothing, debug: nothing, info: nothing, warn: nothing, error: console.error };
