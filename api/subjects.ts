import type { Task } from '../domain/task';
import { commissionWorkflowId, COMMISSION_ID, type CommissionView } from '../domain/commission';
import { getCommission } from '../workflows/jointCommission';
import { DISPUTE_ID, disputeWorkflowId, type DisputeView } from '../domain/dispute';
import { getDispute } from '../workflows/dispute';
import { caseRefOf, REFERRAL_ID, referralWorkflowId, type ReferralView } from '../domain/referral';
import { getReferral } from '../workflows/referral';
import { blindTask, commissionIdOfEvaluation, EVALUATION_ID, evaluationWorkflowId, PANEL_TASK_KINDS } from '../domain/evaluation';
import { getEvaluation } from '../workflows/evaluationPanel';
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

export async function readCommission(ctx: ApiContext, id: string): Promise<CommissionView> {
  if (!COMMISSION_ID.test(id)) throw problem(404, `There is no commission ${id}.`);
  return viaTemporal(ctx, `Commission ${id}`, () => ctx.client.workflow.getHandle(commissionWorkflowId(id)).query(getCommission));
}

export async function readDispute(ctx: ApiContext, id: string): Promise<DisputeView> {
  if (!DISPUTE_ID.test(id)) throw problem(404, `There is no dispute ${id}.`);
  return viaTemporal(ctx, `Dispute ${id}`, () => ctx.client.workflow.getHandle(disputeWorkflowId(id)).query(getDispute));
}

export async function readReferral(ctx: ApiContext, id: string): Promise<ReferralView> {
  if (!REFERRAL_ID.test(id)) throw problem(404, `There is no referral ${id}.`);
  return viaTemporal(ctx, `Referral ${id}`, () => ctx.client.workflow.getHandle(referralWorkflowId(caseRefOf(id))).query(getReferral));
}

/** Anything tasks belong to: enough to find a task, check who may see it, and name it. */
export interface SubjectView {
  kind: 'commission' | 'dispute' | 'evaluation' | 'referral';
  id: string;
  title: string;
  partners: string[];
  tasks: Task[];
  workflowId: string;
}

/** Reads a commission, a dispute, an evaluation panel or a referral by its id (the prefix says which). */
export async function readSubject(ctx: ApiContext, id: string): Promise<SubjectView> {
  if (EVALUATION_ID.test(id)) {
    const workflowId = evaluationWorkflowId(commissionIdOfEvaluation(id));
    const v = await viaTemporal(ctx, `Evaluation ${id}`, () => ctx.client.workflow.getHandle(workflowId).query(getEvaluation));
    // Scores stay with their member until scoring closes; a task read shows who scored, not what.
    const blind = v.phase === 'declaring' || v.phase === 'scoring';
    const tasks = blind ? v.tasks.map((t) => (t.kind === PANEL_TASK_KINDS.scoring ? blindTask(t) : t)) : v.tasks;
    return { kind: 'evaluation', id, title: `Evaluation: ${v.commission.title}`, partners: v.partners, tasks, workflowId };
  }
  if (REFERRAL_ID.test(id)) {
    const v = await readReferral(ctx, id);
    return { kind: 'referral', id, title: `Referral ${v.caseRef}`, partners: v.fundingPartners, tasks: v.tasks, workflowId: referralWorkflowId(v.caseRef) };
  }
  if (DISPUTE_ID.test(id)) {
    const v = await readDispute(ctx, id);
    return { kind: 'dispute', id, title: v.title, partners: v.partners, tasks: v.tasks, workflowId: disputeWorkflowId(id) };
  }
  const v = await readCommission(ctx, id);
  return { kind: 'commission', id, title: v.title, partners: v.partners, tasks: v.tasks, workflowId: commissionWorkflowId(id) };
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
export function scopeOf(view: Pick<CommissionView, 'partners' | 'tasks'>): Scope {
  return {
    partners: view.partners,
    assignees: [...new Set(view.tasks.flatMap((t: Task) => [...t.assignees, ...(t.parties ?? []).flatMap((p) => p.assignees)]))],
  };
}
