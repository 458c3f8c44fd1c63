import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../api/context';
import { setUpPanel } from '../../api/evaluation';
import { HttpProblem } from '../../api/problem';
import { readCommission } from '../../api/subjects';
import { checkCsrf } from '../middleware/csrf';
import { formBody } from '../middleware/forms';
import { requireSignedIn } from '../middleware/signedIn';
import { CRITERION_ROWS, defaultSetupValues, kindWords, panelPage, setupErrors, setupFromForm, type FieldError } from '../services/evaluationPanel';
import { echoedValues } from '../services/taskForm';
import { auditRead, readerOf } from '../../api/accessAudit';
import { evaluationIdOf } from '../../domain/evaluation';

const commissionId = z.string().regex(/^jc-[a-z0-9]{1,40}$/);

/** A commission's evaluation panel: set it up, then follow declarations, scoring, moderation and the result. */
export function evaluationRouter(ctx: ApiContext): Router {
  const router = Router();
  router.use('/commissions/:id/evaluation', requireSignedIn);
  const csrf = checkCsrf(ctx.publicBaseUrl);

  async function show(req: Request, res: Response, status = 200, errors: FieldError[] = [], values?: Record<string, string>, members?: string[]): Promise<void> {
    const id = commissionId.parse(req.params['id']);
    const page = await panelPage(ctx, req.person!, id);
    if (page.panel) await auditRead(ctx, readerOf(req, 'web'), evaluationIdOf(id), 'evaluation');
    const fieldErrors = Object.fromEntries(errors.map((e) => [e.field, e.text]));
    res.status(status).render('evaluation/panel', {
      title: `Evaluation panel: ${page.commission.title}`,
      page,
      kinds: Object.entries(kindWords),
      rows: Array.from({ length: CRITERION_ROWS }, (_, i) => i),
      values: values ?? defaultSetupValues(page.policy.minSocialValueWeight),
      chosenMembers: members ?? [],
      errors: errors.map((e) => ({ text: e.text, href: `#${e.field}` })),
      fieldErrors,
      success: req.query['setUp'] === '1' ? (page.panel ? 'The evaluation panel is set up: its members are asked to declare any conflicts of interest.' : 'The evaluation panel is set up: it starts when the commission reaches evaluation.') : undefined,
    });
  }

  router.get('/commissions/:id/evaluation', async (req, res) => {
    if (!commissionId.safeParse(req.params.id).success) return void res.status(404).render('notFound', { title: 'Page not found' });
    await show(req, res);
  });

  router.post('/commissions/:id/evaluation', formBody, csrf, async (req, res) => {
    const id = commissionId.safeParse(req.params.id);
    if (!id.success) return void res.status(404).render('notFound', { title: 'Page not found' });
    const body = req.body as Record<string, unknown>;
    const members = [body['members'] ?? []].flat().filter((m): m is string => typeof m === 'string');
    const { setup, errors } = setupFromForm(body);
    if (errors.length) return show(req, res, 400, errors, echoedValues(body), members);
    try {
      await setUpPanel(ctx, req.person!, id.data, setup);
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.status >= 500 || err.status === 404) throw err;
      // Sent twice: the first set it up, so the second shows the panel rather than a refusal.
      if (err.status === 409 && (await readCommission(ctx, id.data)).evaluation) return void res.redirect(303, `/commissions/${id.data}/evaluation`);
      return show(req, res, err.status, setupErrors(err), echoedValues(body), members);
    }
    res.redirect(303, `/commissions/${id.data}/evaluation?setUp=1`);
  });

  return router;
}
