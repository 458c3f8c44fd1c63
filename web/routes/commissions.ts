import { Router, type Request, type Response } from 'express';
import type { ApiContext } from '../../api/context';
import { checkNewCommission, startCommission } from '../../api/commissions';
import { can } from '../../api/permissions';
import { HttpProblem, problem } from '../../api/problem';
import { COMMISSION_ID, leadStatuses, stageNames, stages, type NewCommissionRequest } from '../../domain/commission';
import { checkCsrf } from '../middleware/csrf';
import { formBody } from '../middleware/forms';
import { requireSignedIn } from '../middleware/signedIn';
import {
  checkAnswers,
  commissionPage,
  commissionsList,
  commissionsQuery,
  emptyForm,
  formChoices,
  formValues,
  leadStatusLabel,
  requestFrom,
  type CommissionFormValues,
  type FieldError,
} from '../services/commissions';
import { partnerName } from '../services/words';

/**
 * Commissions: the list, starting one (a form, then "check your answers" with the plan and
 * timetable, then the API's own start), and a commission's page with its timeline.
 */
export function commissionsRouter(ctx: ApiContext): Router {
  const router = Router();
  router.use('/commissions', requireSignedIn);
  const csrf = checkCsrf(ctx.publicBaseUrl);
  const mayStart = (req: Request) => !!req.person?.partner && can(req.person, 'commission.start', { partners: [req.person.partner] });

  router.get('/commissions', async (req, res) => {
    const parsed = commissionsQuery.safeParse(req.query);
    const query = parsed.success ? parsed.data : {};
    const list = await commissionsList(ctx, req.person!, query);
    const base = Object.fromEntries(Object.entries(query).filter(([k, v]) => k !== 'cursor' && typeof v === 'string' && v !== '')) as Record<string, string>;
    const without = (key: string) => `/commissions?${new URLSearchParams(Object.fromEntries(Object.entries(base).filter(([k]) => k !== key)))}`;
    const labels: Record<string, (v: string) => string> = {
      stage: (v) => stageNames[v as keyof typeof stageNames] ?? v,
      partner: (v) => partnerName(ctx.partnership, v),
      leadStatus: (v) => leadStatusLabel[v] ?? v,
      overdue: (v) => (v === 'true' ? 'Overdue' : 'Not overdue'),
      title: (v) => `“${v}”`,
    };
    const headings: Record<string, string> = { stage: 'Stage', partner: 'Partner', leadStatus: 'Lead partner', overdue: 'When due', title: 'Title' };
    const selected = Object.entries(base).map(([k, v]) => ({ heading: { text: headings[k] ?? k }, items: [{ href: without(k), text: labels[k]?.(v) ?? v }] }));
    res.render('commissions', {
      title: 'Commissions',
      query,
      list,
      mayStart: mayStart(req),
      stages: stages.map((s) => ({ value: s, text: stageNames[s] })),
      leadStatuses: leadStatuses.map((s) => ({ value: s, text: leadStatusLabel[s] })),
      partners: ctx.partnership.partners.filter((p) => p.id !== req.person!.partner).map((p) => ({ value: p.id, text: p.name })),
      ownPartner: req.person!.partner ? partnerName(ctx.partnership, req.person!.partner) : '',
      selected,
      firstPage: query.cursor ? `/commissions?${new URLSearchParams(base)}` : undefined,
      nextPage: list.nextCursor ? `/commissions?${new URLSearchParams({ ...base, cursor: list.nextCursor })}` : undefined,
      errors: parsed.success && !list.refused ? [] : [{ text: 'Some filters were not understood and were ignored; choose them again.', href: '#stage' }],
    });
  });

  function showForm(req: Request, res: Response, values: CommissionFormValues, errors: FieldError[] = [], status = 200): void {
    res.status(status).render('commissionNew', {
      title: 'Start a commission',
      values,
      choices: formChoices(ctx),
      errors: errors.map((e) => ({ text: e.text, href: `#${e.field}` })),
      fieldErrors: Object.fromEntries(errors.map((e) => [e.field, { text: e.text }])),
    });
  }

  /** The rules that need the partnership and the person (partners known, a commissioner of one of them), as field errors. */
  function partnershipErrors(req: Request, request: NewCommissionRequest): FieldError[] {
    try {
      checkNewCommission(ctx, req.person!, request);
      return [];
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.status >= 500) throw err;
      const own = req.person!.partner ? partnerName(ctx.partnership, req.person!.partner) : 'your organisation';
      return [{ field: 'partners', text: err.status === 403 ? `Include your own organisation, ${own}, among the partners: a commissioner starts commissions their organisation takes part in` : 'Choose the partners from the list' }];
    }
  }

  router.get('/commissions/new', (req, res) => {
    if (!mayStart(req)) throw problem(403, 'Only commissioners can start a commission. Ask a commissioner of your organisation.');
    showForm(req, res, emptyForm());
  });

  // The form's "Continue" (to check your answers) and the check page's "Change" buttons both post here.
  router.post('/commissions/new', formBody, csrf, (req, res) => {
    if (!mayStart(req)) throw problem(403, 'Only commissioners can start a commission. Ask a commissioner of your organisation.');
    const body = req.body as Record<string, unknown>;
    const values = formValues(body);
    if (typeof body['change'] === 'string') return showForm(req, res, values);
    const { request, errors } = requestFrom(values);
    const refused = request ? partnershipErrors(req, request) : errors;
    if (!request || refused.length) return showForm(req, res, values, refused, 400);
    res.render('commissionCheck', { title: 'Check your answers before starting the commission', values, ...checkAnswers(ctx, request) });
  });

  // Starting it: the API's own start, with the form's idempotency key, so a second submit finds the first commission.
  router.post('/commissions', formBody, csrf, async (req, res) => {
    if (!mayStart(req)) throw problem(403, 'Only commissioners can start a commission. Ask a commissioner of your organisation.');
    const values = formValues(req.body as Record<string, unknown>);
    const { request, errors } = requestFrom(values);
    const refused = request ? partnershipErrors(req, request) : errors;
    if (!request || refused.length) return showForm(req, res, values, refused, 400);
    try {
      const { view } = await startCommission(ctx, req.person!, request, values.key);
      res.redirect(303, `/commissions/${encodeURIComponent(view.id)}?started=1`);
    } catch (err) {
      // The same key with other answers (changed after submitting): a new start needs a new form.
      if (err instanceof HttpProblem && err.status === 422) {
        return showForm(req, res, { ...values, key: emptyForm().key }, [{ field: 'title', text: 'A commission was already started from this form with other answers. Check these answers and continue to start another' }], 409);
      }
      throw err;
    }
  });

  router.get('/commissions/:id', async (req, res) => {
    const id = req.params.id;
    if (!COMMISSION_ID.test(id)) return void res.status(404).render('notFound', { title: 'Page not found' });
    const page = await commissionPage(ctx, req.person!, id);
    res.render('commission', {
      title: page.view.title,
      page,
      success: req.query['started'] === '1' ? 'The commission has started. The partners are asked to agree the lead partner.' : undefined,
    });
  });

  return router;
}
