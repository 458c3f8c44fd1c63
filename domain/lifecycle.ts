import { z } from 'zod';
import { lazy } from './lazy';
import { ukOffsetMs, type Calendar } from './calendar';
import { addDuration, durationText } from './duration';
import type { Stage } from './commission';
import { gateNames, type Gate, type Proportionality } from './proportionality';
import { standstillEnds } from './standstill';

/**
 * The joint commission's life after the lead is settled (DOMAIN.md section 1): the steps the
 * proportionality rule makes applicable, in order, and what the commission shows about them.
 */

/** The kinds of the lifecycle's tasks that decide for the partners (the others record facts: `commission-<step>`). */
export const LIFECYCLE_TASK_KINDS = {
  stageGate: 'commission-stage-gate',
  award: 'commission-award',
} as const;

export const lifecyclePolicySchema = lazy(() =>
  z
    .object({
      gateDue: durationText().default('10 working days'),
      gateRemindBefore: durationText().default('3 working days'),
      /** After a gate's deadline the partner's accountable officer is also asked, for this long. */
      gateEscalateFor: durationText().default('5 working days'),
      procurementResponse: durationText().default('5 working days'),
      checkpointDue: durationText().default('10 working days'),
      legalReview: durationText().default('15 working days'),
      awardDue: durationText().default('10 working days'),
      challengeOutcomeDue: durationText().default('10 working days'),
      representationReviewDue: durationText().default('5 working days'),
      signingDue: durationText().default('10 working days'),
      reviewEvery: durationText().default('P3M'),
      returnsDue: durationText().default('10 working days'),
      endOfTermNotice: durationText().default('P9M'),
      terminationNotice: durationText().default('30 days'),
      urgentReviewDue: durationText().default('20 working days'),
      /** Steps the software never completes for anyone remind this often once overdue; sparingly, as a commission may wait years. */
      overdueRemindEvery: durationText().default('5 working days'),
    })
    .strict(),
);

export type LifecyclePolicy = z.infer<ReturnType<typeof lifecyclePolicySchema>>;
export const defaultLifecyclePolicy = lazy((): LifecyclePolicy =>
  lifecyclePolicySchema().parse({}),
);

export type StepKind =
  | 'checkpoint'
  | 'gate'
  | 'quotes'
  | 'legal-review'
  | 'evaluation'
  | 'award'
  | 'award-notice'
  | 'standstill'
  | 'signing'
  | 'contract-details-notice'
  | 'urgent-review';

export interface PlanStep {
  id: string;
  stage: Exclude<Stage, 'lead-agreement' | 'ended'>;
  kind: StepKind;
  title: string;
  /** Who acts, in words. */
  who: string;
  gate?: Gate | undefined;
}

const checkpoint = (id: string, stage: PlanStep['stage'], title: string, who = 'the lead commissioner'): PlanStep => ({ id, stage, kind: 'checkpoint', title, who });
const gate = (g: Gate, stage: PlanStep['stage']): PlanStep => ({
  id: `gate-${g}`,
  stage,
  kind: 'gate',
  gate: g,
  title: gateNames[g],
  who: g === 2 ? "each funding partner's approver, and the procurement service (within 5 working days)" : "each funding partner's approver",
});

/** The steps a commission goes through, in order, as its proportionality makes them apply. */
export function planSteps(p: Proportionality): PlanStep[] {
  const has = (g: Gate) => p.gates.includes(g);
  const publicNotices = p.regime !== 'provider-selection-regime';
  const steps: (PlanStep | false)[] = [
    checkpoint('lived-experience', 'analyse', 'Record how people with lived experience are involved from the outset (who, how)'),
    has(1) && gate(1, 'analyse'),
    !p.urgent && publicNotices && checkpoint('market-engagement-notice', 'plan', 'Publish the preliminary market engagement notice (before engaging the market)'),
    !p.urgent && checkpoint('market-engagement', 'plan', 'Record the market engagement, proportionate to the commission'),
    p.procurement === 'quotes' && { id: 'quotes', stage: 'plan', kind: 'quotes', title: 'Obtain quotes', who: 'the procurement service' },
    has(2) && gate(2, 'plan'),
    p.legalReview && { id: 'legal-review', stage: 'plan', kind: 'legal-review', title: 'Legal review (at least 15 working days allowed)', who: "the lead partner's legal service" },
    has(3) && gate(3, 'plan'),
    checkpoint('specification-signoff', 'plan', "Sign off the specification (the lead partner's service leadership)", "the lead partner's senior manager"),
    checkpoint('social-value', 'plan', 'Record how social value is included in the specification and the evaluation'),
    checkpoint('conflicts-assessment', 'plan', 'Record the conflicts assessment (before the tender notice; kept under review)'),
    checkpoint('tender-notice', 'plan', publicNotices ? 'Publish the tender notice' : 'Start the Provider Selection Regime process (record the route)'),
    { id: 'evaluation', stage: 'secure-services', kind: 'evaluation', title: 'Evaluation by the joint panel', who: 'the panel (set up by the lead commissioner)' },
    has(4) && gate(4, 'secure-services'),
    { id: 'award', stage: 'secure-services', kind: 'award', title: 'Award decision', who: "each funding partner's commissioner" },
    p.standstill !== 'none' && {
      id: 'award-notice',
      stage: 'secure-services',
      kind: 'award-notice',
      title: p.standstill === 'provider-selection-regime' ? 'Send the intention-to-award notice' : 'Publish the contract award notice (after assessment summaries to bidders)',
      who: 'the lead commissioner',
    },
    p.standstill !== 'none' && { id: 'standstill', stage: 'secure-services', kind: 'standstill', title: 'Standstill', who: 'nobody: it runs by itself; a challenge pauses the award' },
    { id: 'signing', stage: 'secure-services', kind: 'signing', title: 'Sign the contract', who: 'the lead commissioner' },
    { id: 'contract-details-notice', stage: 'review', kind: 'contract-details-notice', title: `Publish the contract details notice (within ${p.contractDetailsNoticeDays} days of signing)`, who: 'the lead commissioner' },
    p.urgent && { id: 'urgent-review', stage: 'review', kind: 'urgent-review', title: 'Review the expedited route and its justification', who: "each funding partner's senior manager" },
  ];
  return steps.filter((s): s is PlanStep => s !== false);
}

export interface TimetableEntry {
  step: string;
  stage: PlanStep['stage'];
  title: string;
  who: string;
  /** The earliest the step can complete if everyone answers at once. */
  earliest: string;
  why?: string | undefined;
}

/**
 * The earliest each step can complete from `from`, on the working-day calendars: only periods
 * the law or policy fixes take time (legal input, the procurement response, standstill).
 */
export function timetable(p: Proportionality, from: Date, calendar: Calendar, policy: LifecyclePolicy = defaultLifecyclePolicy()): TimetableEntry[] {
  let at = from;
  return planSteps(p).map((s) => {
    let why: string | undefined;
    if (s.kind === 'legal-review') {
      at = addDuration(calendar, at, policy.legalReview);
      why = `legal input is allowed ${policy.legalReview}`;
    }
    if (s.kind === 'standstill') {
      at = standstillEnds(p.standstill, at, calendar) ?? at;
      why = p.standstill === 'provider-selection-regime' ? '8 working days from the day after the notice' : '8 working days on the Procurement Act calendar';
    }
    if (s.kind === 'contract-details-notice') why = `due ${p.contractDetailsNoticeDays} days after signing at the latest`;
    return { step: s.id, stage: s.stage, title: s.title, who: s.who, earliest: at.toISOString(), ...(why ? { why } : {}) };
  });
}


export type StepStatus = 'pending' | 'open' | 'done' | 'skipped';

export interface StepRecord {
  id: string;
  status: StepStatus;
  completedAt?: string | undefined;
  by?: string | undefined;
  outcome?: string | undefined;
  /** What was recorded (a reference, who and how, a summary). */
  detail?: string | undefined;
  /** Rejections and resubmissions so far. */
  rounds?: number | undefined;
}

export interface Challenge {
  id: string;
  kind: 'challenge' | 'representation';
  from: string;
  grounds: string;
  raisedBy: string;
  raisedAt: string;
  outcome?: string | undefined;
  reason?: string | undefined;
  decidedAt?: string | undefined;
}

/** A challenge or PSR representations, as a partner records them during standstill. */
export const challengeRequestSchema = lazy(() =>
  z
    .object({
      by: z.string().min(1),
      kind: z.enum(['challenge', 'representation']),
      from: z.string().trim().min(2).max(200),
      grounds: z.string().trim().min(10).max(4000),
    })
    .strict(),
);

export type ChallengeRequest = z.infer<ReturnType<typeof challengeRequestSchema>>;

export interface StandstillView {
  kind: Proportionality['standstill'];
  noticeAt?: string | undefined;
  endsAt?: string | undefined;
  /** The earliest lawful signing: the end of standstill, later while a challenge is open. */
  earliestSigning?: string | undefined;
  paused: boolean;
  challenges: Challenge[];
}

export interface ContractView {
  signedAt: string;
  start: string;
  end: string;
  /** How far the contract allows it to be extended, in months, and how much has been used. */
  extensionAllowedMonths: number;
  extendedMonths: number;
  detailsNoticeDueAt: string;
}

export interface ReviewRecord {
  quarter: number;
  at: string;
  returns: Record<string, 'submitted' | 'missed'>;
  outcome?: string | undefined;
  lessons?: string | undefined;
}

export interface WaitingFor {
  what: string;
  /** People or partners whose move it is; empty when time alone moves it on. */
  who: string[];
  since: string;
  until?: string | undefined;
}

export interface LifecycleView {
  proportionality: Proportionality;
  urgentJustification?: string | undefined;
  steps: (PlanStep & StepRecord)[];
  waitingFor?: WaitingFor | undefined;
  /** When the next thing happens by itself: a deadline, the end of standstill, a review. */
  nextEventAt?: string | undefined;
  standstill?: StandstillView | undefined;
  contract?: ContractView | undefined;
  reviews: ReviewRecord[];
  reviewsHeld: number;
  endOfTerm?: { decision: 'extend' | 'recommission' | 'decommission'; decidedAt: string; detail?: string | undefined } | undefined;
  recommissionedAs?: string | undefined;
  lessons: string[];
}

/** A contract's date as the signing task records it (`YYYY-MM-DD`): midnight UK time that day. */
export function ukMidnight(isoDate: string): Date {
  const local = Date.parse(`${isoDate}T00:00:00Z`);
  return new Date(local - ukOffsetMs(local - 3_600_000));
}
