import fc from 'fast-check';
import { harness, type Harness } from '../helpers/workflowEnv';
import { DEFAULT_SEED, envNumber, livenessProperty } from './property';
import type { ScenarioResult } from './runner';
import { WORKFLOW_TYPES } from './scenario';

/**
 * The liveness property (issue 14) in the test command: a fixed seed and a small budget, so the
 * file takes about a minute on two cores. `npm run soak` runs it for long.
 *
 * Replay a failure with the seed and path it prints, for the workflow type named in the test:
 *   PROPERTY_SEED=<seed> PROPERTY_PATH=<path> npx jest test/property -t <type>
 * PROPERTY_RUNS (scenarios per type, default 6), PROPERTY_STEPS (most steps, default 16),
 * PROPERTY_SILENCE_DAYS (longest silence, default 60),
 * PROPERTY_BUDGET_MS (per type, default 12000: no scenario starts after it), PROPERTY_TRACE=1 (print each scenario).
 */
const seed = envNumber('PROPERTY_SEED', DEFAULT_SEED);
const numRuns = envNumber('PROPERTY_RUNS', 6);
const maxSteps = envNumber('PROPERTY_STEPS', 16);
const maxSilenceDays = envNumber('PROPERTY_SILENCE_DAYS', 60);
const budget = envNumber('PROPERTY_BUDGET_MS', 12_000);
const path = process.env['PROPERTY_PATH'] || undefined;

let h: Harness;
// One worker for the whole file: a worker runs until once, so the tests run inside one `run`.
let finish: () => void;
let running: Promise<void>;
beforeAll(async () => {
  h = await harness();
  running = h.run(() => new Promise<void>((resolve) => (finish = resolve)));
});
afterAll(async () => {
  finish?.();
  await running;
  await h?.close();
});

/** What the scenarios covered, printed once per type (the log shows the property did work). */
function summary(type: string, results: ScenarioResult[]): string {
  const sum = (f: (r: ScenarioResult) => number) => results.reduce((n, r) => n + f(r), 0);
  return `${type}: ${results.length} scenarios, ${sum((r) => r.steps)} steps, ${sum((r) => r.decisions)} decisions, ${sum((r) => r.refusedAsExpected)} refused as they should be, ${sum((r) => r.extended)} extensions, ${sum((r) => r.delegated)} delegations, ${sum((r) => r.challenged)} challenges, ${sum((r) => r.withdrawn)} withdrawals, ${sum((r) => r.runs)} runs, largest history ${Math.max(0, ...results.map((r) => r.largestHistory))} events, ${Math.round(sum((r) => r.simulatedDays))} simulated days`;
}

describe.each(WORKFLOW_TYPES)('%s', (type) => {
  test(`random decisions, refusals, silences, extensions, delegations, challenges and withdrawals keep every ${type} live, its task ids unique and its histories small`, async () => {
    const results: ScenarioResult[] = [];
    await fc.assert(
      livenessProperty(h, type, { maxSteps, maxSilenceDays, deadline: Date.now() + budget, onResult: (r) => void results.push(r) }),
      // No shrinking: each scenario runs for seconds; the seed and path replay the failure.
      { seed, numRuns, path, endOnFailure: true, verbose: 1 },
    );
    process.stdout.write(`property ${summary(type, results)}\n`);
    expect(results.length).toBeGreaterThan(0);
  }, 120_000);
});
