import { condition, defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { Calendar } from '../../domain/calendar';
import type { HistoryEntry } from '../../domain/commission';
import type { Task } from '../../domain/task';
import { runTask, type TaskResult, type TaskSpec } from '../../workflows/humanTask';
import { decideTask, extendTaskDeadline } from '../../workflows/jointCommission';
import { MAX_EXTENSION_DAYS, TaskBook, type TaskBookState } from '../../workflows/tasks';

/**
 * A test-only workflow that runs one task of any shape through the primitive, so the rules the
 * product's workflows do not use yet (any, all, several reminders, notify levels) are proven too.
 */
export const probeState = defineQuery<{ tasks: Task[]; history: HistoryEntry[] }>('probeState');

const { resolveAssignees, sendTaskEmail } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['UnknownRecipient', 'MailRejected'] },
});

export async function taskProbe(spec: TaskSpec, calendar: Calendar): Promise<Omit<TaskResult, 'task'> & { status: string }> {
  const state: TaskBookState = { tasks: [], usedLinks: [] };
  const history: HistoryEntry[] = [];
  const book = new TaskBook(state, { leadCommissioner: () => ({ person: 'council-commissioner' }), maxExtensionDays: MAX_EXTENSION_DAYS, calendar });
  setHandler(probeState, () => ({ tasks: state.tasks, history }));
  setHandler(decideTask, (req) => book.decide(req), { validator: (req) => book.validate(req) });
  setHandler(extendTaskDeadline, (req) => book.extend(req), { validator: (req) => book.validateExtension(req) });
  const background: Promise<unknown>[] = [];
  const result = await runTask(
    {
      book,
      calendar,
      subjectTitle: 'Probe',
      partnerName: (id) => id,
      note: (e) => history.push({ at: new Date().toISOString(), ...e }),
      publish: () => undefined,
      resolve: (specs, at) => resolveAssignees({ specs, at }),
      send: async (task, to, purpose, seq, linkExpiresAt) => {
        try {
          await sendTaskEmail({ task: { id: task.id, title: task.title, dueAt: task.dueAt, options: task.options, subjectTitle: 'Probe' }, to, purpose, seq, linkExpiresAt });
          return true;
        } catch {
          return false;
        }
      },
      track: (p) => background.push(p),
    },
    spec,
  );
  await Promise.all(background);
  // A product subject stays open after one task settles, so a late decision meets the validator's
  // refusal; the probe lingers likewise (free on the time-skipping server) instead of racing it.
  await condition(() => false, '7 days');
  const { task: _task, ...rest } = result;
  return rest;
}
