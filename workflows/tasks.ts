import { ApplicationFailure, condition } from '@temporalio/workflow';
import { checkTaskData } from '../domain/taskData';
import { standingOn, type Standing } from '../domain/delegation';
import type { Calendar } from '../domain/calendar';
import { addDuration } from '../domain/duration';
import {
  decisionRequestSchema,
  keyOf,
  extensionRequestSchema,
  refusal,
  type Decision,
  type DecisionRequest,
  type ExtensionRequest,
  type Party,
  type Task,
} from '../domain/task';

/** Refuses a decision with a reason the API turns into a status and the user can act on. */
function refuse(type: (typeof refusal)[keyof typeof refusal], message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export interface TaskBookState {
  tasks: Task[];
  usedLinks: string[];
}

/** The subject's lead commissioner now: a person, and/or any commissioner of the lead partner. */
export interface LeadCommissioner {
  person?: string | undefined;
  partner?: string | undefined;
}

export interface TaskBookRules {
  /** Who may move a task's deadline besides a senior manager of an asked partner (none for a dispute). */
  leadCommissioner(): LeadCommissioner;
  /** How far, in all, a task's deadline may move (calendar days): extensions are not a way round escalation. */
  maxExtensionDays: number;
  /** The case's calendar: an extension by working days is counted on it. */
  calendar: Calendar;
}

/** The default bound on extensions of one task, in calendar days. */
export const MAX_EXTENSION_DAYS = 60;

/** How many fresh links one person may ask for, per task (api/links.ts offers them). */
export const MAX_FRESH_LINKS = 3;

/**
 * The tasks of one workflow and the rules every decision must pass. Validation lives here so the
 * update validator refuses before anything is written to history.
 */
export class TaskBook {
  constructor(
    private readonly state: TaskBookState,
    private readonly rules: TaskBookRules,
  ) {}

  get all(): Task[] {
    return this.state.tasks;
  }

  get open(): Task[] {
    return this.state.tasks.filter((t) => t.status === 'open');
  }

  /**
   * Adds a task. Task ids are unique across the system for ever: since `case-task-ids` a second
   * task under an id already used is a defect in the workflow, refused loudly (the workflow task
   * fails and retries once the code is fixed) rather than shadowing the first.
   */
  add(task: Task, opts: { unique?: boolean } = {}): Task {
    if (opts.unique && this.find(task.id)) throw new Error(`Task ${task.id} already exists in this case; a workflow step reused its key.`);
    this.state.tasks.push(task);
    return task;
  }

  private readonly freshLinks = new Map<string, (person: string) => void>();

  /** How a running task sends a fresh link when someone asks for one (api/links.ts). */
  onFreshLink(taskId: string, send: (person: string) => void): void {
    this.freshLinks.set(taskId, send);
  }

  validateFreshLink(req: { taskId: string; person: string }): void {
    const task = this.find(req.taskId);
    if (!task) refuse(refusal.unknownTask, `There is no task ${req.taskId}.`);
    if (task.status !== 'open') refuse(refusal.taskClosed, `This task is ${task.status}; it takes no decisions.`);
    if (!task.assignees.includes(req.person)) refuse(refusal.notAssignee, 'This task does not ask you now.');
    if (!this.freshLinks.has(req.taskId)) refuse(refusal.taskClosed, 'This task cannot send fresh links.');
    // Each reminder and extension already sends a fresh link; asking is for the rare gap, not a mail pump.
    if ((task.sent?.[`${req.person}:fresh-link`] ?? 0) >= MAX_FRESH_LINKS) {
      refuse(refusal.ruleRefused, `A fresh link has been sent ${MAX_FRESH_LINKS} times for this task; use the latest email, or ask the lead commissioner.`);
    }
  }

  sendFreshLink(req: { taskId: string; person: string }): void {
    this.freshLinks.get(req.taskId)?.(req.person);
  }

  find(id: string): Task | undefined {
    return this.state.tasks.find((t) => t.id === id);
  }

  /** The task a workflow step opened under `key` in this case, whatever its id's form. */
  byKey(subjectId: string, key: string): Task | undefined {
    return this.state.tasks.find((t) => t.subject.id === subjectId && keyOf(t, subjectId) === key);
  }

  /** Everyone who can decide something now: the inbox search attribute. */
  openAssignees(): string[] {
    return [...new Set(this.open.flatMap((t) => t.assignees))].sort();
  }

  validate(raw: DecisionRequest): void {
    const parsed = decisionRequestSchema().safeParse(raw);
    if (!parsed.success) refuse(refusal.invalidRequest, `The decision is not well formed: ${parsed.error.issues[0]?.message}`);
    const req = parsed.data;
    const task = this.find(req.taskId);
    if (!task) refuse(refusal.unknownTask, `There is no task ${req.taskId}.`);
    if (req.linkId !== undefined && this.state.usedLinks.includes(req.linkId)) {
      refuse(refusal.linkUsed, describeClosed(task.decision, 'This link has already been used.'));
    }
    if (task.status !== 'open') refuse(refusal.taskClosed, describeClosed(task.decision, `This task is ${task.status}.`));
    const standing = standingFor(task, req);
    if (task.parties) {
      const decided = task.parties.find((p) => p.decision && p.assignees.includes(req.by));
      if (decided && !standing.ok) {
        refuse(refusal.taskClosed, describeClosed(decided.decision, `${decided.partner ? 'Your partner' : 'You'} already answered.`));
      }
    }
    if (req.actingFor === undefined ? !task.assignees.includes(req.by) : !standing.ok) {
      refuse(refusal.notAssignee, standing.ok ? 'You are not one of the people this task is assigned to.' : standing.message);
    }
    if (!task.options.includes(req.decision)) {
      refuse(refusal.invalidDecision, `"${req.decision}" is not an option here; choose one of: ${task.options.join(', ')}.`);
    }
    if (task.reasonRequiredFor.includes(req.decision) && !req.comment) {
      refuse(refusal.reasonRequired, `A decision to ${req.decision} must give the reason in a comment.`);
    }
    const dataProblem = checkTaskData(task.dataSchema, req.data, task.fields, req.decision);
    if (dataProblem) refuse(refusal.invalidData, `The decision's data is not valid: ${dataProblem}.`);
  }

  /** Applies a validated decision at workflow time; settles the task when its rule is met. */
  decide(req: DecisionRequest): Task {
    const task = this.find(req.taskId)!;
    if (req.linkId !== undefined) this.state.usedLinks.push(req.linkId);
    const at = new Date().toISOString();
    // A request without covers (every one recorded before they were sent) decides as it always did.
    const standing = req.actingFor === undefined ? undefined : standingFor(task, req);
    if (!task.parties) {
      task.status = 'decided';
      const actingFor = standing?.ok ? standing.actingFor : undefined;
      task.decision = { by: req.by, partner: task.partner, ...(actingFor ? { actingFor } : {}), decision: req.decision, comment: req.comment || undefined, data: req.data, at, channel: req.channel };
      return task;
    }
    const party = standing?.ok ? standing.party : partyFor(task, req.by)!;
    const decision: Decision = {
      by: req.by,
      partner: party.partner,
      actingFor: standing?.ok ? standing.actingFor : party.deputies[req.by],
      decision: req.decision,
      comment: req.comment || undefined,
      data: req.data,
      at,
      channel: req.channel,
    };
    party.decision = decision;
    task.decisions = [...(task.decisions ?? []), decision];
    settle(task, decision);
    return task;
  }

  validateExtension(raw: ExtensionRequest): void {
    const parsed = extensionRequestSchema().safeParse(raw);
    if (!parsed.success) refuse(refusal.invalidExtension, `The extension is not valid: ${parsed.error.issues[0]?.message}`);
    const req = parsed.data;
    const task = this.find(req.taskId);
    if (!task) refuse(refusal.unknownTask, `There is no task ${req.taskId}.`);
    if (task.status !== 'open') refuse(refusal.taskClosed, `This task is ${task.status}; its deadline cannot move.`);
    const askedPartners = new Set((task.parties ?? []).map((p) => p.partner).concat(task.partner));
    const seniorOfAsked = req.byRoles.includes('senior-manager') && req.byPartner !== undefined && askedPartners.has(req.byPartner);
    // The lead commissioner now: after a dispute chose another lead, that lead's commissioners.
    const lead = this.rules.leadCommissioner();
    const isLead = (lead.person !== undefined && req.by === lead.person) || (lead.partner !== undefined && req.byPartner === lead.partner && req.byRoles.includes('commissioner'));
    if (!isLead && !seniorOfAsked) {
      refuse(refusal.noAuthority, 'Extension rule: only the lead commissioner, or a senior manager of a partner the task asks, may extend its deadline.');
    }
    // Only now, for someone who may extend, is the new deadline computed (bounded: DURATION_BOUND).
    const dueAt = this.newDeadline(task, req);
    if (Date.parse(dueAt) <= Date.parse(task.dueAt)) {
      refuse(refusal.invalidExtension, `The new deadline must be later than the current one (${task.dueAt}).`);
    }
    const movedDays = ((task.extendedMs ?? 0) + Date.parse(dueAt) - Date.parse(task.dueAt)) / 86_400_000;
    if (movedDays > this.rules.maxExtensionDays) {
      refuse(
        refusal.invalidExtension,
        `Extension rule: a task's deadline may move by ${this.rules.maxExtensionDays} days in all; this would move it by ${Math.ceil(movedDays)}. Decide, or let it escalate.`,
      );
    }
  }

  /** The deadline an extension asks for: the date given, or the current deadline plus the duration on the case's calendar. */
  private newDeadline(task: Task, req: ExtensionRequest): string {
    return req.extendBy !== undefined ? addDuration(this.rules.calendar, new Date(task.dueAt), req.extendBy).toISOString() : new Date(req.dueAt!).toISOString();
  }

  extend(req: ExtensionRequest): Task {
    const task = this.find(req.taskId)!;
    const dueAt = this.newDeadline(task, req);
    task.extendedMs = (task.extendedMs ?? 0) + Date.parse(dueAt) - Date.parse(task.dueAt);
    task.dueAt = dueAt;
    task.revision = (task.revision ?? 0) + 1;
    return task;
  }

  close(task: Task, status: 'cancelled' | 'expired'): void {
    if (task.status === 'open') task.status = status;
  }
}

/**
 * Who the decider answers for on this task at the workflow's time (domain/delegation.ts, the one
 * rule): the decision's covers are checked now, so a delegation that began after the task opened
 * reaches it and one that ended no longer lets its deputy decide.
 */
export function standingFor(task: Task, req: Pick<DecisionRequest, 'by' | 'actingFor'>): Standing<Party> {
  const parties: Party[] = task.parties ?? [{ id: 'anyone', partner: task.partner, assignees: task.assignees, deputies: {}, unreachable: [] }];
  return standingOn(parties, req.by, req.actingFor, Date.now());
}

/** The undecided party a person may answer for. */
export function partyFor(task: Task, person: string): Party | undefined {
  return task.parties?.find((p) => !p.decision && p.assignees.includes(person));
}

/** Recomputes who is still awaited and, when the completion rule is met, the outcome. */
export function settle(task: Task, latest?: Decision): void {
  const parties = task.parties ?? [];
  const waiting = parties.filter((p) => !p.decision);
  task.awaiting = waiting.map((p) => p.id);
  task.assignees = [...new Set(waiting.flatMap((p) => p.assignees))];
  const rejected = latest && (task.rejectOn ?? []).includes(latest.decision);
  const done = task.completion === 'any' ? latest !== undefined : rejected || waiting.length === 0;
  if (!done || !latest) return;
  const chosen = new Set(parties.filter((p) => p.decision).map((p) => p.decision!.decision));
  const outcome = rejected || chosen.size === 1 ? latest.decision : (task.rejectOn?.[0] ?? latest.decision);
  task.status = 'decided';
  task.decision = { ...latest, decision: outcome };
  task.awaiting = [];
  task.assignees = [];
}

function describeClosed(d: Decision | undefined, lead: string): string {
  return d ? `${lead} It was decided "${d.decision}" by ${d.by} on ${d.at}.` : lead;
}

/**
 * Waits until `done()` holds or the instant `at` passes. True when `done()` held. Deadlines are
 * absolute instants computed once, so a late worker never stretches them.
 */
export async function waitUntil(done: () => boolean, at: Date): Promise<boolean> {
  const ms = at.getTime() - Date.now();
  if (done()) return true;
  if (ms <= 0) return false;
  return condition(done, ms);
}
