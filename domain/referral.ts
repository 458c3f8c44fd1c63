import { stableId } from './ids';
import { z } from 'zod';
import { lazy } from './lazy';
import { calendarSchema } from './calendar';
import { disputePolicySchema } from './dispute';
import { durationText } from './duration';
import type { HistoryEntry } from './commission';
import type { Task } from './task';
import type { Withdrawal } from './withdrawal';
import { historyBoundSchema } from './historyBound';
import { calendarOf, partnerById, partnerIdSchema, type Partnership } from './partnership';

/** The 14 Key Service Centres of Cumberland (DOMAIN.md, Who takes part), or none of them. */
export const localities = [
  'Aspatria',
  'Brampton',
  'Carlisle',
  'Cockermouth',
  'Cleator Moor',
  'Egremont',
  'Keswick',
  'Longtown',
  'Maryport',
  'Millom',
  'Silloth',
  'Whitehaven',
  'Wigton',
  'Workington',
  'not in a KSC',
] as const;
export type Locality = (typeof localities)[number];

/** Geography decides the co-commissioning ICB: Millom is served by LSC ICB, the rest by NENC ICB. */
export function icbFor(locality: Locality): 'lsc-icb' | 'nenc-icb' {
  return locality === 'Millom' ? 'lsc-icb' : 'nenc-icb';
}

export const needs = ['health', 'education', 'social-care'] as const;

export const referralStatuses = ['positions', 'awaiting-panel', 'disputed', 'deferred', 'approved', 'approved-with-conditions', 'declined', 'under-review', 'ended', 'withdrawn'] as const;
export type ReferralStatus = (typeof referralStatuses)[number];

export const panelOutcomes = ['approve', 'approve-with-conditions', 'defer', 'decline'] as const;
export type PanelOutcome = (typeof panelOutcomes)[number];

export const reviewOutcomes = ['continue', 'change', 'end'] as const;

/** `rf-` and the case reference in lower case, without separators: a task's subject id. */
export const REFERRAL_ID = /^rf-[a-z0-9]{5,16}$/;

export function referralIdOf(caseRef: string): string {
  return `rf-${caseRef.toLowerCase()}`;
}

export function caseRefOf(referralId: string): string {
  return referralId.slice(3).toUpperCase();
}

/** The business key of a referral's workflow: the case reference is its only identifier. */
export function referralWorkflowId(caseRef: string): string {
  return `referral:${caseRef}`;
}

/**
 * The dispute a referral opens about its split in a given panel cycle: a stable id, no clock.
 * With `of` (from the `split-dispute-unique-id` patch) each dispute of each referral of a case has
 * its own: a case referred again, or a dispute started again after it stopped, is a new dispute.
 */
export function splitDisputeId(referralId: string, cycle: number, of?: { referredAt: string; disputesSoFar: number }): string {
  return stableId('jd', of ? `${referralId}#${of.referredAt}#${cycle}#${of.disputesSoFar}` : `${referralId}#${cycle}`);
}

const MONTH = '(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)';
const MONTHS = new RegExp(`\\d\\s*${MONTH}\\b|\\b${MONTH}\\s*\\d`, 'i');
const DATE = /\b\d{1,4}[/.\-\s]\d{1,2}[/.\-\s]\d{1,4}\b/;

/** Any run of 8 digits that reads as a date, day first or year first. */
function looksLikeCompactDate(compact: string): boolean {
  return (compact.match(/\d{8,}/g) ?? []).some((run) => [...Array(run.length - 7).keys()].some((i) => isCompactDate(run.slice(i, i + 8))));
}

function isCompactDate(digits: string): boolean {
  const asDmy = { d: +digits.slice(0, 2), m: +digits.slice(2, 4), y: +digits.slice(4) };
  const asYmd = { y: +digits.slice(0, 4), m: +digits.slice(4, 6), d: +digits.slice(6) };
  const plausible = (x: { d: number; m: number; y: number }) => x.y >= 1900 && x.y <= 2100 && x.m >= 1 && x.m <= 12 && x.d >= 1 && x.d <= 31;
  return plausible(asDmy) || plausible(asYmd);
}

/**
 * Checks a case reference is pseudonymous: a code such as "CYP-48213", never a name, a date of
 * birth or an NHS number. Hyphens and spaces only group the code; they are not part of it.
 * Returns the canonical reference (upper case, no separators) or the rule it breaks.
 */
export function checkCaseReference(raw: string): { caseRef: string } | { problem: string } {
  const text = raw.trim();
  const compact = text.replace(/[\s-]/g, '');
  const pseudonymous = 'Case reference rule: give a pseudonymous code such as "CYP-48213", never personal data.';
  if (/^\d{10}$/.test(compact) && /^(\d{3}[\s-]?\d{3}[\s-]?\d{4}|\d{10})$/.test(text)) {
    return { problem: `${pseudonymous} This looks like an NHS number.` };
  }
  if (DATE.test(text) || MONTHS.test(text) || looksLikeCompactDate(compact)) {
    return { problem: `${pseudonymous} This looks like a date of birth.` };
  }
  if (/[a-z]/.test(text) && /[A-Za-z]{2,}\s+[A-Za-z]{2,}/.test(text)) return { problem: `${pseudonymous} This looks like a name.` };
  if (/[A-Za-z]{4,}/.test(compact)) {
    return { problem: `${pseudonymous} This looks like a name: a code has letters in groups of at most 3.` };
  }
  if (!/^[A-Za-z0-9]{5,16}$/.test(compact) || !/[A-Za-z]/.test(compact) || !/\d/.test(compact)) {
    return { problem: `${pseudonymous} It has 5 to 16 letters and digits (at least one of each), optionally grouped with hyphens.` };
  }
  return { caseRef: compact.toUpperCase() };
}


/** Percentages per funding partner, summing to exactly 100 (to the hundredth of a percent). */
export const splitSchema = lazy(() =>
  z
    .record(partnerIdSchema(), z.number().min(0, 'a share cannot be negative').max(100, 'a share is at most 100').refine((n) => Math.round(n * 100) === n * 100, 'a share has at most 2 decimal places'))
    .refine((s) => Object.keys(s).length >= 1, 'name at least one funding partner')
    .meta({ minProperties: 1 })
    .refine((s) => Math.round(Object.values(s).reduce((a, b) => a + b, 0) * 100) === 10_000, {
      message: 'Split rule: the percentages must sum to exactly 100',
    }),
);
export type Split = z.infer<ReturnType<typeof splitSchema>>;

/** `POST /api/v1/referrals` body. Rules that need the partnership are checked by the API. */
export const newReferralRequestSchema = lazy(() =>
  z
    .object({
      caseRef: z.string().trim().min(1, 'give the pseudonymous case reference').max(40),
      locality: z.enum(localities, { message: `the locality is one of the 14 Key Service Centres or "not in a KSC"` }),
      needs: z.array(z.enum(needs)).min(1, 'name at least one of health, education, social-care').max(needs.length, 'each need is listed once').refine((n) => new Set(n).size === n.length, 'each need is listed once').meta({ uniqueItems: true }),
      packageDescription: z.string().trim().min(5, 'describe the package').max(2000),
      annualCost: z.number().positive('the annual cost is more than zero').finite(),
      proposedSplit: splitSchema(),
      urgent: z.boolean().default(false),
    })
    .strict(),
);
export type NewReferralRequest = z.infer<ReturnType<typeof newReferralRequestSchema>>;

/** The locality rule: an ICB in the split must be the one the locality names. */
export function splitProblems(split: Split, locality: Locality, partners: { id: string; kind: string }[]): string[] {
  const icb = icbFor(locality);
  const out: string[] = [];
  for (const id of Object.keys(split)) {
    const partner = partners.find((p) => p.id === id);
    if (!partner) out.push(`no partner has the id "${id}"`);
    else if (partner.kind === 'icb' && id !== icb) out.push(`Locality rule: ${locality} is served by ${icb}, so ${id} cannot fund this package`);
  }
  return out;
}

const policySchema = lazy(() =>
  z.object({
    panel: z.object({ week: z.union([z.number().int().min(1).max(4), z.literal('last')]), weekday: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday']), at: z.string().regex(/^\d{2}:\d{2}$/) }),
    notice: durationText(),
    urgentWithin: durationText(),
    positionsRemindBefore: durationText(),
    recordWithin: durationText(),
    reviewFirst: durationText(),
    reviewEvery: durationText(),
    reviewDue: durationText(),
  }),
);
export type ResourceAllocationPolicy = z.infer<ReturnType<typeof policySchema>>;

export const referralInputSchema = lazy(() =>
  z
    .object({
      id: z.string().regex(REFERRAL_ID),
      caseRef: z.string().regex(/^[A-Z0-9]{5,16}$/),
      locality: z.enum(localities),
      needs: z.array(z.enum(needs)).min(1),
      packageDescription: z.string(),
      annualCost: z.number().positive(),
      proposedSplit: splitSchema(),
      urgent: z.boolean(),
      fundingPartners: z.array(z.object({ id: partnerIdSchema(), name: z.string() })).min(1),
      partnership: z.array(z.object({ id: partnerIdSchema(), name: z.string() })),
      referredBy: z.object({ person: z.string(), partner: partnerIdSchema() }),
      calendar: calendarSchema(),
      policy: policySchema(),
      disputePolicy: disputePolicySchema(),
      policyVersion: z.string(),
      /** The events a run of this case may grow to before it continues as new (domain/historyBound.ts); absent, the default. */
      historyBound: historyBoundSchema().optional(),
    })
    .strict(),
);
export type ReferralInput = z.input<ReturnType<typeof referralInputSchema>>;
export type ReferralInputParsed = z.infer<ReturnType<typeof referralInputSchema>>;

/**
 * The workflow's input for a request the API accepted (its case reference already checked and
 * written as a code): the request, and what the partnership and the caller add.
 */
export function referralInputFrom(
  request: NewReferralRequest,
  partnership: Partnership,
  facts: { caseRef: string; referredBy: { person: string; partner: string }; policyVersion: string },
): ReferralInput {
  return {
    id: referralIdOf(facts.caseRef),
    caseRef: facts.caseRef,
    locality: request.locality,
    needs: request.needs,
    packageDescription: request.packageDescription,
    annualCost: request.annualCost,
    proposedSplit: request.proposedSplit,
    urgent: request.urgent,
    fundingPartners: Object.keys(request.proposedSplit).map((p) => ({ id: p, name: partnerById(partnership, p)!.name })),
    partnership: partnership.partners.map((p) => ({ id: p.id, name: p.name })),
    referredBy: facts.referredBy,
    calendar: calendarOf(partnership),
    policy: partnership.policies.resourceAllocation,
    disputePolicy: partnership.policies.dispute,
    policyVersion: facts.policyVersion,
  };
}

/** A funding partner's latest position in the current panel cycle. */
export interface Position {
  partner: string;
  by: string;
  at: string;
  stance: 'agree' | 'propose';
  /** The split the partner supports: the one it agreed to, or its own proposal. */
  split: Split;
  reasons?: string | undefined;
}

export interface PanelDecision {
  outcome: PanelOutcome;
  by: string;
  at: string;
  split?: Split | undefined;
  conditions?: string | undefined;
  reasons?: string | undefined;
  returnDate?: string | undefined;
}

export interface ReferralStage {
  stage: 'positions' | 'panel' | 'dispute' | 'deferred' | 'review';
  from: string;
  to?: string | undefined;
  waitedOn: string[];
}

export interface ReferralView {
  id: string;
  caseRef: string;
  locality: Locality;
  icb: string;
  needs: string[];
  packageDescription: string;
  annualCost: number;
  urgent: boolean;
  fundingPartners: string[];
  status: ReferralStatus;
  cycle: number;
  proposedSplit: Split;
  agreedSplit?: Split | undefined;
  /** Each funding partner's latest position, side by side; `positionsDiffer` when they do. */
  positions: Position[];
  positionsDiffer: boolean;
  panelAt: string;
  decision?: PanelDecision | undefined;
  decisions: PanelDecision[];
  startDate?: string | undefined;
  nextReviewAt?: string | undefined;
  reviews: { at: string; by: string; outcome: string; comment?: string | undefined }[];
  disputes: { id: string; status: string; resolution?: string | undefined }[];
  referredBy: string;
  referredAt: string;
  decidedAt?: string | undefined;
  tasks: Task[];
  openTasks: Task[];
  history: HistoryEntry[];
  stages: ReferralStage[];
  /** Who withdrew it, when and why (status `withdrawn`). */
  withdrawn?: Withdrawal | undefined;
}

/** A split as people write it: "council 40%, nenc-icb 60%". */
export function splitText(split: Split): string {
  return Object.entries(split)
    .map(([p, n]) => `${p} ${n}%`)
    .join(', ');
}

export function sameSplit(a: Split, b: Split): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/**
 * Reads a split from a dispute's resolution in words ("council 40%, nenc-icb 60%", partner
 * names or ids); undefined unless it names every funding partner once and sums to 100.
 */
export function parseSplit(text: string, partners: { id: string; name: string }[]): Split | undefined {
  const split: Split = {};
  for (const part of text.split(/[,;\n]/).map((s) => s.trim()).filter(Boolean)) {
    const m = /^(.+?)[\s:=]+(\d+(?:\.\d{1,2})?)\s*%?$/.exec(part);
    if (!m) return undefined;
    const who = m[1]!.trim().toLowerCase();
    const partner = partners.find((p) => p.id === who || p.name.toLowerCase() === who);
    if (!partner || partner.id in split) return undefined;
    split[partner.id] = Number(m[2]);
  }
  if (Object.keys(split).length !== partners.length) return undefined;
  return splitSchema().safeParse(split).success ? split : undefined;
}
