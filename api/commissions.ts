import { createHash, randomBytes } from 'node:crypto';
import { idFromBytes } from '../domain/ids';
import { Router } from 'express';
import {
  commissionInputOf,
  commissionWorkflowId,
  newCommissionRequestSchema,
  type CommissionInput,
  type CommissionView,
  type LeadStatus,
  type NewCommissionRequest,
  type Stage,
} from '../domain/commission';
import type { WaitingOn } from '../domain/liveness';
import { calendarOf, partnerById, type Person } from '../domain/partnership';
import { assigneesKey, leadPartnerKey, leadStatusKey, partnersKey, stageKey, titleKey } from '../domain/searchAttributes';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { jointCommission, recordChallenge } from '../workflows/jointCommission';
import { listSubjects } from '../db/readModels';
import { untilSubject } from './readYourWrites';
import { proportionality, type ProportionalityInput } from '../domain/proportionality';
import { timetable } from '../domain/lifecycle';
import { caller } from './auth';
import type { ApiContext } from './context';
import { invalid, problem } from './problem';
import { checkIdempotencyKey, keyedDigest } from './idempotency';
import { challengeBody, listQuery, planQuery } from './schemas';
import type { z } from 'zod';
import { authorize, can } from './permissions';
import { timelineOf } from './timeline';
import { withdrawalHandler } from './withdrawal';
import { readsRoute } from './accessAudit';
import { readCommission, readEvaluation, scopeOf, TEMPORAL_BUDGET_MS, viaTemporal } from './subjects';

const commissionIdFrom = (bytes: Buffer): string => idFromBytes('jc', bytes);

export function commissionsRouter(ctx: ApiContext): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const person = caller(req);
    const parsed = newCommissionRequestSchema().safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error, 'commission');
    const { view } = await startCommission(ctx, person, parsed.data, req.get('idempotency-key'));
    res.status(201).location(`/api/v1/commissions/${view.id}`).json(view);
  });

  router.get('/', async (req, res) => {
    const person = caller(req);
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) throw invalid(parsed.error, 'query');
    // What each waits on is the web list's; the API's list keeps its documented shape.
    const { items, nextCursor } = await listCommissions(ctx, person, parsed.data);
    res.json({ items: items.map(({ waitingOn: _, ...item }) => item), ...(nextCursor ? { nextCursor } : {}) });
  });

  router.get('/plan', (req, res) => {
    const person = caller(req);
    authorize(person, 'commission.plan', {}, '');
    const parsed = planQuery.safeParse(req.query);
    if (!parsed.success) throw invalid(parsed.error, 'query');
    const q = parsed.data;
    res.json(
      commissionPlan(ctx, {
        value: q.value,
        highRiskFactors: q.highRiskFactors,
        healthCareService: q.healthCareService === 'true',
        socialCareService: q.socialCareService === 'true',
        unusualTerms: q.unusualTerms === 'true',
        urgent: q.urgent === 'true',
        voluntaryStandstill: q.voluntaryStandstill === 'true',
      }),
    );
  });

  router.post('/:id/challenges', async (req, res) => {
    const person = caller(req);
    const parsed = challengeBody.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error, 'challenge');
    const view = await readCommission(ctx, req.params.id);
    authorize(person, 'commission.read', scopeOf(view), `There is no commission ${req.params.id}.`);
    authorize(person, 'commission.challenge', scopeOf(view), '');
    const standstill = await viaTemporal(
      ctx,
      `Commission ${req.params.id}`,
      () => ctx.client.workflow.getHandle(commissionWorkflowId(req.params.id)).executeUpdate(recordChallenge, { args: [{ ...parsed.data, by: person.id }] }),
      TEMPORAL_BUDGET_MS.update,
    );
    res.status(201).json({ standstill });
  });

  router.post('/:id/withdrawal', withdrawalHandler<CommissionView>(ctx, {
    type: 'commission',
    read: (id) => readCommission(ctx, id),
    readAction: 'commission.read',
    readScope: scopeOf,
    withdrawalScope: (v) => ({ owner: v.createdBy, partners: [v.lead.partner] }),
    status: (v) => v.stage,
    open: (v) => v.stage !== 'ended' && v.stage !== 'withdrawn',
    workflowId: commissionWorkflowId,
  }));

  router.get('/:id', async (req, res) => {
    res.json(await readCommissionAs(ctx, caller(req), req.params.id));
  });

  // Who read it (the access audit), for records officers.
  router.get('/:id/reads', readsRoute(ctx, 'commission'));

  router.get('/:id/timeline', async (req, res) => {
    const view = await readCommissionAs(ctx, caller(req), req.params.id);
    res.json({ id: view.id, title: view.title, items: timelineOf(view.history, ctx.partnership) });
  });

  return router;
}

/** The entries the evaluation panel's record added to its commission's when it completed. */
const PANEL_ENTRY = /^\[evaluation\] /;

/**
 * A commission as this person may read it (404 for those the commission's rule refuses). Its
 * evaluation panel's result (every score and reason) and the panel's record copied into the
 * commission's (declarations of interest, scores, moderation) are read under the panel's rule:
 * the commission's other followers (senior managers, procurement, finance, legal) see that the
 * panel ran and whom it recommends, not how its members declared or scored. The API's GET and
 * timeline and the staff web service's commission page all read through here.
 */
export async function readCommissionAs(ctx: ApiContext, person: Person, id: string): Promise<CommissionView> {
  const view = await readCommission(ctx, id);
  authorize(person, 'commission.read', scopeOf(view), `There is no commission ${id}.`);
  if (!view.evaluation || can(person, 'evaluation.read', { partners: view.partners })) return view;
  const panel = view.evaluation.status === 'requested' ? [] : ((await readEvaluation(ctx, id).catch(() => undefined))?.members.map((m) => m.person) ?? []);
  if (can(person, 'evaluation.read', { partners: view.partners, panel })) return view;
  const { result: _result, ...evaluation } = view.evaluation;
  return { ...view, evaluation, history: view.history.filter((h) => !PANEL_ENTRY.test(h.detail ?? '')) };
}

/**
 * The rules of a new commission that need the partnership and the caller: every partner named is
 * in the partnership, and the caller is a commissioner of one of them. The API and the web
 * service's form both ask it (the form before its "check your answers" page).
 */
export function checkNewCommission(ctx: ApiContext, person: Person, body: NewCommissionRequest): void {
  const unknown = body.partners.map((p, i) => ({ p, i })).filter(({ p }) => !partnerById(ctx.partnership, p));
  if (unknown.length) {
    // 422: the ids the partnership file holds are a rule of this deployment, not of the document's schema.
    throw problem(
      422,
      'The commission names partners that are not in the partnership.',
      unknown.map(({ p, i }) => ({ path: `partners[${i}]`, message: `no partner has the id "${p}"` })),
    );
  }
  authorize(person, 'commission.start', { partners: body.partners }, '');
}

/**
 * Starts a commission's workflow: `POST /api/v1/commissions` and the web service's "Start a
 * commission". The same caller and idempotency key always name the same commission, so a retried
 * request (or a form submitted twice) finds the one already started instead of starting another.
 */
export async function startCommission(ctx: ApiContext, person: Person, body: NewCommissionRequest, key?: string): Promise<{ view: CommissionView; fresh: boolean }> {
  checkNewCommission(ctx, person, body);
  if (key !== undefined) checkIdempotencyKey(key);
  const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  // The same caller and key always name the same commission, so a retried POST finds it.
  const id = commissionIdFrom(key ? keyedDigest(person.id, key) : randomBytes(10));
  const input = commissionInputOf(body, ctx.partnership, { id, createdBy: { person: person.id, partner: person.partner! }, policyVersion: ctx.policyVersion });

  // A new commission answers from its input: waiting for the worker to run its first steps
  // (a query) cost every start a round trip through the worker and capped the start rate at
  // the worker's pace (bench/results/starts.md). Only a retried key reads the existing one.
  let fresh = true;
  const handle = await viaTemporal(ctx, 'The commission', () =>
    ctx.client.workflow.start(jointCommission, {
      workflowId: commissionWorkflowId(id),
      taskQueue: ctx.taskQueue,
      args: [input],
      memo: { title: body.title, requestHash },
      typedSearchAttributes: [
        { key: stageKey, value: 'lead-agreement' },
        { key: leadStatusKey, value: 'proposed' },
        { key: partnersKey, value: body.partners },
        { key: assigneesKey, value: [] },
        { key: leadPartnerKey, value: body.proposedLead },
        { key: titleKey, value: body.title },
      ],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    }),
  ).catch((err: unknown) => {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    fresh = false;
    return ctx.client.workflow.getHandle(commissionWorkflowId(id));
  });
  if (!fresh) {
    const described = await viaTemporal(ctx, 'The commission', () => handle.describe());
    if (described.memo?.['requestHash'] !== requestHash) {
      throw problem(422, 'This Idempotency-Key was already used for a different commission request; use a new key.');
    }
  }
  // Read-your-writes: the commission is in the record (its workflow's first write) before the
  // answer, so the caller, or anyone they tell, can read it at once on any API instance.
  if (fresh && 'firstExecutionRunId' in handle) await untilSubject(ctx, id, handle.firstExecutionRunId);
  return { view: await currentView(ctx, input), fresh };
}

/**
 * The commissions a person may list (their own partner's, from the read model), filtered and a
 * page at a time: `GET /api/v1/commissions` and the web service's list.
 */
export async function listCommissions(ctx: ApiContext, person: Person, f: z.infer<typeof listQuery>) {
  authorize(person, 'commission.list', {}, '');
  const now = new Date().toISOString();
  const page = await listSubjects(ctx.database.db, {
    type: 'commission',
    partners: [person.partner!, ...(f.partner ? [f.partner] : [])],
    status: f.stage,
    lead: f.lead,
    leadStatus: f.leadStatus,
    title: f.title,
    overdue: f.overdue === undefined ? undefined : f.overdue === 'true',
    now,
    limit: f.limit,
    cursor: f.cursor,
  });
  const items = page.rows.map((row) => ({
    id: row.subject_id,
    title: row.title,
    partners: JSON.parse(row.partners) as string[],
    stage: row.status as Stage,
    lead: { status: row.lead_status as LeadStatus | null, partner: row.lead_partner },
    nextDueAt: row.next_due_at,
    overdue: row.next_due_at !== null && row.next_due_at < now,
    startedAt: row.started_at,
    href: `/api/v1/commissions/${row.subject_id}`,
    /** What the commission waits on now, as its workflow last wrote it (not part of the API's list). */
    waitingOn: ((JSON.parse(row.view) as { waitingOn?: WaitingOn[] }).waitingOn ?? []),
  }));
  return { items, ...(page.next ? { nextCursor: page.next } : {}) };
}

/** The plan and timetable a commission with these facts would follow, from now: `GET /api/v1/commissions/plan` and the check-your-answers page. */
export function commissionPlan(ctx: ApiContext, facts: ProportionalityInput, from = new Date()) {
  const plan = proportionality(facts);
  return { proportionality: plan, from: from.toISOString(), timetable: timetable(plan, from, calendarOf(ctx.partnership), ctx.partnership.policies.lifecycle) };
}

/** The commission as the workflow sees it, or as started if the worker has not picked it up yet. */
async function currentView(ctx: ApiContext, input: CommissionInput): Promise<CommissionView> {
  return readCommission(ctx, input.id).catch(() => startedView(input));
}

/** The commission as it starts: what the workflow reports before its first step. */
function startedView(input: CommissionInput): CommissionView {
  return {
    id: input.id,
    title: input.title,
    description: input.description,
    partners: input.partners.map((p) => p.id),
    stage: 'lead-agreement',
    lead: { status: 'proposed', partner: input.proposedLead },
    estimatedValue: input.estimatedValue,
    createdBy: input.createdBy.person,
    createdAt: new Date().toISOString(),
    policyVersion: input.policyVersion,
    tasks: [],
    openTasks: [],
    history: [],
  };
}
