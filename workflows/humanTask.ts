import { ActivityFailure, ApplicationFailure, condition, patched, workflowInfo } from '@temporalio/workflow';
import type { Calendar } from '../domain/calendar';
import type { HistoryEntry } from '../domain/commission';
import { addDuration, subtractDuration, type DurationText } from '../domain/duration';
import type { Role } from '../domain/partnership';
import type { FormField } from '../domain/taskData';
import { caseTagOf, taskId, type AssigneeSpec, type CompletionRule, type Decision, type Party, type Task } from '../domain/task';
import type { MailPurpose } from '../activities/mail';
import type { ResolvedPeople } from '../activities';
import { settle, type TaskBook } from './tasks';

/** Who an escalation level reaches: a named person, or a role at a partner (by default the partner still awaited). */
export type EscalationTarget = { person: string } | { role: Role; partner?: string };

export interface EscalationLevel {
  /** One target, or several specs (e.g. the Board chair, wherever they sit). */
  to: EscalationTarget | AssigneeSpec[];
  /** `take-over`: they may decide (beside the original assignees). `notify`: they are told. */
  mode: 'take-over' | 'notify';
  /** The fresh deadline this level gives, counted from the previous deadline. */
  due: DurationText;
  /** Reminders before this level's deadline; none unless given. */
  reminders?: DurationText[];
}

/** Everything a workflow says about a human step; the primitive does the rest. */
export interface TaskSpec {
  key: string;
  kind: string;
  title: string;
  subject: Task['subject'];
  options: string[];
  reasonRequiredFor?: string[];
  /** Options that settle the task at once (e.g. an objection). */
  rejectOn?: string[];
  dataSchema?: string;
  /** Inputs the decision's data must carry (checked like a schema, rendered on the emailed page). */
  fields?: FormField[];
  completion: CompletionRule;
  /** One entry per partner for `each-partner`; for `all` every resolved person is a party. */
  ask: { partner?: string; people: AssigneeSpec[] }[];
  due: DurationText;
  /** An absolute deadline instead of `due` (rounds of one stage share the stage's deadline). */
  dueAt?: string;
  /** Told at once, by email without a link (e.g. board members seeing a dispute arrive). */
  notify?: AssigneeSpec[];
  /**
   * After the last escalation level's deadline: remind every this often instead of expiring,
   * for decisions the software must never take itself.
   */
  overdueReminders?: DurationText;
  /** Reminders before the first deadline, e.g. ["3 working days"]. */
  reminders: DurationText[];
  escalation: EscalationLevel[];
  /** Told to recipients, e.g. "If nobody answers, the senior manager is asked". */
  ifNoAnswer: string;
  /** The record so far, sent with every email of the task. */
  briefing?: string[];
}

export type TaskResult =
  | { status: 'decided'; outcome: string; decision: Decision; task: Task }
  | { status: 'expired'; awaiting: string[]; task: Task }
  | { status: 'cancelled'; task: Task };

export interface TaskContext {
  book: TaskBook;
  calendar: Calendar;
  subjectTitle: string;
  partnerName(id: string): string;
  note(entry: Omit<HistoryEntry, 'at'>): void;
  publish(): void;
  resolve(specs: AssigneeSpec[], at: string): Promise<ResolvedPeople>;
  /** Sends one email; resolves false when the address is permanently refused. */
  send(task: Task, to: string, purpose: MailPurpose, seq: number, linkExpiresAt: string, reason?: string): Promise<boolean>;
  /** Background work the workflow must finish before continue-as-new. */
  track(p: Promise<unknown>): void;
}

const isPermanent = (err: unknown): boolean =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable === true;

export { isPermanent as isPermanentFailure };

/**
 * The id `runTask` gives the task of this key. Since `case-task-ids`, a task's id names its case
 * too: a business id used again (a case referred again, a matter disputed again) never repeats a
 * task id, an email or a record row.
 */
export function taskIdInCase(subjectId: string, key: string): string {
  return patched('case-task-ids') ? taskId(subjectId, key, caseTagOf(workflowInfo().firstExecutionRunId)) : taskId(subjectId, key);
}

/**
 * Runs one human task from creation to its outcome: notifications, reminders, escalations, expiry.
 * A task still open in the book under the same id (carried across continue-as-new) is resumed
 * where it was: nobody is asked twice, and its deadlines stand.
 */
export async function runTask(ctx: TaskContext, spec: TaskSpec): Promise<TaskResult> {
  const now = new Date();
  const tagged = patched('case-task-ids');
  const id = taskIdInCase(spec.subject.id, spec.key);
  const carried = ctx.book.find(id);
  // A step settled before the run continued as new is not asked again: its result stands.
  if (carried && carried.status !== 'open' && patched('resume-settled-steps')) return result(carried);
  const resumed = carried?.status === 'open' && patched('resume-open-tasks');
  // The people are resolved here and the task opened synchronously after, so its first emails are
  // commanded in the same order as in the first release (histories recorded then replay).
  const resolved = resumed ? [] : await Promise.all(spec.ask.map((a) => ctx.resolve(a.people, now.toISOString())));
  const task = resumed ? carried : openTask(ctx, spec, id, now, tagged, resolved);
  const parties = task.parties ?? [];

  const open = (): boolean => task.status === 'open';
  const awaitingParties = (): Party[] => parties.filter((p) => !p.decision);
  const linksReissued = patched('links-reissued');

  /** Links stay valid while the task can still be decided: to the end of the last escalation level. */
  const finalDue = (): string =>
    spec.escalation
      .slice(task.escalationLevel)
      .reduce((at, level) => addDuration(ctx.calendar, at, level.due), new Date(task.dueAt))
      .toISOString();

  /**
   * A link lasts at least LINK_LIFE after it is sent, so an overdue reminder never carries a dead
   * link; each reminder, escalation and extension sends a fresh one, and an expired link to a
   * task still open offers to email another (api/links.ts).
   */
  const linkExpiry = (): string => {
    const last = finalDue();
    if (!linksReissued) return last;
    const least = addDuration(ctx.calendar, new Date(), LINK_LIFE).toISOString();
    return least > last ? least : last;
  };

  function email(party: Party | undefined, to: string[], purpose: MailPurpose): void {
    for (const person of to) {
      // Counted on the task, so a resumed task never repeats a Message-ID (which would be skipped).
      const sent = linksReissued ? (task.sent ??= {}) : undefined;
      const key = `${person}:${purpose}`;
      const seq = ((sent ? sent[key] : noticesSent.get(key)) ?? 0) + 1;
      if (sent) sent[key] = seq;
      else noticesSent.set(key, seq);
      ctx.track(
        ctx.send(task, person, purpose, seq, linkExpiry()).then(async (delivered) => {
          if (!delivered && party) await unreachable(party, person);
        }),
      );
    }
  }
  const noticesSent = new Map<string, number>();
  ctx.book.onFreshLink(task.id, (person) => email(undefined, [person], 'fresh-link'));

  /** A permanent refusal: the task shows it and that partner's senior manager takes over. */
  async function unreachable(party: Party, person: string): Promise<void> {
    if (party.unreachable.includes(person)) return;
    party.unreachable.push(person);
    task.notificationFailed = true;
    ctx.note({ event: 'notification-failed', partner: party.partner, detail: `${task.title}: the email to ${person} could not be delivered` });
    if (!open() || party.decision || !party.partner) return;
    const seniors = await ctx.resolve([{ role: 'senior-manager', partner: party.partner }], new Date().toISOString());
    const added = seniors.people.filter((p) => !party.assignees.includes(p));
    if (!open() || party.decision || added.length === 0) return;
    party.assignees.push(...added);
    Object.assign(party.deputies, seniors.deputies);
    settle(task);
    ctx.note({ event: 'escalated', partner: party.partner, detail: `${task.title}: notification failed, so ${added.join(', ')} asked instead` });
    ctx.publish();
    email(party, added, 'escalation');
  }

  if (!resumed) {
    for (const party of parties) email(party, party.assignees, 'request');
    if (spec.notify?.length) {
      const told = await ctx.resolve(spec.notify, now.toISOString());
      email(undefined, told.people, 'notice');
    }
  }

  for (let level = resumed ? task.escalationLevel : 0; ; level++) {
    // Reminders, then the deadline; an extension bumps the revision and the waits start again.
    // Reminders strictly after this instant are still to come.
    let remindedUpTo = Date.now();
    for (;;) {
      if (!open()) return result(task);
      const revision = task.revision ?? 0;
      const due = new Date(task.dueAt);
      const reminders = level === 0 ? spec.reminders : (spec.escalation[level - 1]!.reminders ?? []);
      const nextReminder = reminders
        .map((r) => subtractDuration(ctx.calendar, due, r))
        .filter((t) => t.getTime() > remindedUpTo && t < due)
        .sort((a, b) => a.getTime() - b.getTime())[0];
      const wakeAt = nextReminder ?? due;
      const ms = wakeAt.getTime() - Date.now();
      if (ms > 0) await condition(() => !open() || (task.revision ?? 0) !== revision, ms);
      if (!open()) return result(task);
      if ((task.revision ?? 0) !== revision) {
        remindedUpTo = Date.now();
        if (linksReissued && open()) for (const party of awaitingParties()) email(party, party.assignees, 'extended');
        continue;
      }
      if (wakeAt === due) break;
      remindedUpTo = wakeAt.getTime();
      ctx.note({ event: 'reminder-sent', detail: `Reminder sent: ${task.title}, due ${task.dueAt}` });
      for (const party of awaitingParties()) email(party, party.assignees, 'reminder');
    }

    const next = spec.escalation[level];
    if (!next && spec.overdueReminders) {
      // Never decided for them: remind every interval until someone decides.
      let at = new Date(task.dueAt);
      for (let round = 1; ; round++) {
        at = addDuration(ctx.calendar, at, spec.overdueReminders);
        // A resumed task does not send the reminders it already sent (or missed) in one burst.
        if (linksReissued && at.getTime() < Date.now()) continue;
        const revision = task.revision ?? 0;
        await condition(() => !open() || (task.revision ?? 0) !== revision, Math.max(0, at.getTime() - Date.now()));
        if (!open()) return result(task);
        if ((task.revision ?? 0) !== revision) {
          if (linksReissued) for (const party of awaitingParties()) email(party, party.assignees, 'extended');
          break;
        }
        ctx.note({ event: 'reminder-sent', detail: `Overdue reminder ${round}: ${task.title} was due ${task.dueAt}` });
        for (const party of awaitingParties()) email(party, party.assignees, 'reminder');
      }
      level--;
      continue;
    }
    if (!next) {
      ctx.book.close(task, 'expired');
      ctx.note({
        event: 'task-expired',
        detail: `${task.title}: no response by ${task.dueAt} from ${awaitingParties().map((p) => (p.partner ? ctx.partnerName(p.partner) : p.id)).join(', ')}`,
      });
      ctx.publish();
      return result(task);
    }
    task.dueAt = addDuration(ctx.calendar, new Date(task.dueAt), next.due).toISOString();
    task.escalationLevel = level + 1;
    for (const party of awaitingParties()) {
      // Deputies whose window covers the escalation join, as they would for a new task.
      const original = spec.completion === 'all' ? [{ person: party.id }] : spec.ask.filter((a) => a.partner === party.partner).flatMap((a) => a.people);
      const again = await ctx.resolve(original, new Date().toISOString());
      for (const [deputy, principal] of Object.entries(again.deputies)) {
        if (party.assignees.includes(deputy)) continue;
        party.assignees.push(deputy);
        party.deputies[deputy] = principal;
        email(party, [deputy], 'escalation');
      }
      const targets: AssigneeSpec[] = Array.isArray(next.to)
        ? next.to
        : ['person' in next.to ? next.to : { role: next.to.role, partner: next.to.partner ?? party.partner ?? '' }];
      const reached = await ctx.resolve(targets, new Date().toISOString());
      if (!open()) return result(task);
      // Those already asked keep deciding: their links are re-issued with the new deadline.
      if (linksReissued) email(party, party.assignees, 'extended');
      if (next.mode === 'take-over') {
        const added = reached.people.filter((p) => !party.assignees.includes(p));
        party.assignees.push(...added);
        Object.assign(party.deputies, reached.deputies);
        email(party, added, 'escalation');
      } else {
        email(undefined, reached.people, 'notice');
      }
      ctx.note({
        event: 'escalated',
        partner: party.partner,
        detail: reached.people.length
          ? `No answer from ${party.partner ? ctx.partnerName(party.partner) : party.id} by the deadline; ${next.mode === 'take-over' ? 'now also asked' : 'told'}: ${reached.people.join(', ')}; due ${task.dueAt}`
          : `No answer from ${party.partner ? ctx.partnerName(party.partner) : party.id} by the deadline, and nobody to escalate to; due ${task.dueAt}`,
      });
    }
    settle(task);
    ctx.publish();
  }
}

/** How long an emailed link lasts at least, from its sending. */
const LINK_LIFE: DurationText = '20 working days';

/** Creates a task in the book, says so in the record and on the page. */
function openTask(ctx: TaskContext, spec: TaskSpec, id: string, now: Date, unique: boolean, resolved: ResolvedPeople[]): Task {
  const dueAt = spec.dueAt ? new Date(spec.dueAt) : addDuration(ctx.calendar, now, spec.due);
  const parties: Party[] =
    spec.completion === 'each-partner'
      ? spec.ask.map((a, i) => ({ id: a.partner!, partner: a.partner, assignees: resolved[i]!.people, deputies: resolved[i]!.deputies, unreachable: [] }))
      : spec.completion === 'all'
        ? resolved.flatMap((r, i) =>
            r.people
              .filter((p) => !(p in r.deputies))
              .map((p) => ({
                id: p,
                partner: spec.ask[i]!.partner,
                assignees: [p, ...Object.keys(r.deputies).filter((d) => r.deputies[d] === p)],
                deputies: Object.fromEntries(Object.entries(r.deputies).filter(([, principal]) => principal === p)),
                unreachable: [],
              })),
          )
        : [
            {
              id: 'anyone',
              assignees: [...new Set(resolved.flatMap((r) => r.people))],
              deputies: Object.assign({}, ...resolved.map((r) => r.deputies)) as Record<string, string>,
              unreachable: [],
            },
          ];
  const task = ctx.book.add(
    {
      id,
      ...(unique ? { key: spec.key } : {}),
      kind: spec.kind,
      title: spec.title,
      subject: spec.subject,
      assignees: [],
      options: spec.options,
      reasonRequiredFor: spec.reasonRequiredFor ?? [],
      rejectOn: spec.rejectOn ?? [],
      dataSchema: spec.dataSchema,
      ...(spec.fields ? { fields: spec.fields } : {}),
      status: 'open',
      createdAt: now.toISOString(),
      dueAt: dueAt.toISOString(),
      escalationLevel: 0,
      completion: spec.completion,
      parties,
      decisions: [],
      ifNoAnswer: spec.ifNoAnswer,
      ...(spec.briefing ? { briefing: spec.briefing } : {}),
      revision: 0,
    },
    { unique },
  );
  settle(task);
  ctx.note({
    event: 'task-opened',
    detail: `${task.title}: asked ${parties.map((p) => (p.partner ? ctx.partnerName(p.partner) : p.assignees.join(', '))).join('; ')}; due ${task.dueAt}`,
  });
  ctx.publish();
  return task;
}

function result(task: Task): TaskResult {
  if (task.status === 'decided') return { status: 'decided', outcome: task.decision!.decision, decision: task.decision!, task };
  if (task.status === 'expired') return { status: 'expired', awaiting: task.awaiting ?? [], task };
  return { status: 'cancelled', task };
}
