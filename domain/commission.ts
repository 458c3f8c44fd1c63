import { z } from 'zod';
import { lazy } from './lazy';
import { calendarSchema } from './calendar';
import { disputePolicySchema } from './dispute';
import { durationText } from './duration';
import type { Channel, Task } from './task';
import type { CommissionEvaluation } from './evaluation';
import { lifecyclePolicySchema, type LifecycleView } from './lifecycle';
import { highRiskFactorIds } from './proportionality';
import type { Withdrawal } from './withdrawal';
import { historyBoundSchema } from './historyBound';
import { calendarOf, partnerById, partnerIdSchema, type Partnership } from './partnership';

export const stages = ['lead-agreement', 'analyse', 'plan', 'secure-services', 'review', 'ended', 'withdrawn'] as const;
export type Stage = (typeof stages)[number];

/** A stage in words: the commission's record ("stage entered"), its pages and their filters. */
export const stageNames: Record<Stage, string> = {
  'lead-agreement': 'Lead-partner agreement',
  analyse: 'Analyse',
  plan: 'Plan',
  'secure-services': 'Secure services',
  review: 'Review',
  ended: 'Ended',
  withdrawn: 'Withdrawn',
};

export const leadStatuses = ['proposed', 'agreed', 'disputed', 'decided'] as const;
export type LeadStatus = (typeof leadStatuses)[number];

export const COMMISSION_ID = /^jc-[a-z0-9]{10}$/;

/** The business key of a commission's workflow. */
export function commissionWorkflowId(commissionId: string): string {
  return `commission:${commissionId}`;
}


/** `POST /api/v1/commissions` body. Rules that need the partnership are checked by the API. */
export const newCommissionRequestSchema = lazy(() =>
  z
    .object({
      title: z.string().trim().min(3, 'give the commission a title of at least 3 characters').max(200),
      description: z.string().trim().max(10_000).optional(),
      partners: z
        .array(partnerIdSchema())
        .min(2, 'a joint commission has two or more partners')
        .max(50, 'at most 50 partners')
        .refine((ps) => new Set(ps).size === ps.length, 'each partner is listed once')
        .meta({ uniqueItems: true }),
      proposedLead: partnerIdSchema(),
      estimatedValue: z.number().nonnegative('the estimated value cannot be negative').finite().describe('whole-life value including VAT, in pounds'),
      highRiskFactors: z.array(z.enum(highRiskFactorIds)).max(highRiskFactorIds.length, 'each high-risk factor at most once').default([]).describe('any of the high-risk factors DOMAIN.md lists; one is enough to make the commission high risk'),
      healthCareService: z.boolean().default(false).describe('a health care service: the Provider Selection Regime applies'),
      socialCareService: z.boolean().default(false).describe('a social care service: light touch above £663,540'),
      unusualTerms: z.boolean().default(false),
      urgent: z
        .object({ justification: z.string().trim().min(20, 'say why this is a genuine emergency, in a sentence or more') })
        .strict()
        .optional()
        .describe('the expedited route: fewer gates, the justification recorded and reviewed afterwards'),
      voluntaryStandstill: z.boolean().default(false).describe('light touch only: observe a standstill anyway'),
    })
    .strict()
    .refine((c) => c.partners.includes(c.proposedLead), {
      path: ['proposedLead'],
      message: 'the proposed lead must be one of the participating partners',
    }),
);

export type NewCommissionRequest = z.infer<ReturnType<typeof newCommissionRequestSchema>>;

/** The workflow's input: the request plus everything the workflow must not look up itself. */
export const commissionInputSchema = lazy(() =>
  z
    .object({
      id: z.string().regex(COMMISSION_ID),
      title: z.string(),
      description: z.string().optional(),
      partners: z.array(z.object({ id: partnerIdSchema(), name: z.string() })).min(2),
      proposedLead: partnerIdSchema(),
      estimatedValue: z.number(),
      highRiskFactors: z.array(z.string()),
      healthCareService: z.boolean(),
      createdBy: z.object({ person: z.string(), partner: partnerIdSchema() }),
      calendar: calendarSchema(),
      policy: z.object({
        leadPartnerAgreement: z.object({ due: durationText(), remindBefore: durationText(), escalateFor: durationText() }),
        dispute: disputePolicySchema().optional(),
        lifecycle: lifecyclePolicySchema().optional(),
      }),
      socialCareService: z.boolean().optional(),
      unusualTerms: z.boolean().optional(),
      /** The expedited route, with the justification that is recorded and later reviewed. */
      urgent: z.object({ justification: z.string() }).optional(),
      voluntaryStandstill: z.boolean().optional(),
      /** The commission this one recommissions. */
      recommissionOf: z.string().regex(COMMISSION_ID).optional(),
      /** Every partner of the partnership (the Board may sit at any); absent before disputes existed. */
      partnership: z.array(z.object({ id: partnerIdSchema(), name: z.string() })).optional(),
      /** A digest of the policies in force when the commission started, kept on every record. */
      policyVersion: z.string(),
      /** The events a run of this case may grow to before it continues as new (domain/historyBound.ts); absent, the default. */
      historyBound: historyBoundSchema().optional(),
    })
    .strict(),
);

export type CommissionInput = z.infer<ReturnType<typeof commissionInputSchema>>;

/**
 * The workflow's input for a request the API accepted: the request, and what the partnership and
 * the caller add. One function, so the input the API starts and the one the tests check are the same.
 */
export function commissionInputOf(
  request: NewCommissionRequest,
  partnership: Partnership,
  facts: { id: string; createdBy: { person: string; partner: string }; policyVersion: string },
): CommissionInput {
  return {
    id: facts.id,
    title: request.title,
    description: request.description,
    partners: request.partners.map((p) => ({ id: p, name: partnerById(partnership, p)!.name })),
    proposedLead: request.proposedLead,
    estimatedValue: request.estimatedValue,
    highRiskFactors: request.highRiskFactors,
    healthCareService: request.healthCareService,
    socialCareService: request.socialCareService,
    unusualTerms: request.unusualTerms,
    ...(request.urgent ? { urgent: request.urgent } : {}),
    voluntaryStandstill: request.voluntaryStandstill,
    createdBy: facts.createdBy,
    calendar: calendarOf(partnership),
    policy: { leadPartnerAgreement: partnership.policies.leadPartnerAgreement, dispute: partnership.policies.dispute, lifecycle: partnership.policies.lifecycle },
    partnership: partnership.partners.map((p) => ({ id: p.id, name: p.name })),
    policyVersion: facts.policyVersion,
  };
}

export interface HistoryEntry {
  at: string;
  event: string;
  by?: string | undefined;
  partner?: string | undefined;
  actingFor?: string | undefined;
  channel?: Channel | undefined;
  detail?: string | undefined;
  /** Why, in the decider's own words (a decision's comment, an extension's reason). */
  reason?: string | undefined;
}

export interface CommissionView {
  id: string;
  title: string;
  description?: string | undefined;
  partners: string[];
  stage: Stage;
  lead: { status: LeadStatus; partner: string; reason?: string | undefined };
  estimatedValue: number;
  createdBy: string;
  createdAt: string;
  policyVersion: string;
  tasks: Task[];
  openTasks: Task[];
  history: HistoryEntry[];
  /** Where the commission is in its cycle, what it waits for and when the next thing happens. */
  lifecycle?: LifecycleView | undefined;
  /** The joint evaluation panel, once set up. */
  evaluation?: CommissionEvaluation | undefined;
  /** Who withdrew it, when and why (stage `withdrawn`). */
  withdrawn?: Withdrawal | undefined;
}
