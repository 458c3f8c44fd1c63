import { Router } from 'express';
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  blindFor,
  evaluationSetupSchema,
  evaluationRequest,
  panelRuleBreaches,
  scoringDueAt,
  type CommissionEvaluation,
  type EvaluationView,
} from '../domain/evaluation';
import { calendarOf, type Person } from '../domain/partnership';
import { commissionWorkflowId } from '../domain/commission';
import { setUpEvaluation } from '../workflows/jointCommission';
import { caller } from './auth';
import { auditRead, readerOf } from './accessAudit';
import type { ApiContext } from './context';
import { authorize } from './permissions';
import { invalid, problem } from './problem';
import { readCommission, readEvaluation as readPanel, TEMPORAL_BUDGET_MS, viaTemporal } from './subjects';

/** The panel as one person may see it: blind to other members' scores while scoring is open. */
export async function readEvaluation(ctx: ApiContext, commissionId: string, person: Person): Promise<EvaluationView> {
  const commission = await readCommission(ctx, commissionId);
  const notFound = `There is no evaluation for commission ${commissionId}.`;
  if (!commission.evaluation) {
    authorize(person, 'evaluation.read', { partners: commission.partners }, notFound);
    throw problem(404, `Commission ${commissionId} has no evaluation panel yet; its lead partner's commissioner sets one up with PUT.`);
  }
  if (commission.evaluation.status === 'requested') {
    authorize(person, 'evaluation.read', { partners: commission.partners }, notFound);
    throw problem(404, `The panel of commission ${commissionId} is set up and starts when the commission reaches evaluation.`);
  }
  const view = await readPanel(ctx, commissionId).catch((err: unknown) => {
    // Set up and started, but its first write has not reached the record yet.
    if ((err as { status?: number }).status === 404) throw problem(404, `The panel of commission ${commissionId} is starting; try again in a moment.`);
    throw err;
  });
  authorize(person, 'evaluation.read', { partners: commission.partners, panel: view.members.map((m) => m.person) }, notFound);
  return blindFor(view, person.id);
}

/**
 * Sets up a commission's evaluation panel as `person` (the lead partner's commissioner): the rules
 * of PUT /api/v1/commissions/{id}/evaluation, for the API and the staff web service alike. Set up
 * before the commission reaches evaluation, the panel waits (`started` absent); at evaluation it
 * starts at once and `started` is the panel as this person may see it.
 */
export async function setUpPanel(ctx: ApiContext, person: Person, id: string, body: unknown): Promise<{ accepted: CommissionEvaluation; started?: EvaluationView | undefined }> {
  const parsed = evaluationSetupSchema().safeParse(body);
  if (!parsed.success) throw invalid(parsed.error, 'evaluation set-up');
  const commission = await readCommission(ctx, id);
  authorize(person, 'commission.read', { partners: commission.partners, assignees: [] }, `There is no commission ${id}.`);
  authorize(person, 'evaluation.setup', { partners: commission.partners, leadPartner: commission.lead.partner }, '');
  const calendar = calendarOf(ctx.partnership);
  const due = scoringDueAt(parsed.data.scoringDue, calendar, new Date());
  // 422, as for every duration in words: the document's schema cannot state which texts are durations.
  if (!due) throw problem(422, 'The evaluation set-up has 1 problem; see errors.', [{ path: 'scoringDue', message: 'a date-time such as 2027-03-01T17:00:00Z, or a duration such as "10 working days"' }]);
  const breaches = panelRuleBreaches(parsed.data, ctx.partnership, commission.partners, ctx.partnership.policies.evaluationPanel);
  if (due.getTime() <= Date.now()) breaches.push({ rule: 'scoring-deadline-ahead', message: 'The scoring deadline must be in the future.' });
  if (breaches.length) {
    const rules = [...new Set(breaches.map((b) => b.rule))];
    throw problem(
      422,
      `The panel breaks ${rules.length === 1 ? 'the rule' : `${rules.length} rules`} ${rules.join(', ')}: ${breaches.map((b) => b.message).join(' ')}`,
      breaches.map((b) => ({ path: b.rule, message: b.message })),
    );
  }
  const setup = { ...parsed.data, scoringDue: due.toISOString() };
  const handle = ctx.client.workflow.getHandle(commissionWorkflowId(id));
  const accepted = await viaTemporal(
    ctx,
    `Commission ${id}`,
    () =>
      handle.executeUpdate(setUpEvaluation, {
        args: [evaluationRequest(ctx.partnership, commission.partners, person.id, setup, ctx.policyVersion)],
      }),
    TEMPORAL_BUDGET_MS.update,
  );
  // Set up early, the panel waits for the commission to reach evaluation.
  const atEvaluation = !commission.lifecycle || commission.lifecycle.steps.find((s) => s.id === 'evaluation')?.status === 'open';
  if (!atEvaluation) return { accepted };
  // The commission starts its panel as a child at once; answer with the panel as it stands.
  const until = Date.now() + TEMPORAL_BUDGET_MS.read;
  for (;;) {
    try {
      return { accepted, started: await readEvaluation(ctx, id, person) };
    } catch (err) {
      // Not yet started (404), or started and its first write on its way (503).
      const status = (err as { status?: number }).status;
      const starting = err instanceof WorkflowNotFoundError || status === 404 || status === 503;
      if (!starting || Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Evaluation panels (DOMAIN.md section 2), under their commission. */
export function evaluationRouter(ctx: ApiContext): Router {
  const router = Router({ mergeParams: true });

  router.put('/', async (req, res) => {
    const id = (req.params as { id: string }).id;
    const made = await setUpPanel(ctx, caller(req), id, req.body);
    res.status(made.started ? 201 : 202).location(`/api/v1/commissions/${id}/evaluation`).json(made.started ?? made.accepted);
  });

  router.get('/', async (req, res) => {
    const person = caller(req);
    const view = await readEvaluation(ctx, (req.params as { id: string }).id, person);
    await auditRead(ctx, readerOf(req, 'api'), view.id, 'evaluation');
    res.json(view);
  });

  return router;
}
