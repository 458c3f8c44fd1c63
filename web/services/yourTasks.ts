import { z } from 'zod';
import type { ApiContext } from '../../api/context';
import { coversNow, inboxOf } from '../../api/tasks';
import { currentSubject } from '../../db/readModels';
import type { Person } from '../../domain/partnership';
import type { InboxEntry, SubjectType } from '../../domain/task';
import { commissionIdOfEvaluation, PANEL_TASK_KINDS } from '../../domain/evaluation';
import { biddersOf, kindLabel, partnerNames, personNames, textInWords } from './words';

/** The list's filters, sort and page, from the query string; anything else in it is ignored. */
export const yourTasksQuery = z.object({
  kind: z.union([z.literal(''), z.string().regex(/^[a-z][a-z-]{0,59}$/, 'Choose a kind of task from the list')]).optional(),
  subjectType: z.union([z.literal(''), z.enum(['commission', 'dispute', 'referral', 'evaluation'])]).optional(),
  due: z.union([z.literal(''), z.enum(['overdue', 'week'])]).optional(),
  sort: z.enum(['due', 'due-latest', 'subject']).default('due'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type YourTasksQuery = z.infer<typeof yourTasksQuery>;

export const PAGE_SIZE = 20;
const WEEK_MS = 7 * 86_400_000;

export interface TaskRow {
  id: string;
  title: string;
  kind: string;
  kindLabel: string;
  subjectTitle: string;
  subjectType: SubjectType;
  partners: string;
  dueAt: string;
  overdue: boolean;
  /** Whom the person decides for here as their deputy, by name; empty when it asks them. */
  asDeputyFor: string;
}

/** Task kinds whose titles name an evaluation panel's bidders. */
const namesBidders = new Set<string>(['commission-award', PANEL_TASK_KINDS.tieBreak]);

/** The person's open tasks with what the list shows of each subject: its title and partners by name. */
async function rowsFor(ctx: ApiContext, person: Person, now: number, inbox: Promise<InboxEntry[]>): Promise<TaskRow[]> {
  const entries = await inbox;
  const { principals } = await coversNow(ctx, person.id, now);
  const subjects = new Map<string, { title: string; partners: string[] }>();
  for (const id of new Set(entries.map((e) => e.subject.id))) {
    const row = await currentSubject(ctx.database.db, id);
    if (row) subjects.set(id, { title: row.title, partners: JSON.parse(row.partners) as string[] });
  }
  // The award and a tie-break name the panel's bidders by their ids: their names, from the panel (one read each).
  const bidders = new Map<string, { id: string; name: string }[]>();
  for (const e of entries) {
    if (!namesBidders.has(e.kind) || bidders.has(e.subject.id)) continue;
    bidders.set(e.subject.id, await biddersOf(ctx, e.subject.type === 'evaluation' ? commissionIdOfEvaluation(e.subject.id) : e.subject.id));
  }
  return entries.map((e: InboxEntry) => {
    const subject = subjects.get(e.subject.id);
    return {
      id: e.id,
      title: textInWords(ctx.partnership, e.title, bidders.get(e.subject.id)),
      kind: e.kind,
      kindLabel: kindLabel(e.kind),
      subjectTitle: subject?.title ?? e.subject.title ?? e.subject.id,
      subjectType: e.subject.type,
      partners: partnerNames(ctx.partnership, subject?.partners ?? []),
      dueAt: e.dueAt,
      overdue: Date.parse(e.dueAt) < now,
      asDeputyFor: e.assignees.includes(person.id) ? '' : personNames(ctx.partnership, e.assignees.filter((a) => principals.includes(a))),
    };
  });
}

/** Everything the person may decide now (also as a deputy): the list and the navigation's count. */
export const openTasksOf = (ctx: ApiContext, person: Person): Promise<InboxEntry[]> => inboxOf(ctx, person);

/**
 * "Your tasks": filtered, sorted and paged; the kinds offered as filters are those in the whole
 * list. `inbox` is the one the navigation already read for this request, when it did.
 */
export async function yourTasks(ctx: ApiContext, person: Person, q: YourTasksQuery, now = Date.now(), inbox = openTasksOf(ctx, person)) {
  const all = await rowsFor(ctx, person, now, inbox);
  const shown = all
    .filter((t) => !q.kind || t.kind === q.kind)
    .filter((t) => !q.subjectType || t.subjectType === q.subjectType)
    .filter((t) => (q.due === 'overdue' ? t.overdue : q.due === 'week' ? !t.overdue && Date.parse(t.dueAt) <= now + WEEK_MS : true))
    .sort((a, b) =>
      q.sort === 'subject'
        ? a.subjectTitle.localeCompare(b.subjectTitle) || a.dueAt.localeCompare(b.dueAt)
        : q.sort === 'due-latest'
          ? b.dueAt.localeCompare(a.dueAt)
          : a.dueAt.localeCompare(b.dueAt),
    );
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const page = Math.min(q.page, pages);
  const kinds = [...new Map(all.map((t) => [t.kind, t.kindLabel])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  return { total: all.length, matching: shown.length, page, pages, rows: shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), kinds };
}
