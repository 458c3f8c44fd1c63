import { sql, type Selectable } from 'kysely';
import type { Task } from '../domain/task';
import type { RecordDb } from './index';
import type { RecordSchema } from './schema';

export type SubjectRow = Selectable<RecordSchema['subjects']>;

/** What a workflow says about its subject after a change: the read model's row. */
export interface SubjectSnapshot {
  id: string;
  type: 'commission' | 'dispute' | 'referral' | 'evaluation';
  /** The case (the first run of the workflow chain): a business id used again is a new case. */
  instance: string;
  workflowId: string;
  title: string;
  /** Stage, status or phase: what the list endpoints filter on. */
  status: string;
  lead?: { partner: string; status: string } | undefined;
  partners: string[];
  open: boolean;
  /** The workflow's time of this change. */
  at: string;
  startedAt: string;
  /** What the subject's page shows, without its tasks and history (kept in their own tables). */
  view: object;
}

/**
 * Writes a subject and its tasks as of projection `seq`, in the caller's transaction. A `seq` not
 * above the stored one is stale (a retry, or an older write arriving late) and changes nothing.
 * Returns whether it was applied.
 */
export async function applySnapshot(tx: RecordDb, seq: number, s: SubjectSnapshot, tasks: Task[]): Promise<boolean> {
  const stored = await tx
    .selectFrom('subjects')
    .select(['seq', 'started_at', 'ended_at'])
    .where('subject_id', '=', s.id)
    .where('instance', '=', s.instance)
    .executeTakeFirst();
  if (stored && stored.seq >= seq) return false;
  const nextDue = tasks.filter((t) => t.status === 'open').map((t) => t.dueAt).sort()[0] ?? null;
  const row = {
    subject_type: s.type,
    workflow_id: s.workflowId,
    title: s.title,
    status: s.status,
    lead_partner: s.lead?.partner ?? null,
    lead_status: s.lead?.status ?? null,
    partners: JSON.stringify(s.partners),
    next_due_at: nextDue,
    is_open: s.open ? 1 : 0,
    ended_at: s.open ? null : (stored?.ended_at ?? s.at),
    updated_at: s.at,
    seq,
    view: JSON.stringify(s.view),
  };
  if (stored) {
    await tx.updateTable('subjects').set(row).where('subject_id', '=', s.id).where('instance', '=', s.instance).execute();
  } else {
    await tx.insertInto('subjects').values({ subject_id: s.id, instance: s.instance, started_at: s.startedAt, ...row }).execute();
  }
  // One read of what the case's tasks look like now, rather than one per task.
  const storedBodies = new Map(
    (await tx.selectFrom('tasks').select(['task_id', 'body']).where('subject_id', '=', s.id).where('instance', '=', s.instance).execute()).map((r) => [r.task_id, r.body]),
  );
  for (const t of tasks) {
    const body = JSON.stringify(t);
    const values = {
      subject_id: s.id,
      instance: s.instance,
      subject_type: s.type,
      kind: t.kind,
      status: t.status,
      due_at: t.dueAt,
      created_at: t.createdAt,
      body,
      seq,
    };
    const had = storedBodies.get(t.id);
    if (had === body) continue;
    if (had !== undefined) await tx.updateTable('tasks').set(values).where('task_id', '=', t.id).where('instance', '=', s.instance).execute();
    else await tx.insertInto('tasks').values({ task_id: t.id, ...values }).execute();
    await tx.deleteFrom('task_assignees').where('task_id', '=', t.id).where('instance', '=', s.instance).execute();
    const people = t.status === 'open' ? [...new Set(t.assignees)] : [];
    if (people.length) await tx.insertInto('task_assignees').values(people.map((person) => ({ task_id: t.id, instance: s.instance, person }))).execute();
  }
  return true;
}

/** The current case of a subject id: the latest started. */
export async function currentSubject(db: RecordDb, id: string): Promise<SubjectRow | undefined> {
  return db.selectFrom('subjects').selectAll().where('subject_id', '=', id).orderBy('started_at', 'desc').orderBy('instance', 'desc').limit(1).executeTakeFirst();
}

export async function tasksOf(db: RecordDb, subjectId: string, instance: string): Promise<Task[]> {
  const rows = await db.selectFrom('tasks').select(['body']).where('subject_id', '=', subjectId).where('instance', '=', instance).orderBy('created_at').orderBy('task_id').execute();
  return rows.map((r) => JSON.parse(r.body) as Task);
}

export async function taskById(db: RecordDb, taskId: string): Promise<(Task & { instance: string }) | undefined> {
  // The task of the subject's latest case, when a business id was used again.
  const row = await db
    .selectFrom('tasks as t')
    .innerJoin('subjects as s', (j) => j.onRef('s.subject_id', '=', 't.subject_id').onRef('s.instance', '=', 't.instance'))
    .select(['t.body', 't.instance'])
    .where('t.task_id', '=', taskId)
    .orderBy('s.started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { ...(JSON.parse(row.body) as Task), instance: row.instance } : undefined;
}

/**
 * Open tasks asking any of these people (a person, and those they cover for now): the inbox's
 * candidates. Who may decide which is the workflow's rule (domain/delegation.ts, standingOn).
 */
export async function openTasksFor(db: RecordDb, people: string | string[]): Promise<Task[]> {
  const asked = typeof people === 'string' ? [people] : people;
  const rows = await db
    .selectFrom('task_assignees as a')
    .innerJoin('tasks as t', (j) => j.onRef('t.task_id', '=', 'a.task_id').onRef('t.instance', '=', 'a.instance'))
    .select(['t.task_id', 't.body'])
    .distinct()
    .where('a.person', 'in', asked)
    .where('t.status', '=', 'open')
    .execute();
  return rows.map((r) => JSON.parse(r.body) as Task);
}

export interface ListFilter {
  type: SubjectSnapshot['type'];
  /** Only subjects these partners all take part in. */
  partners: string[];
  status?: string | undefined;
  lead?: string | undefined;
  leadStatus?: string | undefined;
  title?: string | undefined;
  overdue?: boolean | undefined;
  now: string;
  limit: number;
  /** Opaque position after which the page starts. */
  cursor?: string | undefined;
}

/** A page of subjects, newest first, with the cursor of the next page. */
export async function listSubjects(db: RecordDb, f: ListFilter): Promise<{ rows: SubjectRow[]; next?: string | undefined }> {
  let q = db.selectFrom('subjects').selectAll().where('subject_type', '=', f.type);
  for (const p of f.partners) q = q.where('partners', 'like', `%"${p}"%`);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.lead) q = q.where('lead_partner', '=', f.lead);
  if (f.leadStatus) q = q.where('lead_status', '=', f.leadStatus);
  // Words in the title, in any case (ids and titles here hold no LIKE wildcards: the API refuses them).
  if (f.title) q = q.where(sql<string>`lower(title)`, 'like', `%${f.title.toLowerCase()}%`);
  if (f.overdue === true) q = q.where('next_due_at', '<', f.now);
  if (f.overdue === false) q = q.where((eb) => eb.or([eb('next_due_at', '>=', f.now), eb('next_due_at', 'is', null)]));
  const after = decodeCursor(f.cursor);
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb('started_at', '<', after.startedAt),
        eb.and([eb('started_at', '=', after.startedAt), eb('subject_id', '<', after.id)]),
        eb.and([eb('started_at', '=', after.startedAt), eb('subject_id', '=', after.id), eb('instance', '<', after.instance)]),
      ]),
    );
  }
  const rows = await q.orderBy('started_at', 'desc').orderBy('subject_id', 'desc').orderBy('instance', 'desc').limit(f.limit + 1).execute();
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > f.limit && last ? encodeCursor({ startedAt: last.started_at, id: last.subject_id, instance: last.instance }) : undefined };
}

interface Cursor {
  startedAt: string;
  id: string;
  instance: string;
}
const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.startedAt, c.id, c.instance])).toString('base64url');
function decodeCursor(s: string | undefined): Cursor | undefined {
  if (!s) return undefined;
  try {
    const [startedAt, id, instance] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown[];
    if (typeof startedAt === 'string' && typeof id === 'string' && typeof instance === 'string') return { startedAt, id, instance };
  } catch {
    // fall through: an unreadable cursor starts from the top rather than failing
  }
  return undefined;
}

/** Whether the inbox has this task open and asking this person (as assignee or deputy). */
export async function asks(db: RecordDb, taskId: string, people: string | string[]): Promise<boolean> {
  const asked = typeof people === 'string' ? [people] : people;
  const row = await db
    .selectFrom('task_assignees as a')
    .innerJoin('tasks as t', (j) => j.onRef('t.task_id', '=', 'a.task_id').onRef('t.instance', '=', 'a.instance'))
    .select('t.task_id')
    .where('a.task_id', '=', taskId)
    .where('a.person', 'in', asked)
    .where('t.status', '=', 'open')
    .executeTakeFirst();
  return row !== undefined;
}
