import { z } from 'zod';
import { lazy } from './lazy';

/**
 * Proportionality (DOMAIN.md section 1): from value (including VAT), risk and the kind of
 * service, what a commission must go through. One table, read top to bottom, so the rule a
 * commissioner is told is the rule the workflow follows.
 */

/** The high-risk factors DOMAIN.md lists; any one makes a commission high risk. */
export const highRiskFactors = {
  'business-critical': 'Business-critical',
  'high-public-visibility': 'High public visibility',
  'loss-of-regulatory-control': 'Loss of regulatory control',
  'statutory-or-sensitive-data': 'Statutory service, or personal or sensitive data',
  'reputational-risk': 'Significant reputational risk',
  'critical-systems-loss': 'Loss of critical systems for over 2 days',
  'commercial-dependency': 'High commercial dependency (over 30% either way)',
  'government-it': 'Connection to government IT',
  'supplier-concerns': 'Supplier performance or financial concerns',
  'legal-challenge-likely': 'Medium or high likelihood of legal challenge',
  'unplanned-extension': 'Unplanned extension',
  'limited-competition': 'Limited competition in the market',
} as const;

export type HighRiskFactor = keyof typeof highRiskFactors;
export const highRiskFactorIds = Object.keys(highRiskFactors) as [HighRiskFactor, ...HighRiskFactor[]];

export const THRESHOLDS = { quotes: 25_000, sourcingStrategy: 100_000, legalReview: 500_000, lightTouch: 663_540 } as const;

export const proportionalityInputSchema = lazy(() =>
  z
    .object({
      /** Whole-life value including VAT, in pounds. */
      value: z.number().nonnegative().finite(),
      highRiskFactors: z.array(z.enum(highRiskFactorIds)).default([]),
      /** A health care service: the Provider Selection Regime applies. */
      healthCareService: z.boolean().default(false),
      /** A social care service: light touch above the threshold. */
      socialCareService: z.boolean().default(false),
      unusualTerms: z.boolean().default(false),
      /** A genuine emergency: the expedited route, with its justification recorded and reviewed. */
      urgent: z.boolean().default(false),
      /** Light touch only: the partners choose to observe a standstill anyway. */
      voluntaryStandstill: z.boolean().default(false),
    })
    .strict(),
);

export type ProportionalityInput = z.infer<ReturnType<typeof proportionalityInputSchema>>;

export type Regime = 'procurement-act' | 'light-touch' | 'provider-selection-regime';
export type ProcurementInvolvement = 'none' | 'quotes' | 'sourcing-strategy';
export type Gate = 1 | 2 | 3 | 4;
export type StandstillKind = 'procurement-act' | 'provider-selection-regime' | 'voluntary' | 'none';

export const gateNames: Record<Gate, string> = {
  1: 'Gate 1: project initiation (objectives, scope, resources)',
  2: 'Gate 2: procurement request form',
  3: 'Gate 3: outline business case',
  4: 'Gate 4: full business case',
};

export interface Proportionality {
  highRisk: boolean;
  procurement: ProcurementInvolvement;
  gates: Gate[];
  legalReview: boolean;
  /** At least this long is allowed for legal input. */
  legalLeadTime?: '15 working days' | undefined;
  regime: Regime;
  standstill: StandstillKind;
  /** Days after signing within which the contract details notice is due. */
  contractDetailsNoticeDays: 30 | 120;
  urgent: boolean;
  /** Each decision with the rule that made it, in words for the commissioner. */
  reasons: string[];
}

const pounds = (n: number): string => `£${n.toLocaleString('en-GB')}`;

export function proportionality(raw: ProportionalityInput): Proportionality {
  const input = proportionalityInputSchema().parse(raw);
  const reasons: string[] = [];
  const highRisk = input.highRiskFactors.length > 0;
  const risk = highRisk ? `high risk (${input.highRiskFactors.map((f) => highRiskFactors[f]).join('; ')})` : '';

  let procurement: ProcurementInvolvement;
  if (input.value > THRESHOLDS.sourcingStrategy || highRisk) {
    procurement = 'sourcing-strategy';
    reasons.push(`${input.value > THRESHOLDS.sourcingStrategy ? `Over ${pounds(THRESHOLDS.sourcingStrategy)}` : risk}: the procurement service is told at the start and supports a sourcing strategy; stage gates 1 to 4 apply.`);
  } else if (input.value >= THRESHOLDS.quotes) {
    procurement = 'quotes';
    reasons.push(`${pounds(THRESHOLDS.quotes)} to ${pounds(THRESHOLDS.sourcingStrategy)}: the procurement service obtains quotes.`);
  } else {
    procurement = 'none';
    reasons.push(`Under ${pounds(THRESHOLDS.quotes)}: no procurement-service involvement is required.`);
  }

  const legalReview = input.value > THRESHOLDS.legalReview || highRisk || input.unusualTerms;
  if (legalReview) {
    const why = input.value > THRESHOLDS.legalReview ? `Over ${pounds(THRESHOLDS.legalReview)}` : highRisk ? risk[0]!.toUpperCase() + risk.slice(1) : 'Unusual terms';
    reasons.push(`${why}: legal review, with at least 15 working days allowed for legal input.`);
  }

  let regime: Regime;
  if (input.healthCareService) {
    regime = 'provider-selection-regime';
    reasons.push('A health care service: the Provider Selection Regime applies.');
  } else if (input.socialCareService && input.value > THRESHOLDS.lightTouch) {
    regime = 'light-touch';
    reasons.push(`A social care service over ${pounds(THRESHOLDS.lightTouch)}: the Procurement Act 2023's light-touch regime.`);
  } else {
    regime = 'procurement-act';
    reasons.push('The Procurement Act 2023 applies.');
  }

  let gates: Gate[] = procurement === 'sourcing-strategy' ? [1, 2, 3, 4] : [];
  if (input.urgent) {
    // The expedited route keeps only the decision to commit money; a review follows.
    gates = gates.filter((g) => g === 4);
    reasons.push('Urgent: the expedited route keeps only gate 4 (the full business case at award); the justification is recorded and reviewed afterwards.');
  }

  const standstill: StandstillKind =
    regime === 'provider-selection-regime' ? 'provider-selection-regime' : regime === 'light-touch' ? (input.voluntaryStandstill ? 'voluntary' : 'none') : 'procurement-act';
  reasons.push(
    {
      'procurement-act': 'Standstill: 8 working days from the contract award notice, on the Procurement Act calendar (no UK bank holiday counts).',
      'provider-selection-regime': 'Standstill: 8 working days from the day after the intention-to-award notice; representations add a review and 5 more working days.',
      voluntary: 'Standstill: light touch needs none, but the partners chose a voluntary 8 working days.',
      none: 'Standstill: not required for a light-touch contract.',
    }[standstill],
  );
  const contractDetailsNoticeDays = regime === 'light-touch' ? 120 : 30;
  reasons.push(`Contract details notice within ${contractDetailsNoticeDays} days of signing.`);

  return {
    highRisk,
    procurement,
    gates,
    legalReview,
    ...(legalReview ? { legalLeadTime: '15 working days' as const } : {}),
    regime,
    standstill,
    contractDetailsNoticeDays,
    urgent: input.urgent,
    reasons,
  };
}
