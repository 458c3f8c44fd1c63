import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../api/context';
import { raiseDispute } from '../../api/disputes';
import { HttpProblem } from '../../api/problem';
import { checkCsrf } from '../middleware/csrf';
import { formBody } from '../middleware/forms';
import { requireSignedIn } from '../middleware/signedIn';
import { disputeErrors, disputeList, disputePage, newDisputePage } from '../services/disputes';
import { echoedValues } from '../services/taskForm';

const commissionId = z.string().regex(/^jc-[a-z0-9]{1,40}$/);
const disputeId = z.string().regex(/^jd-[a-z0-9]{1,40}$/);
const notFound = (res: Response) => res.status(404).render('notFound', { title: 'Page not found' });

/** Disputes: raise one from a commission, the list, and a dispute's page; decisions are made on its tasks' pages. */
export function disputesRouter(ctx: ApiContext): Router {
  const router = Router();
  router.use(['/disputes', '/commissions/:id/disputes'], requireSignedIn);
  const csrf = checkCsrf(ctx.publicBaseUrl);

  router.get('/disputes', async (req, res) => {
    res.render('disputes/list', { title: 'Disputes', items: await disputeList(ctx, req.person!) });
  });

  router.get('/disputes/:id', async (req, res) => {
    const id = disputeId.safeParse(req.params.id);
    if (!id.success) return void notFound(res);
    const page = await disputePage(ctx, req.person!, id.data);
    const success = req.query['raised'] === '1' ? 'The dispute is raised: the other partners are asked to accept your proposed outcome, counter-propose, or escalate.' : req.query['raised'] === 'again' ? 'This dispute was already open on this matter; here it is.' : undefined;
    res.render('disputes/dispute', { title: page.view.matter, page, success });
  });

  async function showForm(req: Request, res: Response, status = 200, errors: { field: string; text: string }[] = [], values: Record<string, string> = {}, chosen?: string[]): Promise<void> {
    const id = commissionId.parse(req.params['id']);
    const page = await newDisputePage(ctx, req.person!, id);
    res.status(status).render('disputes/new', {
      title: 'Raise a dispute',
      page,
      values,
      chosen: chosen ?? (req.person!.partner ? [req.person!.partner] : []),
      errors: errors.map((e) => ({ text: e.text, href: `#${e.field}` })),
      fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.text])),
    });
  }

  router.get('/commissions/:id/disputes/new', async (req, res) => {
    if (!commissionId.safeParse(req.params.id).success) return void notFound(res);
    await showForm(req, res);
  });

  router.post('/commissions/:id/disputes/new', formBody, csrf, async (req, res) => {
    const id = commissionId.safeParse(req.params.id);
    if (!id.success) return void notFound(res);
    const body = req.body as Record<string, unknown>;
    const partners = [body['partners'] ?? []].flat().filter((p): p is string => typeof p === 'string');
    const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    try {
      // The same rules and business key as POST /api/v1/disputes: sent twice, the same dispute.
      const raised = await raiseDispute(ctx, req.person!, { subject: { type: 'commission', id: id.data }, partners, matter: text('matter'), desiredOutcome: text('desiredOutcome') });
      res.redirect(303, `/disputes/${raised.id}?raised=${raised.duplicate ? 'again' : '1'}`);
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.status >= 500 || err.status === 404) throw err;
      await showForm(req, res, err.status, disputeErrors(err), echoedValues(body), partners);
    }
  });

  return router;
}
