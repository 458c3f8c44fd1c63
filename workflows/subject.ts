import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Calendar } from '../domain/calendar';
import type { HistoryEntry } from '../domain/commission';
import type { DecisionRequest, Task } from '../domain/task';
import { isPermanentFailure, type TaskContext } from './humanTask';
import { decideTask, extendTaskDeadline } from './taskMessages';
import { TaskBook, type TaskBookState } from './tasks';

export const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['UnknownRecipient', 'MailRejected'],
  },
});

export interface SubjectState extends TaskBookState {
  history: HistoryEntry[];
  /** How many history entries have been written to the durable record. */
  recorded: number;
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
  leadCommissioner: string;
  publish(): void;
  /** Rules only the subject knows (a referral's quorum), checked after the task's own. */
  validateDecision?(req: DecisionRequest, task: Task): void;
}) {
  const { state } = opts;
  const book = new TaskBook(state, { leadCommissioner: opts.leadCommissioner });
  const background: Promise<unknown>[] = [];
  const partnerName = (id: string): string => opts.partners.find((p) => p.id === id)?.name ?? id;

  // The decision record outlives Temporal's history retention; entries are written in order.
  let recording: Promise<void> = Promise.resolve();
  function flushRecord(): void {
    recording = recording.then(async () => {
      while (state.recorded < state.history.length) {
        const from = state.recorded;
        const entries = state.history.slice(from);
        await activities.recordEvents({ subjectId: opts.id, from, entries, policyVersion: opts.policyVersion });
        state.recorded = from + entries.length;
      }
    });
  }

  const note = (entry: Omit<HistoryEntry, 'at'>): void => {
    state.history.push({ at: new Date().toISOString(), ...entry });
    flushRecord();
  };

  const tasks: TaskContext = {
    book,
    calendar: opts.calendar,
    subjectTitle: opts.title,
    partnerName,
    note,
    publish: opts.publish,
    resolve: (specs, at) => activities.resolveAssignees({ specs, at }),
    async send(task, to, purpose, seq, linkExpiresAt) {
      try {
        await activities.sendTaskEmail({
          task: {
            id: task.id,
            title: task.title,
            dueAt: task.dueAt,
            options: task.options,
            subjectTitle: opts.title,
            partnerNames: (task.parties ?? []).flatMap((p) => (p.partner ? [partnerName(p.partner)] : [])),
            ifNoAnswer: task.ifNoAnswer,
            ...(task.briefing ? { briefing: task.briefing } : {}),
          },
          to,
          purpose,
          seq,
          linkExpiresAt,
        });
        return true;
      } catch (err) {
        if (!isPermanentFailure(err)) note({ event: 'email-failed', detail: `The ${purpose} email to ${to} failed: ${(err as Error).message}` });
        return false;
      }
    },
    track: (p) => background.push(p),
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
      });
      opts.publish();
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
      note({ event: 'deadline-extended', by: req.by, partner: req.byPartner, detail: `${task.title}: now due ${task.dueAt}. Reason: ${req.reason}` });
      return task;
    },
    { validator: (req) => book.validateExtension(req) },
  );

  /** Waits for emails and record writes in flight: before continue-as-new or completion. */
  async function drain(): Promise<void> {
    await Promise.all(background);
    await recording;
  }

  return { book, background, partnerName, note, tasks, drain };
}
