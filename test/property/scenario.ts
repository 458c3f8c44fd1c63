import fc from 'fast-check';

/** The workflow types a scenario starts (each drives its children too: disputes, panels). */
export const WORKFLOW_TYPES = ['jointCommission', 'dispute', 'evaluationPanel', 'resourceAllocation'] as const;
export type WorkflowType = (typeof WORKFLOW_TYPES)[number];

const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * One thing that happens to a case. Indexes (`task`, `option`, `pick`) are taken modulo what is
 * there when the step runs, so any generated sequence is meaningful in any state.
 */
export type Step =
  /** Someone asked decides, with the task's option at `option` (every option is reachable). */
  | { kind: 'decide'; task: number; option: number }
  /** Willing participants answer up to `n` tasks in turn: how scenarios get deep into a lifecycle. */
  | { kind: 'progress'; n: number }
  /** A decision the rules refuse: by someone not asked, an option not offered, or no reason given. */
  | { kind: 'refuse'; task: number; how: 'stranger' | 'bad-option' | 'no-reason' }
  /** Nobody does anything for a while: reminders, escalations, reviews and renewals happen. */
  | { kind: 'silence'; ms: number }
  /** A senior manager of an asked partner, or the lead commissioner, moves a deadline. */
  | { kind: 'extend'; task: number; days: number; as: 'senior' | 'lead' }
  /** Someone asked names a deputy (same partner) from now for `days`. */
  | { kind: 'delegate'; task: number; deputy: number; days: number }
  /** A delegation this scenario set is revoked. */
  | { kind: 'revoke'; pick: number }
  /** A bidder challenges the award (accepted during standstill only). */
  | { kind: 'challenge' }
  /** The case is withdrawn by whoever may withdraw it (see runner: `withdraw` update hook). */
  | { kind: 'withdraw' };

export interface Scenario {
  type: WorkflowType;
  steps: Step[];
}

const index = fc.nat({ max: 50 });

/** Silences: mostly days or weeks, sometimes months (up to `maxDays`), sometimes hours. */
const silenceArb = (maxDays: number) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 48 }).map((h) => h * HOUR) },
    { weight: 5, arbitrary: fc.integer({ min: 1, max: Math.min(30, maxDays) }).map((d) => d * DAY) },
    { weight: 2, arbitrary: fc.integer({ min: Math.min(31, maxDays), max: maxDays }).map((d) => d * DAY) },
  );

/**
 * One step. `maxSilenceDays` bounds a silence: simulated months cost real seconds (every
 * reminder, escalation and review runs), so the test command keeps them shorter than the soak.
 */
export const stepArb = (maxSilenceDays: number): fc.Arbitrary<Step> => fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('decide' as const), task: index, option: index }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('progress' as const), n: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refuse' as const), task: index, how: fc.constantFrom('stranger' as const, 'bad-option' as const, 'no-reason' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('silence' as const), ms: silenceArb(maxSilenceDays) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('extend' as const), task: index, days: fc.integer({ min: 1, max: 75 }), as: fc.constantFrom('senior' as const, 'lead' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delegate' as const), task: index, deputy: index, days: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), pick: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('challenge' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const) }) },
);

/** A scenario: a workflow type and what happens to it, in order. */
export function scenarioArb(opts: { maxSteps: number; maxSilenceDays: number; types?: readonly WorkflowType[] }): fc.Arbitrary<Scenario> {
  return fc.record({
    type: fc.constantFrom(...(opts.types ?? WORKFLOW_TYPES)),
    steps: fc.array(stepArb(opts.maxSilenceDays), { minLength: 1, maxLength: opts.maxSteps }),
  });
}

/** A step in a line of the failure report. */
export function describeStep(s: Step): string {
  switch (s.kind) {
    case 'silence':
      return `silence ${s.ms >= DAY ? `${Math.round(s.ms / DAY)}d` : `${Math.round(s.ms / HOUR)}h`}`;
    default:
      return JSON.stringify(s);
  }
}
