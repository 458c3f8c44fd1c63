import { stableId } from './ids';
import { z } from 'zod';
import { lazy } from './lazy';
import { calendarSchema } from './calendar';
import { partnerIdSchema } from './partnership';
import { durationText } from './duration';
import type { HistoryEntry } from './commission';
import type { Task } from './task';
import type { FormField } from './taskData';
import type { Split } from './referral';
import { historyBoundSchema } from './historyBound';

export const disputeStages = ['early-resolution', 'executive-board', 'accountable-officers', 'resolved', 'withdrawn'] as const;
export type DisputeStage = (typeof disputeStages)[number];

export const DISPUTE_ID = /^jd-[a-z0-9]{10}$/;

/** The kinds of a dispute's tasks, one per stage (the officers' in two: a proposal, then signing it). */
export const DISPUTE_TASK_KINDS = {
  early: 'dispute-early-resolution',
  board: 'dispute-executive-board',
  officersPropose: 'dispute-officers-propose',
  officersRespond: 'dispute-officers-respond',
} as const;

/** The domain's defaults, for commissions started before their input carried the dispute policy. */
export const defaultDisputePolicy = {
  earlyResolution: { due: '10 working days', remindBefore: '3 working days' },
  executiveBoard: { due: '20 working days' },
  accountableOfficers: { due: '10 working days', remindEvery: '1 working day' },
};

/**
 * The dispute a commission opens about its own lead partner; a later round (the first withdrawn,
 * or ended with no partner named) gets an id of its own, stable for replay, so its tasks, emails
 * and record never mix with the first's.
 */
export function leadDisputeId(commissionId: string, round = 1): string {
  if (round === 1) return `jd-${commissionId.slice(3)}`;
  return stableId('jd', `${commissionId}#lead#${round}`);
}

/** The business key of a dispute's workflow. */
export function disputeWorkflowId(disputeId: string): string {
  return `dispute:${disputeId}`;
}

/** The dispute ladder's deadlines, as a commission's or a referral's input hands them to its disputes. */
export const disputePolicySchema = lazy(() =>
  z.object({
    earlyResolution: z.object({ due: durationText(), remindBefore: durationText() }),
    executiveBoard: z.object({ due: durationText() }),
    accountableOfficers: z.object({ due: durationText(), remindEvery: durationText() }),
  }),
);

/** `POST /api/v1/disputes` body. */
export const newDisputeRequestSchema = lazy(() =>
  z
    .object({
      subject: z.object({ type: z.enum(['commission', 'referral']), id: z.string().regex(/^[a-z]+-[a-z0-9]+$/, 'a commission or referral id') }).strict(),
      partners: z.array(partnerIdSchema()).min(2, 'a dispute is between two or more partners').max(50, 'at most 50 partners').refine((ps) => new Set(ps).size === ps.length, 'each partner is listed once').meta({ uniqueItems: true }),
      matter: z.string().trim().min(5, 'say what the disagreement is about').max(500),
      desiredOutcome: z.string().trim().min(3, 'say what outcome you want').max(2000),
    })
    .strict(),
);

export type NewDisputeRequest = z.infer<ReturnType<typeof newDisputeRequestSchema>>;

export const disputeInputSchema = lazy(() =>
  z
    .object({
      id: z.string().regex(DISPUTE_ID),
      subject: z.object({ type: z.enum(['commission', 'referral']), id: z.string(), title: z.string().optional() }),
      partners: z.array(z.object({ id: partnerIdSchema(), name: z.string() })).min(2),
      /** Every partner of the partnership: the Board and its chair may sit at any of them. */
      partnership: z.array(z.object({ id: partnerIdSchema(), name: z.string() })),
      matter: z.string(),
      desiredOutcome: z.string(),
      /** What the parent needs back: a lead partner, a funding split, or a decision in words. */
      resolutionKind: z.enum(['lead-partner', 'split', 'text']),
      raisedBy: z.object({ person: z.string(), partner: partnerIdSchema() }),
      /** Stage 2 when a partner never engaged (no response), so stage 1 has nothing to try. */
      startAt: z.enum(['early-resolution', 'executive-board']).default('early-resolution'),
      calendar: calendarSchema(),
      policy: disputePolicySchema(),
      policyVersion: z.string(),
      /** The events a run of this case may grow to before it continues as new (domain/historyBound.ts); absent, the default. */
      historyBound: historyBoundSchema().optional(),
    })
    .strict(),
);

export type DisputeInput = z.input<ReturnType<typeof disputeInputSchema>>;

export interface Proposal {
  resolution: string;
  by: string;
  partner?: string | undefined;
  at: string;
  /** What the proposal settles, as data: the partner who leads, or the split. */
  leadPartner?: string | undefined;
  split?: Split | undefined;
}

type ResolutionKind = z.infer<ReturnType<typeof disputeInputSchema>>['resolutionKind'];

/** The data schema (domain/taskData.ts) of the options that propose or resolve, by what the parent needs back. */
export function outcomeDataSchema(kind: ResolutionKind): string | undefined {
  return kind === 'lead-partner' ? 'dispute-lead' : kind === 'split' ? 'dispute-split' : undefined;
}

/** The page's inputs for a proposal or a resolution: a choice among the dispute's partners, or each one's share. */
export function outcomeFields(kind: ResolutionKind, partners: { id: string; name: string }[]): FormField[] | undefined {
  if (kind === 'lead-partner') {
    return [
      {
        path: ['leadPartner'],
        label: 'The partner who leads',
        type: 'choice',
        required: false,
        choices: partners.map((p) => ({ value: p.id, label: p.name })),
        hint: 'When you propose, counter-propose or resolve: the partner who should lead.',
      },
    ];
  }
  if (kind === 'split') {
    return partners.map((p) => ({
      path: ['split', p.id],
      label: `${p.name} share (%)`,
      type: 'integer' as const,
      required: false,
      min: 0,
      max: 100,
      hint: 'When you propose, counter-propose or resolve: whole percentages for every partner, summing to 100.',
    }));
  }
  return undefined;
}

/** What a decision chose, from its data (already checked against the schema and the fields). */
export function chosenOutcome(data: Record<string, unknown> | undefined): Pick<Proposal, 'leadPartner' | 'split'> {
  const d = (data ?? {}) as { leadPartner?: string; split?: Split };
  return { ...(d.leadPartner ? { leadPartner: d.leadPartner } : {}), ...(d.split ? { split: d.split } : {}) };
}

/** The split rule a dispute adds to the schema: its split names exactly the dispute's partners. */
export function splitProblem(split: Split | undefined, partners: { id: string }[]): string | undefined {
  if (!split) return undefined;
  const named = Object.keys(split);
  const ids = partners.map((p) => p.id);
  return named.length === ids.length && ids.every((p) => named.includes(p)) ? undefined : `Split rule: a split names exactly the partners of the dispute (${ids.join(', ')}).`;
}

export interface DisputeResolution {
  status: 'resolved' | 'withdrawn';
  stage: DisputeStage;
  /** The agreed resolution in words; for a lead-partner dispute, `leadPartner` too. */
  resolution?: string | undefined;
  leadPartner?: string | undefined;
  /** For a split dispute: the split the resolution states, when it states one in full. */
  split?: Record<string, number> | undefined;
  decidedBy: string[];
  reason?: string | undefined;
  /** The dispute's whole record, so the parent keeps it with its own. */
  record?: HistoryEntry[] | undefined;
}

export interface DisputeView {
  id: string;
  subject: { type: 'commission' | 'referral'; id: string; title?: string | undefined };
  title: string;
  partners: string[];
  matter: string;
  raisedBy: string;
  stage: DisputeStage;
  proposals: Proposal[];
  outcome?: DisputeResolution | undefined;
  tasks: Task[];
  openTasks: Task[];
  history: HistoryEntry[];
  /** How long each stage took (or has taken so far), in days, and who it waited on. */
  stages: { stage: DisputeStage; from: string; to?: string | undefined; waitedOn: string[] }[];
}
