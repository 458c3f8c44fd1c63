import { z } from 'zod';
import { waitingOnField } from './waitingOnSchema';
import { withdrawnSchema } from './withdrawalSchema';
import { highRiskFactorIds } from '../domain/proportionality';
import { leadStatuses, stages } from '../domain/commission';
import { decisionRequestSchema, extensionFields, oneNewDeadline } from '../domain/task';

/**
 * The API's request schemas: routes validate with them and the OpenAPI document is generated
 * from them, so the two cannot disagree. (Bodies defined by the domain live in domain/.)
 */

export const listQuery = z
  .object({
    stage: z.enum(stages).optional(),
    partner: z.string().regex(/^[a-z0-9-]+$/, 'a partner id').optional(),
    lead: z.string().regex(/^[a-z0-9-]+$/, 'a partner id').optional(),
    leadStatus: z.enum(leadStatuses).optional(),
    overdue: z.enum(['true', 'false']).optional(),
    title: z.string().trim().min(2).max(100).regex(/^[\p{L}\p{N} ,.&()-]+$/u, 'words to look for in titles').optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(4000).regex(/^[A-Za-z0-9_-]*$/, 'the nextCursor of a previous page').optional(),
  })
  .strict();

/**
 * `POST /tasks/{id}/decision`: the caller's part of the workflow's decision request (the API adds
 * the task, who decides and the channel), so the API and the update's validator read one rule.
 */
export const decisionBody = decisionRequestSchema().pick({ decision: true, comment: true, data: true });

export type DecisionBody = z.infer<typeof decisionBody>;

export const inboxQuery = z
  .object({
    subject: z.string().regex(/^[a-z]+-[a-z0-9]+$/, 'a subject id such as jc-abc123defg').optional(),
    kind: z.string().regex(/^[a-z-]+$/, 'a task kind such as lead-partner-agreement').optional(),
    overdue: z.enum(['true', 'false']).optional(),
  })
  .strict();

/** `POST /tasks/{id}/extension`: the caller's part of the workflow's extension request, one rule for both. */
export const extensionBody = extensionFields()
  .strict()
  .refine((b) => (b.dueAt === undefined) !== (b.extendBy === undefined), oneNewDeadline)
  // The same rule in the OpenAPI document, so a client's validator refuses what the API refuses.
  .meta({ oneOf: [{ required: ['dueAt'] }, { required: ['extendBy'] }] });

// Responses. Generated into the OpenAPI document; the end-to-end tests validate every response
// they receive against that document.
const iso = z.string().describe('ISO 8601 date-time');

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const decisionSchema = z.object({
  by: z.string(),
  partner: z.string().optional(),
  actingFor: z.string().optional(),
  decision: z.string(),
  comment: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  at: iso,
  channel: z.enum(['api', 'email', 'web']),
});

export const taskSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  subject: z.object({ type: z.enum(['commission', 'dispute', 'referral', 'evaluation']), id: z.string(), title: z.string().optional() }),
  partner: z.string().optional(),
  assignees: z.array(z.string()),
  options: z.array(z.string()),
  reasonRequiredFor: z.array(z.string()).optional(),
  status: z.enum(['open', 'decided', 'cancelled', 'expired']),
  createdAt: iso,
  dueAt: iso,
  escalationLevel: z.number().int().optional(),
  decision: decisionSchema.optional(),
  completion: z.enum(['any', 'each-partner', 'all']).optional().describe('any: the first decision settles it; each-partner: one per partner; all: every person. A decision in rejectOn settles it at once.'),
  rejectOn: z.array(z.string()).optional(),
  parties: z
    .array(
      z.object({
        id: z.string(),
        partner: z.string().optional(),
        assignees: z.array(z.string()),
        deputies: z.record(z.string(), z.string()).describe('deputy → the person they act for'),
        decision: decisionSchema.optional(),
        unreachable: z.array(z.string()),
      }),
    )
    .optional(),
  awaiting: z.array(z.string()).optional().describe('partners (each-partner) or people (all) still to decide'),
  decisions: z.array(decisionSchema).optional(),
  dataSchema: z.string().optional(),
  fields: z
    .array(
      z.object({
        path: z.array(z.string()).describe('where the value sits in the decision\'s data'),
        label: z.string(),
        type: z.enum(['integer', 'text', 'choice', 'date']),
        required: z.boolean(),
        min: z.number().optional(),
        max: z.number().optional(),
        choices: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
        hint: z.string().optional(),
        group: z.string().optional().describe('fields shown together under this heading (a bidder\'s scores); layout only'),
      }),
    )
    .optional()
    .describe("the values the decision's data must carry, when they depend on the task"),
  ifNoAnswer: z.string().optional(),
  briefing: z.array(z.string()).optional(),
  notificationFailed: z.boolean().optional(),
  revision: z.number().int().optional(),
  key: z.string().optional().describe("the workflow's name for the step, unique within its case; the id adds the subject and the case"),
  extendedMs: z.number().int().optional().describe('how far extensions have moved the deadline in all (ms), against the policy bound'),
  sent: z.record(z.string(), z.number().int()).optional().describe('emails sent so far per person and purpose'),
});

const historyEntry = z.object({
  at: iso,
  event: z.string(),
  by: z.string().optional(),
  partner: z.string().optional(),
  actingFor: z.string().optional(),
  channel: z.enum(['api', 'email', 'web']).optional(),
  detail: z.string().optional(),
  reason: z.string().optional().describe("why, in the decider's own words"),
});

export const commissionSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  partners: z.array(z.string()),
  stage: z.enum(stages),
  lead: z.object({ status: z.enum(leadStatuses), partner: z.string(), reason: z.string().optional() }),
  estimatedValue: z.number(),
  createdBy: z.string(),
  createdAt: iso,
  policyVersion: z.string(),
  tasks: z.array(taskSchema),
  openTasks: z.array(taskSchema),
  waitingOn: waitingOnField,
  history: z.array(historyEntry),
  evaluation: z.lazy(() => commissionEvaluationSchema).optional(),
  lifecycle: z.lazy(() => lifecycleSchema).optional(),
  withdrawn: withdrawnSchema.optional(),
});

export const commissionListSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      title: z.string().optional(),
      partners: z.array(z.string()),
      stage: z.enum(stages).optional(),
      lead: z.object({ status: z.enum(leadStatuses).optional(), partner: z.string().optional() }),
      nextDueAt: iso.nullable(),
      overdue: z.boolean(),
      startedAt: iso,
      href: z.string(),
    }),
  ),
  nextCursor: z.string().optional(),
});

export const timelineSchema = z.object({
  id: z.string(),
  title: z.string(),
  items: z.array(
    z.object({
      at: iso,
      event: z.string(),
      who: z.string().optional(),
      partner: z.string().optional(),
      actingFor: z.string().optional(),
      channel: z.enum(['api', 'email', 'web']).optional(),
      what: z.string(),
      text: z.string(),
    }),
  ),
});

const inboxTask = taskSchema.pick({ id: true, kind: true, title: true, subject: true, assignees: true, options: true, status: true, createdAt: true, dueAt: true, escalationLevel: true, awaiting: true });
export const inboxSchema = z.object({ tasks: z.array(inboxTask) });
export const taskEnvelopeSchema = z.object({ task: taskSchema });
export const personSchema = z.object({ id: z.string(), name: z.string(), partner: z.string().nullable(), roles: z.array(z.string()) });
const delegation = z.object({
  id: z.string().optional(),
  principal: z.string(),
  deputy: z.string(),
  roles: z.array(z.string()),
  from: iso,
  to: iso,
  setAt: iso,
  status: z.enum(['set', 'revoked', 'replaced']).optional(),
  revokedAt: iso.optional(),
  revokedBy: z.string().optional(),
});
export const delegationEnvelopeSchema = z.object({ delegation: delegation.nullable() });

const disputeStage = z.enum(['early-resolution', 'executive-board', 'accountable-officers', 'resolved', 'withdrawn']);
export const disputeSchema = z.object({
  id: z.string(),
  subject: z.object({ type: z.enum(['commission', 'referral']), id: z.string(), title: z.string().optional() }),
  title: z.string(),
  partners: z.array(z.string()),
  matter: z.string(),
  raisedBy: z.string(),
  stage: disputeStage,
  proposals: z.array(
    z.object({
      resolution: z.string(),
      by: z.string(),
      partner: z.string().optional(),
      at: iso,
      leadPartner: z.string().optional().describe('for a lead-partner dispute: the partner the proposal names (its data)'),
      split: z.record(z.string(), z.number()).optional().describe('for a funding-split dispute: the split the proposal names (its data)'),
    }),
  ),
  outcome: z
    .object({
      status: z.enum(['resolved', 'withdrawn']),
      stage: disputeStage,
      resolution: z.string().optional(),
      leadPartner: z.string().optional(),
      split: z.record(z.string(), z.number()).optional().describe('for a funding-split dispute: the split decided (the decision\'s data; read from the words for histories recorded before)'),
      decidedBy: z.array(z.string()),
      reason: z.string().optional(),
    })
    .optional(),
  tasks: z.array(taskSchema),
  openTasks: z.array(taskSchema),
  waitingOn: waitingOnField,
  history: z.array(historyEntry),
  stages: z.array(z.object({ stage: disputeStage, from: iso, to: iso.optional(), waitedOn: z.array(z.string()) })),
});

export const disputeListSchema = z.object({
  items: z.array(z.object({ id: z.string(), title: z.string().optional(), stage: disputeStage.optional(), partners: z.array(z.string()), startedAt: iso, href: z.string() })),
});

export const disputeTimelineSchema = timelineSchema.extend({
  stages: z.array(z.object({ stage: disputeStage, from: iso, to: iso.optional(), hours: z.number().describe('how long the stage took, or has taken so far'), waitedOn: z.array(z.string()) })),
});

const split = z.record(z.string(), z.number()).describe('percentages per funding partner, summing to 100');
const panelDecision = z.object({
  outcome: z.enum(['approve', 'approve-with-conditions', 'defer', 'decline']),
  by: z.string(),
  at: iso,
  split: split.optional(),
  conditions: z.string().optional(),
  reasons: z.string().optional(),
  returnDate: z.string().optional(),
});
const referralStatus = z.enum(['positions', 'awaiting-panel', 'disputed', 'deferred', 'approved', 'approved-with-conditions', 'declined', 'under-review', 'ended', 'withdrawn']);
const referralStage = z.object({ stage: z.enum(['positions', 'panel', 'dispute', 'deferred', 'review']), from: iso, to: iso.optional(), waitedOn: z.array(z.string()) });

export const referralSchema = z.object({
  id: z.string(),
  caseRef: z.string().describe('the pseudonymous case reference: the only identifier of the child anywhere'),
  locality: z.string(),
  icb: z.string(),
  needs: z.array(z.string()),
  packageDescription: z.string(),
  annualCost: z.number(),
  urgent: z.boolean(),
  fundingPartners: z.array(z.string()),
  status: referralStatus,
  cycle: z.number().int().describe('how many times the referral has been listed for the panel'),
  proposedSplit: split,
  agreedSplit: split.optional(),
  positions: z
    .array(z.object({ partner: z.string(), by: z.string(), at: iso, stance: z.enum(['agree', 'propose']), split, reasons: z.string().optional() }))
    .describe("each funding partner's latest position, side by side"),
  positionsDiffer: z.boolean(),
  panelAt: iso.describe('when the panel hears it'),
  decision: panelDecision.optional(),
  decisions: z.array(panelDecision),
  startDate: z.string().optional(),
  nextReviewAt: iso.optional(),
  reviews: z.array(z.object({ at: iso, by: z.string(), outcome: z.string(), comment: z.string().optional() })),
  disputes: z.array(z.object({ id: z.string(), status: z.string(), resolution: z.string().optional() })),
  referredBy: z.string(),
  referredAt: iso,
  decidedAt: iso.optional(),
  tasks: z.array(taskSchema),
  openTasks: z.array(taskSchema),
  waitingOn: waitingOnField,
  history: z.array(historyEntry),
  stages: z.array(referralStage),
  withdrawn: withdrawnSchema.optional(),
});

export const referralListSchema = z.object({
  items: z.array(
    z.object({ id: z.string(), caseRef: z.string(), status: referralStatus.optional(), fundingPartners: z.array(z.string()), panelAt: iso.nullable(), startedAt: iso, href: z.string() }),
  ),
});

export const referralTimelineSchema = timelineSchema.extend({
  referredAt: iso,
  decidedAt: iso.optional(),
  hoursToDecision: z.number().optional().describe('from the referral to the panel decision (approve or decline), or so far'),
  stages: z.array(referralStage.extend({ hours: z.number().describe('how long the stage took, or has taken so far') })),
});

const bidderResult = z.object({ bidder: z.string(), total: z.number(), quality: z.number(), byCriterion: z.record(z.string(), z.number()) });
const evaluationResultSchema = z.object({
  ranking: z.array(bidderResult).describe('highest total first; ties go to the higher quality score'),
  recommended: z.string().optional(),
  tieBreak: z.object({ tied: z.array(z.string()), chosen: z.string().optional(), reason: z.string().optional() }).optional(),
  matrix: z.array(
    z.object({
      bidder: z.string(),
      criterion: z.string(),
      scores: z.array(z.object({ member: z.string(), score: z.number(), reason: z.string() })),
      moderated: z.object({ score: z.number(), rationale: z.string(), by: z.string(), at: iso }).optional(),
      agreed: z.number().describe('the moderated score, else the mean of the members\' scores'),
      points: z.number().describe('agreed / scale maximum × weight'),
    }),
  ),
});

export const commissionEvaluationSchema = z.object({
  status: z.enum(['requested', 'running', 'complete']),
  setUpBy: z.string(),
  setUpAt: iso,
  recommended: z.string().optional(),
  result: evaluationResultSchema.optional(),
});

export const evaluationSchema = z.object({
  id: z.string(),
  commission: z.object({ id: z.string(), title: z.string() }),
  partners: z.array(z.string()),
  phase: z.enum(['declaring', 'scoring', 'moderating', 'tie-break', 'complete']),
  criteria: z.array(z.object({ id: z.string(), name: z.string(), kind: z.enum(['quality', 'price', 'social-value']), weight: z.number(), guidance: z.string().optional() })),
  bidders: z.array(z.object({ id: z.string(), name: z.string() })),
  scale: z.object({ min: z.literal(0), max: z.number() }),
  scoringDue: iso,
  socialValue: z.object({ weight: z.number(), minimum: z.number(), justification: z.string().optional() }),
  members: z.array(
    z.object({
      person: z.string(),
      bidders: z.array(z.string()),
      declared: z.boolean(),
      conflicts: z.array(z.object({ bidder: z.string(), interest: z.string() })),
      replacing: z.object({ bidder: z.string(), person: z.string() }).optional(),
      scoring: z.enum(['waiting', 'open', 'scored', 'not-scored', 'nothing-to-score']),
    }),
  ),
  scores: z.array(z.object({ member: z.string(), bidder: z.string(), criterion: z.string(), score: z.number(), reason: z.string() })).describe("while scoring is open, only the caller's own"),
  moderated: z.array(z.object({ bidder: z.string(), criterion: z.string(), score: z.number(), rationale: z.string(), by: z.string(), at: iso })),
  waitingForReplacement: z.array(z.string()).describe('bidders whose scoring waits for a replacement member'),
  result: evaluationResultSchema.optional(),
  tasks: z.array(taskSchema),
  openTasks: z.array(taskSchema),
  waitingOn: waitingOnField,
  history: z.array(historyEntry),
});

const flag = z.enum(['true', 'false']).optional();
export const planQuery = z
  .object({
    // Digits, as the document says: `z.coerce.number()` alone took "value=" for £0.
    value: z
      .string()
      .regex(/^\d{1,12}(\.\d{1,2})?$/, 'the value in whole pounds and pence, such as 120000 or 99.50')
      .transform(Number)
      .pipe(z.number().finite())
      .describe('whole-life value including VAT, in pounds'),
    highRiskFactors: z
      .preprocess((v) => (typeof v === 'string' ? (v === '' ? [] : v.split(',')) : v), z.array(z.enum(highRiskFactorIds)))
      .default([])
      .describe('comma-separated high-risk factors'),
    healthCareService: flag,
    socialCareService: flag,
    unusualTerms: flag,
    urgent: flag,
    voluntaryStandstill: flag,
  })
  .strict();

export const challengeBody = z
  .object({
    kind: z.enum(['challenge', 'representation']).default('challenge').describe('representation: under the Provider Selection Regime'),
    from: z.string().trim().min(2).max(200).describe('the bidder or provider who challenges'),
    grounds: z.string().trim().min(10, 'give the grounds, in a sentence or more').max(4000),
  })
  .strict();

export const proportionalitySchema = z.object({
  highRisk: z.boolean(),
  procurement: z.enum(['none', 'quotes', 'sourcing-strategy']),
  gates: z.array(z.number().int()),
  legalReview: z.boolean(),
  legalLeadTime: z.string().optional(),
  regime: z.enum(['procurement-act', 'light-touch', 'provider-selection-regime']),
  standstill: z.enum(['procurement-act', 'provider-selection-regime', 'voluntary', 'none']),
  contractDetailsNoticeDays: z.number(),
  urgent: z.boolean(),
  reasons: z.array(z.string()).describe('each decision with the rule that made it'),
});

const stage = z.enum(['analyse', 'plan', 'secure-services', 'review']);
export const planSchema = z.object({
  proportionality: proportionalitySchema,
  from: iso,
  timetable: z.array(z.object({ step: z.string(), stage, title: z.string(), who: z.string(), earliest: iso.describe('the earliest the step can complete'), why: z.string().optional() })),
});

const challenge = z.object({
  id: z.string(),
  kind: z.enum(['challenge', 'representation']),
  from: z.string(),
  grounds: z.string(),
  raisedBy: z.string(),
  raisedAt: iso,
  outcome: z.string().optional(),
  reason: z.string().optional(),
  decidedAt: iso.optional(),
});
export const standstillSchema = z.object({
  kind: z.enum(['procurement-act', 'provider-selection-regime', 'voluntary', 'none']),
  noticeAt: iso.optional(),
  endsAt: iso.optional(),
  earliestSigning: iso.optional().describe('the earliest lawful signing'),
  paused: z.boolean(),
  challenges: z.array(challenge),
});
export const challengeEnvelopeSchema = z.object({ standstill: standstillSchema });

export const lifecycleSchema = z.object({
  proportionality: proportionalitySchema,
  urgentJustification: z.string().optional(),
  steps: z.array(
    z.object({
      id: z.string(),
      stage,
      kind: z.string(),
      title: z.string(),
      who: z.string(),
      gate: z.number().optional(),
      status: z.enum(['pending', 'open', 'done', 'skipped']),
      completedAt: iso.optional(),
      by: z.string().optional(),
      outcome: z.string().optional(),
      detail: z.string().optional(),
      rounds: z.number().optional(),
    }),
  ),
  waitingFor: z.object({ what: z.string(), who: z.array(z.string()).describe('partners or people whose move it is'), since: iso, until: iso.optional() }).optional(),
  nextEventAt: iso.optional().describe('when the next thing happens by itself'),
  standstill: standstillSchema.optional(),
  contract: z
    .object({ signedAt: iso, start: z.string(), end: z.string(), extensionAllowedMonths: z.number(), extendedMonths: z.number(), detailsNoticeDueAt: iso })
    .optional(),
  reviews: z.array(z.object({ quarter: z.number(), at: iso, returns: z.record(z.string(), z.enum(['submitted', 'missed'])), outcome: z.string().optional(), lessons: z.string().optional() })),
  reviewsHeld: z.number(),
  endOfTerm: z.object({ decision: z.enum(['extend', 'recommission', 'decommission']), decidedAt: iso, detail: z.string().optional() }).optional(),
  recommissionedAs: z.string().optional(),
  lessons: z.array(z.string()),
});
