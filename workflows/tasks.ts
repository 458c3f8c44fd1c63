import { ApplicationFailure, condition } from '@temporalio/workflow';
import { decisionRequestSchema, refusal, type DecisionRequest, type Task } from '../domain/task';

/** Refuses a decision with a reason the API turns into a status and the user can act on. */
function refuse(type: (typeof refusal)[keyof typeof refusal], message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export interface TaskBookState {
  tasks: Task[];
  usedLinks: string[];
}

/**
 * The tasks of one workflow and the rules every decision must pass. Validation lives here so the
 * update validator refuses before anything is written to history.
 */
export class TaskBook {
  constructor(private readonly state: TaskBookState) {}

  get all(): Task[] {
    return this.state.tasks;
  }

  get open(): Task[] {
    return this.state.tasks.filter((t) => t.status === 'open');
  }

  add(task: Task): Task {
    this.state.tasks.push(task);
    return task;
  }

  find(id: string): Task | undefined {
    return this.state.tasks.find((t) => t.id === id);
  }

  /** Everyone who can decide something now: the inbox search attribute. */
  openAssignees(): string[] {
    return [...new Set(this.open.flatMap((t) => t.assignees))].sort();
  }

  validate(raw: DecisionRequest): void {
    const parsed = decisionRequestSchema.safeParse(raw);
    if (!parsed.success) refuse(refusal.invalidRequest, `The decision is not well formed: ${parsed.error.issues[0]?.message}`);
    const req = parsed.data;
    const task = this.find(req.taskId);
    if (!task) refuse(refusal.unknownTask, `There is no task ${req.taskId}.`);
    if (req.linkId !== undefined && this.state.usedLinks.includes(req.linkId)) {
      refuse(refusal.linkUsed, describeClosed(task, 'This link has already been used.'));
    }
    if (task.status !== 'open') refuse(refusal.taskClosed, describeClosed(task, `This task is ${task.status}.`));
    if (!task.assignees.includes(req.by)) {
      refuse(refusal.notAssignee, 'You are not one of the people this task is assigned to.');
    }
    if (!task.options.includes(req.decision)) {
      refuse(refusal.invalidDecision, `"${req.decision}" is not an option here; choose one of: ${task.options.join(', ')}.`);
    }
    if (task.reasonRequiredFor.includes(req.decision) && !req.comment) {
      refuse(refusal.reasonRequired, `A decision to ${req.decision} must give the reason in a comment.`);
    }
  }

  /** Applies a validated decision at workflow time. */
  decide(req: DecisionRequest): Task {
    const task = this.find(req.taskId)!;
    task.status = 'decided';
    task.decision = {
      by: req.by,
      partner: task.partner,
      decision: req.decision,
      comment: req.comment || undefined,
      data: req.data,
      at: new Date().toISOString(),
      channel: req.channel,
    };
    if (req.linkId !== undefined) this.state.usedLinks.push(req.linkId);
    return task;
  }

  close(task: Task, status: 'cancelled' | 'expired'): void {
    if (task.status === 'open') task.status = status;
  }
}

function describeClosed(task: Task, lead: string): string {
  const d = task.decision;
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
