import { createHash } from 'node:crypto';
import { Router } from 'express';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { disputeStages, disputeWorkflowId, newDisputeRequestSchema, type DisputeInput, type DisputeView } from '../domain/dispute';
import { calendarOf, partnerById, type Person } from '../domain/partnership';
import { assigneesKey, partnersKey, stageKey, titleKey, updatedAtKey } from '../domain/searchAttributes';
import { dispute } from '../workflows/dispute';
import { caller } from './auth';
import type { ApiContext } from './context';
import { authorize, can, readRuleOf, type Action } from './permissions';
import { invalid, problem } from './problem';
import { listSubjects } from '../db/readModels';
import { untilSubject } from './readYourWrites';
import { readCommission, readDispute, scopeOf, viaTemporal } from './subjects';
import { timelineOf } from './timeline';
import { withdrawalHandler } from './withdrawal';
import { readsRoute } from './accessAudit';

export const disputeListQuery = z
  .object({
    stage: z.enum(disputeStages).optional(),
    partner: z.string().regex(/^[a-z0-9-]+$/, 'a partner id').optional(),
  })
  .strict();

/** Kept where the OpenAPI has always found it; the rule is domain/withdrawal.ts's. */
export { withdrawalBody } from '../domain/withdrawal';

/** The same subject and matter always name the same dispute: a second one while it is open is a conflict. */
export function disputeIdFor(subject: { type: string; id: string }, matter: string): string {
  const digest = createHash('sha256').update(`${subject.type}:${subject.id}:${matter.trim().toLowerCase().replace(/\s+/g, ' ')}`).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `jd-${[...digest.subarray(0, 10)].map((b) => alphabet[b % 32]).join('')}`;
}

/**
 * Raises a dispute on a commission as `person`: the rules of POST /api/v1/disputes, for the API
 * and the staff web service alike. The same subject and matter name the same dispute, so raising
 * it twice finds the first (`duplicate`) instead of starting a second.
 */
export async function raiseDispute(ctx: ApiContext, person: Person, request: unknown): Promise<{ id: string; duplicate: boolean; view: DisputeView | { id: string; stage: string } }> {
  const parsed = newDisputeRequestSchema().safeParse(request);
  if (!parsed.success) throw invalid(parsed.error, 'dispute');
  const body = parsed.data;
  const unknown = body.partners.filter((p) => !partnerById(ctx.partnership, p));
  // 422: the ids the partnership file holds are a rule of this deployment, not of the document's schema.
  if (unknown.length) throw problem(422, 'The dispute names partners that are not in the partnership.', unknown.map((p) => ({ path: 'partners', message: `no partner has the id "${p}"` })));
  authorize(person, 'dispute.raise', { partners: body.partners }, '');
  if (body.subject.type !== 'commission') throw problem(422, 'Dispute rule: disputes are raised on commissions; a referral whose split is not agreed by the panel goes to the dispute ladder by itself.');
  const commission = await readCommission(ctx, body.subject.id);
  authorize(person, 'commission.read', scopeOf(commission), `There is no commission ${body.subject.id}.`);
  const outside = body.partners.filter((p) => !commission.partners.includes(p));
  if (outside.length) throw problem(422, `Dispute rule: every partner in a dispute takes part in its subject; ${outside.join(', ')} does not.`);

  const id = disputeIdFor(body.subject, body.matter);
  const input: DisputeInput = {
    id,
    subject: { type: 'commission', id: commission.id, title: commission.title },
    partners: body.partners.map((p) => ({ id: p, name: partnerById(ctx.partnership, p)!.name })),
    partnership: ctx.partnership.partners.map((p) => ({ id: p.id, name: p.name })),
    matter: body.matter,
    desiredOutcome: body.desiredOutcome,
    resolutionKind: 'text',
    raisedBy: { person: person.id, partner: person.partner! },
    startAt: 'early-resolution',
    calendar: calendarOf(ctx.partnership),
    policy: ctx.partnership.policies.dispute,
    policyVersion: ctx.policyVersion,
  };
  let started: { firstExecutionRunId: string } | undefined;
  try {
    started = await viaTemporal(ctx, 'The dispute', () =>
      ctx.client.workflow.start(dispute, {
        workflowId: disputeWorkflowId(id),
        taskQueue: ctx.taskQueue,
        args: [input],
        memo: { title: `Dispute: ${body.matter}` },
        typedSearchAttributes: [
          { key: stageKey, value: 'early-resolution' },
          { key: partnersKey, value: body.partners },
          { key: assigneesKey, value: [] },
          { key: titleKey, value: body.matter },
          { key: updatedAtKey, value: new Date() },
        ],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError || (err as { cause?: unknown }).cause instanceof WorkflowExecutionAlreadyStartedError) {
      return { id, duplicate: true, view: { id, stage: 'open' } };
    }
    throw err;
  }
  await untilSubject(ctx, id, started.firstExecutionRunId);
  return { id, duplicate: false, view: await readDispute(ctx, id).catch(() => ({ id, stage: 'early-resolution' })) };
}

/** The disputes a person may list: their partner's; the Board's and the accountable officers' (who read every dispute): all. */
export async function listDisputes(ctx: ApiContext, person: Person, query: z.infer<typeof disputeListQuery>) {
  authorize(person, 'dispute.list', {}, '');
  const page = await listSubjects(ctx.database.db, {
    type: 'dispute',
    partners: [...(can(person, 'dispute.read', {}) ? [] : [person.partner!]), ...(query.partner ? [query.partner] : [])],
    status: query.stage,
    now: new Date().toISOString(),
    limit: 100,
  });
  // A dispute on a referral's split is listed only to those who may read the referral's.
  const readable = page.rows.filter((row) => {
    const about = (JSON.parse(row.view) as { subject?: { type?: 'commission' | 'referral' } }).subject?.type;
    const partners = JSON.parse(row.partners) as string[];
    return about !== 'referral' || can(person, disputeReadRule({ subject: { type: about, id: row.subject_id } }), { partners });
  });
  return readable.map((row) => ({
    id: row.subject_id,
    title: row.title,
    stage: row.status,
    partners: JSON.parse(row.partners) as string[],
    startedAt: row.started_at,
    href: `/api/v1/disputes/${row.subject_id}`,
  }));
}

/** A dispute's timeline (GET /api/v1/disputes/{id}/timeline): how long each stage took and whom it waited on, and every event in words. */
export function disputeTimeline(ctx: Pick<ApiContext, 'partnership'>, view: DisputeView) {
  const stages = view.stages.map((s) => ({ ...s, hours: Math.round(((s.to ? Date.parse(s.to) : Date.now()) - Date.parse(s.from)) / 36e5 * 10) / 10 }));
  return { id: view.id, title: view.title, stages, items: timelineOf(view.history, ctx.partnership) };
}

/** The rule a dispute is read under: a dispute on a referral's split, the referral's (readRuleOf). */
export const disputeReadRule = (view: Pick<DisputeView, 'subject'>): Action => readRuleOf({ kind: 'dispute', about: view.subject.type });

/** A dispute this person may read, by its rule; 404 for anyone else. */
export async function readDisputeAs(ctx: ApiContext, person: Person, id: string): Promise<DisputeView> {
  const view = await readDispute(ctx, id);
  authorize(person, disputeReadRule(view), scopeOf(view), `There is no dispute ${id}.`);
  return view;
}

export function disputesRouter(ctx: ApiContext): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const raised = await raiseDispute(ctx, caller(req), req.body);
    if (raised.duplicate) {
      res.set('Link', `</api/v1/disputes/${raised.id}>; rel="duplicate"`);
      throw problem(409, `There is already an open dispute on this matter: /api/v1/disputes/${raised.id}`);
    }
    res.status(201).location(`/api/v1/disputes/${raised.id}`).json(raised.view);
  });

  router.get('/', async (req, res) => {
    const parsed = disputeListQuery.safeParse(req.query);
    const person = caller(req);
    authorize(person, 'dispute.list', {}, '');
    if (!parsed.success) throw invalid(parsed.error, 'query');
    res.json({ items: await listDisputes(ctx, person, parsed.data) });
  });

  router.get('/:id', async (req, res) => {
    res.json(await readDisputeAs(ctx, caller(req), req.params.id));
  });

  // Who read it (the access audit), for records officers.
  router.get('/:id/reads', readsRoute(ctx, 'dispute'));

  router.get('/:id/timeline', async (req, res) => {
    res.json(disputeTimeline(ctx, await readDisputeAs(ctx, caller(req), req.params.id)));
  });

  // Since one `withdraw` Update serves commissions, disputes and referrals: the raiser, or a
  // senior manager of a party (the workflow still answers `withdrawDispute` for older callers).
  router.post('/:id/withdrawal', withdrawalHandler<DisputeView>(ctx, {
    type: 'dispute',
    read: (id) => readDispute(ctx, id),
    readAction: disputeReadRule,
    readScope: scopeOf,
    withdrawalScope: (v) => ({ owner: v.raisedBy, partners: v.partners }),
    status: (v) => v.outcome?.status ?? v.stage,
    open: (v) => !v.outcome && v.stage !== 'withdrawn' && v.stage !== 'resolved',
    workflowId: disputeWorkflowId,
  }));

  return router;
}
