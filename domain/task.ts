import { z } from 'zod';

/** What a task is about; its id is the subject's business key. */
export type SubjectType = 'commission' | 'dispute' | 'referral';

export type TaskStatus = 'open' | 'decided' | 'cancelled' | 'expired';
export type Channel = 'api' | 'email';

export interface Decision {
  by: string;
  /** The partner the decider acted for. */
  partner?: string | undefined;
  actingFor?: string | undefined;
  decision: string;
  comment?: string | undefined;
  data?: Record<string, unknown> | undefined;
  at: string;
  channel: Channel;
}

/** A task as the API and the emailed page show it (../shared/API.md, Tasks). */
export interface Task {
  id: string;
  kind: string;
  title: string;
  subject: { type: SubjectType; id: string; title?: string };
  /** The partner whose answer this task asks for, when it asks one partner. */
  partner?: string | undefined;
  assignees: string[];
  options: string[];
  /** Options that need a comment giving the reason. */
  reasonRequiredFor: string[];
  status: TaskStatus;
  createdAt: string;
  dueAt: string;
  escalationLevel: number;
  decision?: Decision | undefined;
}

/** The one Update argument every human decision arrives through, from the API or an emailed link. */
export const decisionRequestSchema = z
  .object({
    taskId: z.string().min(1),
    decision: z.string().min(1),
    comment: z.string().trim().max(4000).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    by: z.string().min(1),
    channel: z.enum(['api', 'email']),
    /** The emailed link's id, so a link decides at most once. */
    linkId: z.string().optional(),
  })
  .strict();

export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

/**
 * Why a decision was refused. The names travel as ApplicationFailure types from the workflow's
 * update validator to the API, which maps each to an HTTP status.
 */
export const refusal = {
  unknownTask: 'UnknownTask',
  notAssignee: 'NotAssignee',
  taskClosed: 'TaskClosed',
  linkUsed: 'LinkUsed',
  invalidDecision: 'InvalidDecision',
  reasonRequired: 'ReasonRequired',
  invalidRequest: 'InvalidRequest',
} as const;

export type RefusalType = (typeof refusal)[keyof typeof refusal];

const TASK_ID = /^([a-z]+-[a-z0-9]+)\.([a-z0-9.-]+)$/;

/** Task ids are `<subject id>.<task key>`: URL-safe, unique, and they name their workflow. */
export function taskId(subjectId: string, key: string): string {
  return `${subjectId}.${key}`;
}

export function subjectIdOfTask(id: string): string | undefined {
  return TASK_ID.exec(id)?.[1];
}
