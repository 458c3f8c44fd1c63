import { createHash } from 'node:crypto';
import { Router } from 'express';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { partnerById, type Person } from '../domain/partnership';
import {
  caseRefOf,
  checkCaseReference,
  newReferralRequestSchema,
  referralInputFrom,
  referralIdOf,
  referralStatuses,
  referralWorkflowId,
  splitProblems,
  type ReferralView,
} from '../domain/referral';
import { assigneesKey, partnersKey, stageKey, titleKey, updatedAtKey } from '../domain/searchAttributes';
import { resourceAllocation } from '../workflows/referral';
import { caller } from './auth';
import { auditRead, auditReads, readerOf, readsRoute } from './accessAudit';
import type { ApiContext } from './context';
import { authorize } from './permissions';
import { invalid, problem } from './problem';
import { listSubjects } from '../db/readModels';
import { untilSubject } from './readYourWrites';
import { readReferral, scopeOf, viaTemporal } from './subjects';
import { withdrawalHandler } from './withdrawal';
import { timelineOf } from './timeline';

export const referralListQuery = z
  .object({
    status: z.enum(referralStatuses).optional(),
    partner: z.string().regex(/^[a-z0-9-]+$/, 'a partner id').optional(),
  })
  .strict();

const hoursBetween = (from: string, to?: string): number => Math.round(((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 36e5 * 10) / 10;

/** What the permission rules look at for a referral: its funding partners and everyone its tasks ask. */
export const referralScope = (v: { fundingPartners: string[]; tasks: Parameters<typeof scopeOf>[0]['tasks'] }) => scopeOf({ partners: v.fundingPartners, tasks: v.tasks });

/** A referral the person may read (the API's GET /referrals/{id}); 404 for anyone else. */
export async function readReferralAs(ctx: ApiContext, person: Person, id: string): Promise<ReferralView> {
  const view = await readReferral(ctx, id);
  authorize(person, 'referral.read', referralScope(view), `There is no referral ${id}.`);
  return view;
}

/**
 * Refers a case to the Resource Allocation Panel (POST /api/v1/referrals and the web form): the
 * request's schema, the case reference rule (pseudonymous, never personal data), the partners,
 * who may refer, and the locality rule, then the referral's workflow by its business key. The
 * same request again names the same referral; another one for an open case is refused (409).
 */
export async function referCase(ctx: ApiContext, person: Person, raw: unknown): Promise<{ id: string; view: ReferralView }> {
  const parsed = newReferralRequestSchema().safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error, 'referral');
  const body = parsed.data;
  const checked = checkCaseReference(body.caseRef);
  // 422: the personal-data rule reads the text as a person would; a schema's pattern cannot.
  if ('problem' in checked) throw problem(422, checked.problem, [{ path: 'caseRef', message: checked.problem }]);
  const unknown = Object.keys(body.proposedSplit).filter((p) => !partnerById(ctx.partnership, p));
  // 422: the ids the partnership file holds are a rule of this deployment, not of the document's schema.
  if (unknown.length) throw problem(422, 'The split names partners that are not in the partnership.', unknown.map((p) => ({ path: 'proposedSplit', message: `no partner has the id "${p}"` })));
  authorize(person, 'referral.start', { partners: Object.keys(body.proposedSplit) }, '');
  const rules = splitProblems(body.proposedSplit, body.locality, ctx.partnership.partners);
  if (rules.length) throw problem(422, `${rules.join('; ')}.`);

  const { caseRef } = checked;
  const id = referralIdOf(caseRef);
  const requestHash = createHash('sha256').update(JSON.stringify({ ...body, caseRef })).digest('hex');
  const input = referralInputFrom(body, ctx.partnership, { caseRef, referredBy: { person: person.id, partner: person.partner! }, policyVersion: ctx.policyVersion });
  const workflowId = referralWorkflowId(caseRef);
  let instance: string | undefined;
  try {
    ({ firstExecutionRunId: instance } = await viaTemporal(ctx, 'The referral', () =>
      ctx.client.workflow.start(resourceAllocation, {
        workflowId,
        taskQueue: ctx.taskQueue,
        args: [input],
        memo: { title: `Referral ${caseRef}`, requestHash },
        typedSearchAttributes: [
          { key: stageKey, value: 'positions' },
          { key: partnersKey, value: Object.keys(body.proposedSplit) },
          { key: assigneesKey, value: [] },
          { key: titleKey, value: `Referral ${caseRef}` },
          { key: updatedAtKey, value: new Date() },
        ],
        workflowIdConflictPolicy: 'FAIL',
        // A case declined or ended may be referred again.
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      }),
    ));
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError || (err as { cause?: unknown }).cause instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // The same request retried names the same referral; anything else is a second referral of an open case.
    const described = await viaTemporal(ctx, 'The referral', () => ctx.client.workflow.getHandle(workflowId).describe());
    if (described.memo?.['requestHash'] !== requestHash) {
      throw problem(409, `Case ${caseRef} already has an open referral: /api/v1/referrals/${id}`, undefined, { Link: `</api/v1/referrals/${id}>; rel="duplicate"` });
    }
  }
  if (instance) await untilSubject(ctx, id, instance);
  return { id, view: await readReferral(ctx, id) };
}

/** The referrals a person may list (GET /api/v1/referrals): the panel every one, commissioners their partner's; newest first. */
export async function referralsFor(ctx: ApiContext, person: Person, q: z.infer<typeof referralListQuery>, limit = 100) {
  const rap = person.roles.includes('rap-member') || person.roles.includes('rap-chair');
  const page = await listSubjects(ctx.database.db, {
    type: 'referral',
    partners: [...(rap ? [] : [person.partner!]), ...(q.partner ? [q.partner] : [])],
    status: q.status,
    now: new Date().toISOString(),
    limit,
  });
  return page.rows.map((row) => {
    const view = JSON.parse(row.view) as ReferralView;
    return {
      id: row.subject_id,
      caseRef: view.caseRef,
      status: row.status,
      fundingPartners: JSON.parse(row.partners) as string[],
      panelAt: view.panelAt ?? null,
      startedAt: row.started_at,
      href: `/api/v1/referrals/${row.subject_id}`,
      /** The read model's page of it (without its tasks and record), for the agenda. */
      view,
      instance: row.instance,
    };
  });
}

/** A referral at a glance (GET /referrals/{id}/timeline and its page): how long to decision, where it waited, every event in words. */
export function referralTimeline(ctx: ApiContext, view: ReferralView) {
  return {
    id: view.id,
    title: `Referral ${view.caseRef}`,
    referredAt: view.referredAt,
    ...(view.decidedAt ? { decidedAt: view.decidedAt } : {}),
    hoursToDecision: hoursBetween(view.referredAt, view.decidedAt),
    stages: view.stages.map((s) => ({ ...s, hours: hoursBetween(s.from, s.to) })),
    items: timelineOf(view.history, ctx.partnership),
  };
}

/** Resource Allocation Panel referrals: only the case reference identifies the child. */
export function referralsRouter(ctx: ApiContext): Router {
  const router = Router();
  const scope = referralScope;

  router.post('/', async (req, res) => {
    const { id, view } = await referCase(ctx, caller(req), req.body);
    res.status(201).location(`/api/v1/referrals/${id}`).json(view);
  });

  router.get('/', async (req, res) => {
    const parsed = referralListQuery.safeParse(req.query);
    const person = caller(req);
    authorize(person, 'referral.list', {}, '');
    if (!parsed.success) throw invalid(parsed.error, 'query');
    const items = (await referralsFor(ctx, person, parsed.data)).map(({ view: _view, instance: _instance, ...item }) => item);
    await auditReads(ctx, readerOf(req, 'api'), items.map((i) => ({ of: i.id, kind: 'referral-list' as const })));
    res.json({ items });
  });

  router.post('/:id/withdrawal', withdrawalHandler<ReferralView>(ctx, {
    type: 'referral',
    read: (id) => readReferral(ctx, id),
    readAction: 'referral.read',
    readScope: scope,
    withdrawalScope: (v) => ({ owner: v.referredBy, partners: v.fundingPartners }),
    status: (v) => v.status,
    open: (v) => !['declined', 'ended', 'withdrawn'].includes(v.status),
    workflowId: (id) => referralWorkflowId(caseRefOf(id)),
  }));

  router.get('/:id', async (req, res) => {
    const person = caller(req);
    const view = await readReferral(ctx, req.params.id);
    authorize(person, 'referral.read', scope(view), `There is no referral ${req.params.id}.`);
    await auditRead(ctx, readerOf(req, 'api'), view.id, 'referral');
    res.json(view);
  });

  // Who read it (the access audit), for records officers.
  router.get('/:id/reads', readsRoute(ctx, 'referral'));

  router.get('/:id/timeline', async (req, res) => {
    const person = caller(req);
    const view = await readReferral(ctx, req.params.id);
    authorize(person, 'referral.read', scope(view), `There is no referral ${req.params.id}.`);
    await auditRead(ctx, readerOf(req, 'api'), view.id, 'referral-timeline');
    res.json(referralTimeline(ctx, view));
  });

  return router;
}
