import fc from 'fast-check';
import type { Harness } from '../helpers/workflowEnv';
import { runScenario, type ScenarioResult } from './runner';
import { describeStep, scenarioArb, type Scenario, type WorkflowType } from './scenario';

/** The seed the test command uses unless PROPERTY_SEED says otherwise: failures replay from it. */
export const DEFAULT_SEED = 20261130;

/**
 * The liveness property for one workflow type: every random scenario of decisions, refusals,
 * silences, extensions, delegations, challenges and withdrawals keeps the case waiting on someone
 * or a date, never reuses a task id, never refuses what the rules allow, and keeps each run's
 * history within 2,000 events.
 */
export function livenessProperty(h: Harness, type: WorkflowType, opts: { maxSteps: number; maxSilenceDays: number; deadline?: number; onResult?: (r: ScenarioResult, s: Scenario) => void }) {
  return fc.asyncProperty(scenarioArb({ maxSteps: opts.maxSteps, maxSilenceDays: opts.maxSilenceDays, types: [type] }), async (scenario) => {
    // Past the budget, the remaining runs pass without starting anything: a scenario is never cut
    // off half way (fast-check's own time limit races the run and would leave it running on).
    if (opts.deadline !== undefined && Date.now() > opts.deadline) return;
    const result = await runScenario(h, scenario);
    opts.onResult?.(result, scenario);
  });
}

/** How a scenario reads in fast-check's counterexample. */
export function showScenario(s: Scenario): string {
  return `${s.type}: ${s.steps.map(describeStep).join(' → ')}`;
}

export function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}
