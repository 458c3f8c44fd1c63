import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowsPath } from '../../worker/worker';
import { historyFromJSON } from '../histories/format';

/**
 * Histories recorded from every shipped version (test/histories, made by record.ts) must replay
 * on today's workflow code: a change that would break open workflows fails here, and belongs
 * behind patched().
 */
const dir = path.join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

// Replayed on the production bundle, exactly what the worker runs.
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath, logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error } });
});

test('there are stored histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(3);
});

test.each(files)('%s replays on the current workflow code', async (file) => {
  const history = historyFromJSON(readFileSync(path.join(dir, file), 'utf8'));
  const workflowId = file.replace(/\.json$/, '');
  const results = Worker.runReplayHistories({ workflowBundle: bundle }, [{ workflowId, history }]);
  for await (const result of results) {
    expect(result.error).toBeUndefined();
  }
});
