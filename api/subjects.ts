import type { Task } from '../domain/task';
import { commissionWorkflowId, COMMISSION_ID, type CommissionView } from '../domain/commission';
import { DISPUTE_ID, disputeWorkflowId, type DisputeView } from '../domain/dispute';
import { caseRefOf, REFERRAL_ID, referralWorkflowId, type ReferralView } from '../domain/referral';
import { blindTask, commissionIdOfEvaluation, EVALUATION_ID, evaluationIdOf, evaluationWorkflowId, PANEL_TASK_KINDS, type EvaluationView } from '../domain/evaluation';
import type { HistoryEntry } from '../domain/commission';
import { currentSubject, tasksOf, type SubjectRow, type SubjectSnapshot } from '../db/readModels';
import { historyEntryOf, rowsOf } from '../db/record';
import type { ApiContext } from './context';
import { problem } from './problem';
import type { Scope } from './permissions';
import { temporalProblem, unavailable } from './temporalErrors';

/**
 * How long a request waits for Temporal. Long enough to ride out a worker restart (queries and
 * updates need a worker); an unreachable server is answered at once from TemporalHealth.
 */
export const TEMPORAL_BUDGET_MS = { read: 15_000, update: 30_000 };

/**
 * Runs a Temporal call within a deadline, turning what Temporal says into a problem the caller
 * understands (404, 409, 422, or 503 with Retry-After while the server is away).
 */
export async function viaTemporal<T>(ctx: Pick<ApiContext, 'connection' | 'health'>, what: string, call: () => Promise<T>, budgetMs = TEMPORAL_BUDGET_MS.read): Promise<T> {
  if (ctx.health?.reachable === false) throw unavailable();
  try {
    return await ctx.connection.withDeadline(Date.now() + budgetMs, call);
  } catch (err) {
    throw temporalProblem(err, what) ?? err;
  }
}

/** What reading the record needs; the Temporal client tells "not yet recorded" from "unknown". */
export type RecordReader = Pick<ApiContext, 'database'> & Partial<Pick<ApiContext, 'client' | 'connection'>>;

/**
 * A subject the record does not have: unknown (404), or started and not yet written (the
 * database was away, or its workflow's first write is on its way), which a moment will fix
 * (503 with Retry-After). Only asked of Temporal when the record has nothing.
 */
async function notYetOr404(ctx: RecordReader, id: string, notFound: string): Promise<never> {
  const workflowId = subjectWorkflowId(id);
  if (workflowId && ctx.client && ctx.connection) {
    const running = await ctx.connection
      .withDeadline(Date.now() + 2000, () => ctx.client!.workflow.getHandle(workflowId).describe())
      .then((d) => d.status.name === 'RUNNING' || d.status.name === 'CONTINUED_AS_NEW')
      .catch(() => false);
    if (running) throw problem(503, `${id} has just started and is not in the record yet; try again in a moment.`, undefined, { 'Retry-After': '2' });
  }
  throw problem(404, notFound);
}

/** The row of a subject's current case, of the type its id says; 404 (or 503, not yet) otherwise. */
async function currentRow(ctx: RecordReader, id: string, type: SubjectSnapshot['type'], what: string = type): Promise<SubjectRow> {
  const row = await currentSubject(ctx.database.db, id);
  return row && row.subject_type === type ? row : notYetOr404(ctx, id, `There is no ${what} ${id}.`);
}

/** A subject's current case as the database has it: its page, its tasks and its record. */
async function readFromRecord<V>(ctx: RecordReader, id: string, type: SubjectSnapshot['type'], what: string): Promise<{ view: V; row: SubjectRow }> {
  const { db } = ctx.database;
  const row = await currentRow(ctx, id, type, what);
  const [tasks, history] = await Promise.all([tasksOf(db, id, row.instance), historyOf(ctx, id, row.instance)]);
  const view = { ...(JSON.parse(row.view) as object), tasks, openTasks: tasks.filter((t) => t.status === 'open'), history } as V;
  return { view, row };
}

/** The record of one case in the shape the workflows keep their history. */
async function historyOf(ctx: RecordReader, id: string, instance: string): Promise<HistoryEntry[]> {
  const out: HistoryEntry[] = [];
  for await (const r of rowsOf(ctx.database.db, id, instance)) {
    out.push(historyEntryOf(r));
  }
  return out;
}

export async function readCommission(ctx: RecordReader, id: string): Promise<CommissionView> {
  if (!COMMISSION_ID.test(id)) throw problem(404, `There is no commission ${id}.`);
  return (await readFromRecord<CommissionView>(ctx, id, 'commission', 'commission')).view;
}

export async function readDispute(ctx: RecordReader, id: string): Promise<DisputeView> {
  if (!DISPUTE_ID.test(id)) throw problem(404, `There is no dispute ${id}.`);
  return (await readFromRecord<DisputeView>(ctx, id, 'dispute', 'dispute')).view;
}

export async function readReferral(ctx: RecordReader, id: string): Promise<ReferralView> {
  if (!REFERRAL_ID.test(id)) throw problem(404, `There is no referral ${id}.`);
  return (await readFromRecord<ReferralView>(ctx, id, 'referral', 'referral')).view;
}

export async function readEvaluation(ctx: RecordReader, commissionId: string): Promise<EvaluationView> {
  const id = evaluationIdOf(commissionId);
  return (await readFromRecord<EvaluationView>(ctx, id, 'evaluation', 'evaluation panel')).view;
}

/** Anything tasks belong to: enough to find a task, check who may see it, and name it. */
export interface SubjectView {
  kind: 'commission' | 'dispute' | 'evaluation' | 'referral';
  id: string;
  title: string;
  partners: string[];
  tasks: Task[];
  workflowId: string;
  /** An evaluation panel's members: its read rule's people. */
  panel?: string[] | undefined;
  /** What a dispute was raised on: a dispute on a referral is read under the referral's rule. */
  about?: 'commission' | 'referral' | undefined;
}

/** Reads a commission, a dispute, an evaluation panel or a referral by its id (the prefix says which). */
export async function readSubject(ctx: RecordReader, id: string): Promise<SubjectView> {
  const type = subjectTypeOf(id);
  if (!type) throw problem(404, `There is nothing with the id ${id}.`);
  const row = await currentRow(ctx, id, type);
  let tasks = await tasksOf(ctx.database.db, id, row.instance);
  const page = JSON.parse(row.view) as { members?: { person: string }[]; subject?: { type?: 'commission' | 'referral' } };
  if (type === 'evaluation') {
    // Scores stay with their member until scoring closes; a task read shows who scored, not what.
    const blind = row.status === 'declaring' || row.status === 'scoring';
    if (blind) tasks = tasks.map((t) => (t.kind === PANEL_TASK_KINDS.scoring ? blindTask(t) : t));
  }
  return {
    kind: type,
    id,
    title: row.title,
    partners: JSON.parse(row.partners) as string[],
    tasks,
    workflowId: row.workflow_id,
    ...(type === 'evaluation' ? { panel: (page.members ?? []).map((m) => m.person) } : {}),
    ...(type === 'dispute' ? { about: page.subject?.type } : {}),
  };
}

/** The subject type an id names, by its pattern. */
export function subjectTypeOf(id: string): SubjectView['kind'] | undefined {
  if (EVALUATION_ID.test(id)) return 'evaluation';
  if (REFERRAL_ID.test(id)) return 'referral';
  if (DISPUTE_ID.test(id)) return 'dispute';
  if (COMMISSION_ID.test(id)) return 'commission';
  return undefined;
}

/** The workflow a subject id names. */
export function subjectWorkflowId(id: string): string | undefined {
  if (EVALUATION_ID.test(id)) return evaluationWorkflowId(commissionIdOfEvaluation(id));
  if (DISPUTE_ID.test(id)) return disputeWorkflowId(id);
  if (COMMISSION_ID.test(id)) return commissionWorkflowId(id);
  if (REFERRAL_ID.test(id)) return referralWorkflowId(caseRefOf(id));
  return undefined;
}

/** What the permission rules look at for a commission: its partners and everyone its tasks ask. */
export function scopeOf(view: Pick<CommissionView, 'partners' | 'tasks'> & { panel?: string[] | undefined }): Scope {
  return {
    partners: view.partners,
    assignees: [...new Set(view.tasks.flatMap((t: Task) => [...t.assignees, ...(t.parties ?? []).flatMap((p) => p.assignees)]))],
    ...(view.panel ? { panel: view.panel } : {}),
  };
}
