import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyAsJSON } from '../../test/histories/format';

/**
 * Saves the history of every workflow on a dev server into `dir` (one folder per workflow type),
 * before the server stops. `startSystem` calls it when JCO_CAPTURE_HISTORIES_DIR is set, so any
 * end-to-end run, including ones written later for new workflow types, can feed the replay tests
 * (`npx tsx scripts/captureReplay.ts` picks from what it saved).
 */
export async function captureHistories(address: string, dir: string, perType = 40): Promise<number> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const taken = new Map<string, number>();
  let saved = 0;
  try {
    for await (const wf of client.workflow.list({ query: 'ExecutionStatus != "ContinuedAsNew"' })) {
      const n = taken.get(wf.type) ?? 0;
      if (n >= perType) continue;
      taken.set(wf.type, n + 1);
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const folder = path.join(dir, wf.type);
      mkdirSync(folder, { recursive: true });
      const name = `${wf.workflowId}-${wf.runId}`.replace(/[^\w.-]+/g, '_');
      writeFileSync(path.join(folder, `${name}.json`), historyAsJSON(history));
      saved++;
    }
  } finally {
    await connection.close();
  }
  return saved;
}
