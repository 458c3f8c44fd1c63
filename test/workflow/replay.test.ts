import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { cachedWorkflowBundle } from '../../worker/bundle';
import * as productWorkflows from '../../workflows';
import { historyFromJSON } from '../histories/format';

/**
 * Histories recorded from every shipped version (test/histories, made by record.ts) and captured
 * from end-to-end runs of every workflow type (test/replay, made by scripts/captureReplay.ts)
 * must replay on today's workflow code: a change that would break open workflows fails here, and
 * belongs behind patched().
 */
const dir = path.join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const captured = path.join(__dirname, '..', 'replay');
const types = Object.entries(productWorkflows).filter(([, v]) => typeof v === 'function').map(([name]) => name);
const capturedFiles = (type: string): string[] => {
  const folder = path.join(captured, type);
  return existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(folder, f)) : [];
};

// Replayed on the production bundle, exactly what the worker runs. The recorded versions all
// replay in one replay worker (a worker per history cost about a second each); each file's test
// then reads its own result.
let bundle: { code: string };
const recorded = new Map<string, string | undefined>();
beforeAll(async () => {
  bundle = await cachedWorkflowBundle();
  const histories = files.map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: historyFromJSON(readFileSync(path.join(dir, file), 'utf8')) }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
    recorded.set(result.workflowId, result.error ? String((result.error as Error).message ?? result.error).slice(0, 2000) : undefined);
  }
});

test('there are stored histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(3);
});

test.each(files)('%s replays on the current workflow code', (file) => {
  const workflowId = file.replace(/\.json$/, '');
  // Replayed (in beforeAll), and without an error.
  expect(recorded.has(workflowId)).toBe(true);
  expect(recorded.get(workflowId)).toBeUndefined();
});

test('every workflow type the worker runs has histories captured from end-to-end runs (npx tsx scripts/captureReplay.ts <label>)', () => {
  expect(types.filter((t) => capturedFiles(t).length === 0)).toEqual([]);
});

test.each(types)('captured end-to-end histories of %s replay on the current workflow code', async (type) => {
  const histories = capturedFiles(type).map((file) => ({ workflowId: path.relative(captured, file), history: historyFromJSON(readFileSync(file, 'utf8')) }));
  const failures: string[] = [];
  // One replay worker for all of a type's histories; each result names its history.
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error.message ?? result.error).slice(0, 500)}`);
  }
  expect(failures).toEqual([]);
});
