import { CancellationScope, CancelledFailure, condition, isCancellation, log, patched, proxyActivities, proxyLocalActivities, setHandler, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { assigneesKey, nextDueKey, partnersKey, stageKey, titleKey, updatedAtKey } from '../domain/searchAttributes';
import { inboxEntry, INBOX_MEMO } from '../domain/task';
import type { Activities, ResolvedPeople } from '../activities';
import type { SubjectSnapshot } from '../db/readModels';
import type { Calendar } from '../domain/calendar';
import type { HistoryEntry } from '../domain/commission';
import type { AssigneeSpec, DecisionRequest, Task } from '../domain/task';
import { isPermanentFailure, type TaskContext } from './humanTask';
import type { Liveness, WaitingOn } from '../domain/liveness';
import { decideTask, extendTaskDeadline, getWaitingOn, refreshRecord, sendFreshLink } from './taskMessages';
import { quietOnCancel, WITHDRAWAL_PATCH } from './withdrawal';
import { MAX_EXTENSION_DAYS, TaskBook, type LeadCommissioner, type TaskBookState } from './tasks';

/**
 * Since `activities-not-recalled`, an email or a look-up already on its way when the subject is
 * withdrawn (or its parent cancels it) finishes: a recall cannot stop what the relay has taken
 * (the person would hold an email the workflow does not know it sent), and a recall that crosses
 * the activity's completion refuses the whole workflow task on the Java time-skipping server
 * (sdk-java#3088). Histories from before the patch recall as they did.
 */
export const ACTIVITIES_NOT_RECALLED_PATCH = 'activities-not-recalled';
const DRAIN_PATCH = 'drain-until-quiet';
const unrecalling = (): boolean => patched(ACTIVITIES_NOT_RECALLED_PATCH);
function unrecalled<T>(call: () => Promise<T>): Promise<T> {
  return unrecalling() ? CancellationScope.nonCancellable(call) : call();
}

export const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['UnknownRecipient', 'MailRejected'],
  },
});

/**
 * Since `fewer-workflow-tasks` (one patch: each patch costs every new run a marker and an upsert
 * of TemporalChangeVersion): a task's people (the partnership's holders of a role, and the
 * deputies in force) are looked up by a local activity (`peopleToAsk`), one at a time
 * (`inTurn`): it reads the worker's partnership file and the record's delegations, so it needs
 * no activity task on the server, and its result comes back in the same workflow task, which
 * then writes the new case once with its first task open (`firstWriteAfterLookUps`). Histories
 * from before scheduled `resolveAssignees` as an activity, and replay so.
 *
 * (The search attributes are upserted at each change, as before. Upserting once at the end of a
 * workflow task was tried and dropped: the end of an activation stood for it, and a workflow
 * task with local activities spans several, grouped differently on replay, so the upserts
 * landed elsewhere among the commands: a nondeterminism error.)
 */
export const FEWER_TASKS_PATCH = 'fewer-workflow-tasks';

/**
 * Tried once: a local activity holds its workflow task (and the worker's slot for it) while it
 * runs and between its retries, so a record that cannot answer (the database away) is not waited
 * for here: the register answers instead, through the ordinary activity (`lookUpPeople`).
 */
const localActivities = proxyLocalActivities<Activities>({ startToCloseTimeout: '5 seconds', retry: { maximumAttempts: 1 } });

/**
 * The record and the read models: retried quickly, so reads catch up soon after the database
 * comes back, and for as long as it takes (a write is never given up).
 */
const recordActivities = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds', nonRetryableErrorTypes: ['RecordConflict'] },
});

export interface SubjectState extends TaskBookState {
  /** The entries not yet carried past a continue-as-new; those before them are in the record. */
  history: HistoryEntry[];
  /** How many history entries have been written to the durable record (counted from the first). */
  recorded: number;
  /** How many entries came before `history[0]` (left in the record at a continue-as-new). */
  historyBase?: number;
  /** When the first entry was made, once it is no longer carried. */
  startedAt?: string;
  /** The number of the last projection written to the read models. */
  projected?: number;
  /** Set when the subject is withdrawn (workflows/withdrawal.ts): who, why. */
  withdrawn?: { by: string; reason: string; at?: string } | undefined;
}

/** What a workflow shows of its subject; the record adds the case, the time and the tasks. */
export type SubjectShown = Pick<SubjectSnapshot, 'type' | 'status' | 'lead' | 'partners' | 'open' | 'view'>;

/**
 * On from the `system-of-record` patch: each change is written to the database (record and read
 * models) by one activity, and the inbox memo is no longer kept. Histories from before replay
 * their old way. Never called from a query or a validator.
 */
/**
 * The search attributes every subject keeps for the Temporal UI and operators (and, before the
 * system of record, the inbox memo), in one upsert per change.
 */
export function showIndexes(book: TaskBook, f: { memoTitle: string; stage: string; partners: string[]; title: string; extra?: SearchAttributeUpdatePair[] }): void {
  const nextDue = book.open.map((t) => t.dueAt).sort()[0];
  if (!inSystemOfRecord()) upsertMemo({ [INBOX_MEMO]: book.open.map(inboxEntry), title: f.memoTitle });
  upsertSearchAttributes([
    { key: stageKey, value: f.stage },
    { key: partnersKey, value: f.partners },
    { key: assigneesKey, value: book.openAssignees() },
    { key: updatedAtKey, value: new Date() },
    { key: titleKey, value: f.title },
    { key: nextDueKey, value: nextDue ? new Date(nextDue) : null },
    ...(f.extra ?? []),
  ]);
}

/** A subject's page without what the record keeps in tables of its own (tasks, history). */
export function pageOf<V extends { tasks?: unknown; openTasks?: unknown; history?: unknown }>(view: V): Omit<V, 'tasks' | 'openTasks' | 'history'> {
  const { tasks: _tasks, openTasks: _open, history: _history, ...page } = view;
  return page;
}

export const inSystemOfRecord = (): boolean => patched('system-of-record');

/** How many entries the case's history has, carried or not. */
export const historyCount = (state: SubjectState): number => (state.historyBase ?? 0) + state.history.length;

/**
 * The state to continue as new with, after `drain()`: the history the record already holds stays
 * there (the API reads it from the database), so what is carried does not grow over the years;
 * entries not yet written (a record that refused them) are carried. Before the patch, all of it.
 */
export function carriedState<S extends SubjectState>(state: S): S {
  // A case whose page was never written sends its whole history with its first write: kept.
  if (!patched('carry-unrecorded-history') || state.projected === undefined) return state;
  const written = state.recorded - (state.historyBase ?? 0);
  if (written <= 0) return state;
  return { ...state, startedAt: state.startedAt ?? state.history[0]?.at, historyBase: state.recorded, history: state.history.slice(written) };
}

/**
 * The case's whole history, from its first entry: what earlier runs left in the record (at a
 * continue-as-new) read back, then what this run holds. For a case that hands its story on whole
 * (a panel's to its commission); a case that never continued as new reads nothing.
 */
export async function wholeHistory(subjectId: string, state: SubjectState): Promise<HistoryEntry[]> {
  const base = state.historyBase ?? 0;
  if (base === 0) return state.history;
  const earlier = await recordActivities.recordedHistory({ subjectId, instance: workflowInfo().firstExecutionRunId, to: base });
  return [...earlier, ...state.history];
}

/**
 * What every workflow about a subject (commission, dispute, referral) shares: its task book, its
 * history written in order to the durable record outside Temporal, and the emails of its tasks.
 */
export function subjectRecord(opts: {
  id: string;
  title: string;
  policyVersion: string;
  partners: { id: string; name: string }[];
  calendar: Calendar;
  state: SubjectState;
  /** Who may extend deadlines besides the senior managers asked: a person, or the lead partner's commissioners now. */
  leadCommissioner: string | (() => LeadCommissioner);
  /** How far a task's deadline may move in all (calendar days). */
  maxExtensionDays?: number;
  /** Search attributes (and, before the system-of-record patch, the inbox memo). */
  publish(): void;
  /** What people read about the subject now. */
  shown(): SubjectShown;
  /** What the subject waits on besides its open tasks (dates, people acting, other cases), from its state. */
  waits?(): WaitingOn[];
  /** Rules only the subject knows (a referral's quorum), checked after the task's own. */
  validateDecision?(req: DecisionRequest, task: Task): void;
  /**
   * Whether the record is written one entry per activity (`recordEvent`), as the first release
   * did: its commissions replay their histories that way. Decided before the first entry.
   */
  recordsOneByOne?(): boolean;
}) {
  const { state } = opts;
  /** Entries are numbered from the case's first; `state.history` holds those from `base()` on. */
  const base = (): number => state.historyBase ?? 0;
  const lead = opts.leadCommissioner;
  const book = new TaskBook(state, {
    leadCommissioner: typeof lead === 'string' ? () => ({ person: lead }) : lead,
    maxExtensionDays: opts.maxExtensionDays ?? MAX_EXTENSION_DAYS,
    calendar: opts.calendar,
  });
  const background: Promise<unknown>[] = [];
  // Decided once, at the run's start: `patched` answers true again once a replay catches up, and
  // a run that began without it must go on without it.
  const fewerTasks = patched(FEWER_TASKS_PATCH);
  const lookUpLocally = fewerTasks;
  const partnerName = (id: string): string => opts.partners.find((p) => p.id === id)?.name ?? id;

  // The decision record outlives Temporal's history retention; entries are written in order.
  let recording: Promise<void> = Promise.resolve();
  function flushRecord(): void {
    recording = recording.then(async () => {
      while (state.recorded < historyCount(state)) {
        const from = state.recorded;
        const { firstExecutionRunId: instance } = workflowInfo();
        if (opts.recordsOneByOne?.()) {
          await activities.recordEvent({ subjectId: opts.id, seq: from, entry: { ...state.history[from - base()]!, policyVersion: opts.policyVersion }, instance });
          state.recorded = from + 1;
          continue;
        }
        const entries = state.history.slice(from - base());
        // The activity reads the subject type from the id's prefix: no page is built for it.
        await activities.recordEvents({ subjectId: opts.id, from, entries, policyVersion: opts.policyVersion, instance });
        state.recorded = from + entries.length;
      }
    });
  }

  // With the system of record: one write per change, coalescing every change made in the same
  // activation, numbered so the database ignores a retried or stale one.
  let syncing: Promise<void> | undefined;
  let dirty = false;
  function sync(): void {
    dirty = true;
    // Since `subject-withdrawal` the writes run where nothing cancels them: a withdrawal cancels
    // the subject's own scope, and a write in flight then must still land (a cancelled one might
    // have reached the database, and the next, numbered the same, be ignored), nor may the loop
    // stop with changes unwritten.
    syncing ??= patched(WITHDRAWAL_PATCH) ? CancellationScope.nonCancellable(() => writeLoop()) : writeLoop();
  }

  async function writeLoop(): Promise<void> {
    try {
      await recording;
      let rechecks = 0;
      while (dirty) {
        // Let the rest of this activation run first (the code a decision wakes up, say), so one
        // write carries all it changes. A condition that holds resolves at the next check of
        // conditions, after the microtasks queued before it; code woken in the same check as the
        // first runs to its next wait before the second. Conditions add no command.
        await condition(() => true);
        await condition(() => true);
        // A new case is written once its first step's people are found (in the same workflow
        // task, by the local look-up), with its first task open, not once before and once after.
        if (firstWriteAfterLookUps()) await condition(() => resolving === 0);
        dirty = false;
        const sent = fingerprint();
        if (!(await writeOnce())) break;
        // A change made while the write was in flight, with nothing to say so, still goes out.
        // (Bounded: a page that changed by itself with time would otherwise write for ever.)
        if (fingerprint() !== sent && rechecks++ < 3) dirty = true;
      }
    } finally {
      // At once, in the step that ends the loop: a change noted after it starts a new loop
      // (a `.finally()` callback would run a step later and miss it).
      syncing = undefined;
    }
  }

  /** Whether this write is the case's first and people are being looked up for its first step. */
  const firstWriteAfterLookUps = (): boolean => lookUpLocally && state.projected === undefined && resolving > 0;

  /** What the page shows, with what the case waits on (never empty while it is open). */
  function shownWithWaits(): SubjectShown {
    const shown = opts.shown();
    const waitingOn = shown.open ? liveness().waitingOn.filter((w) => w.kind !== 'system') : [];
    return { ...shown, view: { ...shown.view, waitingOn } };
  }

  /** One numbered write of the new events and the page; false if the record refused it for good. */
  async function writeOnce(): Promise<boolean> {
    // The first write of a workflow that began before the system of record sends its whole
    // history, so the case's chain in the database starts at its first event.
    const from = state.projected === undefined ? 0 : state.recorded;
    const entries = state.history.slice(from - base());
    const seq = (state.projected ?? 0) + 1;
    const info = workflowInfo();
    const now = new Date().toISOString();
    try {
      await recordActivities.syncSubject({
        seq,
        subject: { id: opts.id, instance: info.firstExecutionRunId, workflowId: info.workflowId, title: opts.title, at: now, startedAt: state.startedAt ?? state.history[0]?.at ?? now, ...shownWithWaits() },
        tasks: book.all,
        events: { from, entries },
        policyVersion: opts.policyVersion,
      });
    } catch (err) {
      // Only a record that would have to be rewritten fails for good: said loudly, never hidden.
      log.error('the system of record refused a write', { subjectId: opts.id, seq, error: (err as Error).message });
      return false;
    }
    state.recorded = Math.max(state.recorded, from + entries.length);
    state.projected = seq;
    return true;
  }

  /** What a write shows, to tell whether anything changed since. */
  const fingerprint = (): string => JSON.stringify([opts.shown(), book.all, historyCount(state)]);

  /** What the case waits on now: its open tasks, and the dates, people and cases it awaits. */
  function liveness(): Liveness {
    const tasksWaiting: WaitingOn[] = book.open.map((t) => ({
      kind: 'task',
      taskId: t.id,
      title: t.title,
      people: t.assignees,
      dueAt: t.dueAt,
      ...(t.parties ? { awaiting: t.parties.filter((p) => !p.decision).map((p) => ({ party: p.partner ?? p.id, people: p.assignees })) } : {}),
    }));
    return { open: opts.shown().open, waitingOn: [...tasksWaiting, ...(opts.waits?.() ?? []), ...(syncing ? [{ kind: 'system' as const, for: 'writing the record' }] : [])] };
  }
  setHandler(getWaitingOn, liveness);

  /** Until what has changed so far is in the database (no write pending). */
  async function recorded(): Promise<void> {
    while (syncing) await syncing;
  }

  const note = (entry: Omit<HistoryEntry, 'at'>): void => {
    state.history.push({ at: new Date().toISOString(), ...entry });
    if (inSystemOfRecord()) sync();
    else flushRecord();
  };

  /** After every change: the search attributes, and the record and read models. */
  const publish = (): void => {
    opts.publish();
    if (inSystemOfRecord()) sync();
  };

  /** The people to ask: locally since the patch, from the register if the record cannot say. */
  function lookUpPeople(input: { specs: AssigneeSpec[]; at: string }): Promise<ResolvedPeople> {
    if (!lookUpLocally) return activities.resolveAssignees(input);
    return inTurn(() => localActivities.peopleToAsk(input)).catch((err: unknown) => {
      if (isCancellation(err)) throw err;
      return activities.resolveAssignees(input);
    });
  }

  /**
   * One local look-up at a time: each starts once the one before it has come back. Live, local
   * activities' results come back as each finishes, one activation each or several together
   * as it happens; a replay hands them back grouped its own way. Steps woken by results grouped
   * differently run in a different order, and command in a different order (a panel's members'
   * steps, each looking up its people: Nondeterminism error, Timer machine does not handle this
   * event). With one outstanding at a time each result is alone in its activation, live and on
   * replay. (Each look-up is a read of the worker's file and the record, a few milliseconds.)
   */
  let lookUpsOutstanding = 0;
  let lastLookUp: Promise<unknown> = Promise.resolve();
  function inTurn<T>(lookUp: () => Promise<T>): Promise<T> {
    const mine = lookUpsOutstanding === 0 ? lookUp() : lastLookUp.then(lookUp);
    lookUpsOutstanding++;
    const over = (): void => void lookUpsOutstanding--;
    lastLookUp = mine.then(over, over);
    return mine;
  }

  let resolving = 0;
  const tasks: TaskContext = {
    book,
    calendar: opts.calendar,
    subjectTitle: opts.title,
    partnerName,
    note,
    publish,
    resolve: (specs, at) => {
      // Counted, so a run continues as new only between steps, never halfway through one. The
      // activity's own promise is returned, so its callers wake exactly as they did.
      const scope = CancellationScope.current();
      // A look-up that finished after a withdrawal ends its step as a recalled one did.
      const looking = unrecalling()
        ? CancellationScope.nonCancellable(() => lookUpPeople({ specs, at })).then((people) => {
            if (scope.consideredCancelled) throw new CancelledFailure('Withdrawn while the people to ask were being looked up');
            return people;
          })
        : lookUpPeople({ specs, at });
      resolving++;
      const done = (): void => void resolving--;
      looking.then(done, done);
      return looking;
    },
    async send(task, to, purpose, seq, linkExpiresAt, reason) {
      // The task is in the database before its email leaves, so the link works when it arrives.
      if (inSystemOfRecord()) await recorded();
      // Withdrawn before it left: nothing is asked any more, so nothing is sent.
      if (unrecalling() && CancellationScope.current().consideredCancelled) return true;
      try {
        await unrecalled(() => activities.sendTaskEmail({
          task: {
            id: task.id,
            title: task.title,
            dueAt: task.dueAt,
            options: task.options,
            subjectTitle: opts.title,
            partnerNames: (task.parties ?? []).flatMap((p) => (p.partner ? [partnerName(p.partner)] : [])),
            ifNoAnswer: task.ifNoAnswer,
            ...(task.briefing ? { briefing: task.briefing } : {}),
            ...(reason !== undefined ? { reason } : {}),
          },
          to,
          purpose,
          seq,
          linkExpiresAt,
        }));
        return true;
      } catch (err) {
        // Withdrawn while it was being sent: there is nothing left to ask, so nothing to record.
        if (isCancellation(err)) return true;
        if (!isPermanentFailure(err)) note({ event: 'email-failed', detail: `The ${purpose} email to ${to} failed: ${(err as Error).message}` });
        return false;
      }
    },
    track: (p) => {
      background.push(p);
      quietOnCancel(p);
    },
  };

  // Every decision and deadline change arrives through these Updates; their validators refuse
  // before anything is written to history.
  setHandler(
    decideTask,
    (req) => {
      const task = book.decide(req);
      const made = task.decisions?.at(-1) ?? task.decision!;
      note({
        event: 'task-decided',
        by: req.by,
        partner: made.partner ?? task.partner,
        actingFor: made.actingFor,
        channel: req.channel,
        detail: `${task.title}: ${req.decision}${req.comment ? `, "${req.comment}"` : ''}`,
        reason: req.comment || undefined,
      });
      publish();
      return task;
    },
    {
      validator: (req) => {
        book.validate(req);
        opts.validateDecision?.(req, book.find(req.taskId)!);
      },
    },
  );
  setHandler(
    extendTaskDeadline,
    (req) => {
      const task = book.extend(req);
      note({ event: 'deadline-extended', by: req.by, partner: req.byPartner, detail: `${task.title}: now due ${task.dueAt}. Reason: ${req.reason}`, reason: req.reason });
      return task;
    },
    { validator: (req) => book.validateExtension(req) },
  );

  setHandler(sendFreshLink, (req) => book.sendFreshLink(req), { validator: (req) => book.validateFreshLink(req) });

  setHandler(refreshRecord, () => {
    if (inSystemOfRecord()) sync();
  });

  /** Waits for emails and record writes in flight: before continue-as-new or completion. */
  async function drain(): Promise<void> {
    // Since `drain-until-quiet`, work that starts while draining (a reminder sent in the same
    // activation, a decision handled meanwhile, the record of either) is waited for too: a run
    // never continues as new or ends with an email or a write still on its way, whose outcome
    // (an email that failed, say) would otherwise be lost with the run. (On the Java time-skipping
    // server such an activity also holds time still for good.) Histories from before replay as
    // they drained.
    const untilQuiet = patched(DRAIN_PATCH);
    let started: number;
    do {
      started = background.length;
      // After a withdrawal, work cancelled with the subject's scope is over, however it ended.
      if (state.withdrawn) await Promise.allSettled(background);
      else await Promise.all(background);
      await recording;
      await recorded();
    } while (untilQuiet && background.length !== started);
  }

  /** Whether a step is halfway (people being looked up): a run does not continue as new then. */
  const busy = (): boolean => resolving > 0;

  return { book, background, partnerName, note, publish, tasks, drain, liveness, busy };
}
