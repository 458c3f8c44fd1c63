import { z } from 'zod';
import { leadStatuses, stages } from '../domain/commission';
import { durationText } from '../domain/duration';

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

export const decisionBody = z
  .object({
    decision: z.string().min(1, 'say which option you choose'),
    comment: z.string().trim().max(4000).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type DecisionBody = z.infer<typeof decisionBody>;

export const inboxQuery = z
  .object({
    subject: z.string().regex(/^[a-z]+-[a-z0-9]+$/, 'a subject id such as jc-abc123defg').optional(),
    kind: z.string().regex(/^[a-z-]+$/, 'a task kind such as lead-partner-agreement').optional(),
    overdue: z.enum(['true', 'false']).optional(),
  })
  .strict();

export const extensionBody = z
  .object({
    dueAt: z.iso.datetime({ offset: true }).optional(),
    extendBy: durationText.optional(),
    reason: z.string().trim().min(3, 'give the reason for the extension'),
  })
  .strict()
  .refine((b) => (b.dueAt === undefined) !== (b.extendBy === undefined), { path: ['dueAt'], message: 'give either dueAt or extendBy' });

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
  channel: z.enum(['api', 'email']),
});

export const taskSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  subject: z.object({ type: z.enum(['commission', 'dispute', 'referral']), id: z.string(), title: z.string().optional() }),
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
  ifNoAnswer: z.string().optional(),
  briefing: z.array(z.string()).optional(),
  notificationFailed: z.boolean().optional(),
  revision: z.number().int().optional(),
});

const historyEntry = z.object({
  at: iso,
  event: z.string(),
  by: z.string().optional(),
  partner: z.string().optional(),
  actingFor: z.string().optional(),
  channel: z.enum(['api', 'email']).optional(),
  detail: z.string().optional(),
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
  history: z.array(historyEntry),
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
      channel: z.enum(['api', 'email']).optional(),
      what: z.string(),
      text: z.string(),
    }),
  ),
});

const inboxTask = taskSchema.pick({ id: true, kind: true, title: true, subject: true, assignees: true, options: true, status: true, createdAt: true, dueAt: true, escalationLevel: true, awaiting: true });
export const inboxSchema = z.object({ tasks: z.array(inboxTask) });
export const taskEnvelopeSchema = z.object({ task: taskSchema });
export const personSchema = z.object({ id: z.string(), name: z.string(), partner: z.string().nullable(), roles: z.array(z.string()) });
const delegation = z.object({ principal: z.string(), deputy: z.string(), roles: z.array(z.string()), from: iso, to: iso, setAt: iso });
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
  proposals: z.array(z.object({ resolution: z.string(), by: z.string(), partner: z.string().optional(), at: iso })),
  outcome: z
    .object({
      status: z.enum(['resolved', 'withdrawn']),
      stage: disputeStage,
      resolution: z.string().optional(),
      leadPartner: z.string().optional(),
      split: z.record(z.string(), z.number()).optional().describe('for a funding-split dispute: the split its resolution states'),
      decidedBy: z.array(z.string()),
      reason: z.string().optional(),
    })
    .optional(),
  tasks: z.array(taskSchema),
  openTasks: z.array(taskSchema),
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
const referralStatus = z.enum(['positions', 'awaiting-panel', 'disputed', 'deferred', 'approved', 'approved-with-conditions', 'declined', 'under-review', 'ended']);
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
  history: z.array(historyEntry),
  stages: z.array(referralStage),
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
