import { z } from 'zod';
import { lazy } from './lazy';
import type { Role } from './partnership';
import type { FormField } from './taskData';
import { coverSchema } from './delegation';
import { boundedInstant } from './calendar';
import { durationText } from './duration';

/** What a task is about; its id is the subject's business key. */
export type SubjectType = 'commission' | 'dispute' | 'referral' | 'evaluation';

/** The subject type a subject id's prefix names (jc-, jd-, rf-, je-), or 'unknown'. */
export function subjectTypeOfId(id: string): SubjectType | 'unknown' {
  return ({ jc: 'commission', jd: 'dispute', rf: 'referral', je: 'evaluation' } as const)[id.slice(0, 2) as 'jc'] ?? 'unknown';
}

export type TaskStatus = 'open' | 'decided' | 'cancelled' | 'expired';
/** How a decision arrived: the API, an emailed link's page, or the staff web service. */
export type Channel = 'api' | 'email' | 'web';

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

/**
 * How a task with several deciders settles.
 * - `any`: the first decision settles it.
 * - `each-partner`: one decision from every named partner; any decision in `rejectOn` settles it
 *   at once; otherwise, when every partner has decided, the outcome is the option they all chose
 *   (or, if they differ, the first of `rejectOn`).
 * - `all`: every named person decides; the same rule for `rejectOn` and differing choices.
 */
export type CompletionRule = 'any' | 'each-partner' | 'all';

/** Who a task asks: a named person, or everyone holding a role at a partner. */
export type AssigneeSpec = { person: string } | { role: Role; partner: string };

/** One party whose answer a task waits for: a partner (each-partner) or a person (all, any). */
export interface Party {
  /** Partner id for `each-partner`; person id for `all`; "anyone" for `any`. */
  id: string;
  partner?: string | undefined;
  assignees: string[];
  /** Deputy → the person they act for (delegation, one hop). */
  deputies: Record<string, string>;
  decision?: Decision | undefined;
  /** People who were told by email and could not be reached. */
  unreachable: string[];
}

/** A task as the API and the emailed page show it (../shared/API.md, Tasks). */
export interface Task {
  id: string;
  /** The workflow's name for the step (unique within its case); the id adds the subject and the case. */
  key?: string | undefined;
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
  /** Set by the task primitive (v2); absent on tasks of the first release. */
  completion?: CompletionRule | undefined;
  rejectOn?: string[] | undefined;
  parties?: Party[] | undefined;
  /** Parties (partner or person ids) still to decide. */
  awaiting?: string[] | undefined;
  /** Every decision so far, in order. */
  decisions?: Decision[] | undefined;
  /** Named data schema the decision's `data` must satisfy (domain/taskData.ts). */
  dataSchema?: string | undefined;
  /** The inputs the decision's `data` carries, when they depend on the task. */
  fields?: FormField[] | undefined;
  /** What happens if nobody answers, in words for the email and the page. */
  ifNoAnswer?: string | undefined;
  /** The record so far, for those who come to a matter late (the Board, the officers). */
  briefing?: string[] | undefined;
  notificationFailed?: boolean | undefined;
  /** Bumped when the deadline moves, so running timers start again from the new one. */
  revision?: number | undefined;
  /** How far extensions have moved the deadline in all (ms), against the policy's bound. */
  extendedMs?: number | undefined;
  /** Emails sent so far, per `person:purpose`: each send its own Message-ID, across runs too. */
  sent?: Record<string, number> | undefined;
}

/** The one Update argument every human decision arrives through, from the API or an emailed link. */
export const decisionRequestSchema = lazy(() =>
  z
    .object({
      taskId: z.string().min(1),
      decision: z.string().min(1, 'say which option you choose'),
      comment: z.string().trim().max(4000).optional(),
      data: z.record(z.string(), z.unknown()).optional(),
      by: z.string().min(1),
      channel: z.enum(['api', 'email', 'web']),
      /** The emailed link's id, so a link decides at most once. */
      linkId: z.string().optional(),
      /**
       * The delegations the decider is deputy under, as the record has them at the moment of
       * decision (the API reads them): the workflow accepts a deputy only while one is in force.
       */
      actingFor: z.array(coverSchema()).max(200).optional(),
    })
    .strict(),
);

/**
 * What a caller says to move a deadline: to a date (`dueAt`), or by a duration from the current
 * deadline (`extendBy`, counted on the case's calendar by the workflow, after it has checked who
 * may extend). Both within their bounds (DATE_BOUNDS, DURATION_BOUND). The API's body and the
 * update's argument are both this.
 */
export const extensionFields = lazy(() =>
  z.object({
    dueAt: boundedInstant().optional(),
    extendBy: durationText().optional(),
    reason: z.string().trim().min(3, 'give the reason for the extension').max(4000),
  }),
);

export const oneNewDeadline = { path: ['dueAt'], message: 'give either dueAt or extendBy' };

/** Moves a task's deadline: only the subject's lead commissioner or a senior manager of an asked partner. */
export const extensionRequestSchema = lazy(() =>
  extensionFields()
    .extend({
      taskId: z.string().min(1),
      by: z.string().min(1),
      byPartner: z.string().optional(),
      byRoles: z.array(z.string()).max(50),
    })
    .strict()
    .refine((b) => (b.dueAt === undefined) !== (b.extendBy === undefined), oneNewDeadline),
);

export type ExtensionRequest = z.infer<ReturnType<typeof extensionRequestSchema>>;

export type DecisionRequest = z.infer<ReturnType<typeof decisionRequestSchema>>;

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
  invalidData: 'InvalidData',
  noAuthority: 'NoAuthority',
  invalidExtension: 'InvalidExtension',
  /** A rule of the subject refused it (a referral's quorum): 422 naming the rule. */
  ruleRefused: 'RuleRefused',
} as const;

export type RefusalType = (typeof refusal)[keyof typeof refusal];

const TASK_ID = /^([a-z]+-[a-z0-9]+)\.([a-z0-9.-]+)$/;

/**
 * Task ids are `<subject id>.<task key>`: URL-safe, and they name their workflow. Since the
 * `case-task-ids` patch the key starts with the case (`c` and 8 hex digits of the workflow
 * chain's first run id), so a business id used again never repeats a task id.
 */
export function taskId(subjectId: string, key: string, caseTag?: string): string {
  return caseTag ? `${subjectId}.${caseTag}.${key}` : `${subjectId}.${key}`;
}

/** A task's key: the workflow's name for its step, whatever the id's form. */
export function keyOf(task: Pick<Task, 'id' | 'key'>, subjectId: string): string {
  return task.key ?? task.id.slice(subjectId.length + 1);
}

/** The case part of a task id, from the workflow chain's first run id. */
export function caseTagOf(firstRunId: string): string {
  return `c${firstRunId.replace(/-/g, '').slice(0, 8).toLowerCase()}`;
}

export function subjectIdOfTask(id: string): string | undefined {
  return TASK_ID.exec(id)?.[1];
}

/** The memo key under which a workflow keeps its open tasks for the inbox. */
export const INBOX_MEMO = 'inbox';

/** What the inbox shows of a task: enough to list and filter it, no personal data. */
export type InboxEntry = Pick<Task, 'id' | 'kind' | 'title' | 'subject' | 'assignees' | 'options' | 'status' | 'createdAt' | 'dueAt' | 'escalationLevel' | 'awaiting'>;

export function inboxEntry(t: Task): InboxEntry {
  return {
    id: t.id,
    kind: t.kind,
    title: t.title,
    subject: t.subject,
    assignees: t.assignees,
    options: t.options,
    status: t.status,
    createdAt: t.createdAt,
    dueAt: t.dueAt,
    escalationLevel: t.escalationLevel,
    awaiting: t.awaiting,
  };
}
