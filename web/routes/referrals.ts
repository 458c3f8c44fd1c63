import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../api/context';
import { can } from '../../api/permissions';
import { HttpProblem } from '../../api/problem';
import { readReferralAs, referCase } from '../../api/referrals';
import { referralStatuses } from '../../domain/referral';
import { checkCsrf } from '../middleware/csrf';
import { formBody } from '../middleware/forms';
import { requireSignedIn } from '../middleware/signedIn';
import { echoedValues } from '../services/taskForm';
import { auditRead, readerOf } from '../../api/accessAudit';
import { formChoices, isChair, mayRefer, panelAgenda, referralErrors, referralList, referralPage, referralRequestFrom, statusLabel } from '../services/referrals';

const notFound = (res: Response): void => void res.status(404).render('notFound', { title: 'Page not found' });
const listQuery = z.object({ status: z.enum(referralStatuses).optional().catch(undefined) });

/**
 * The Resource Allocation Panel's pages: refer a case (POST /api/v1/referrals' own code and
 * rules), the referrals, a referral with the partners' positions side by side, and the chair's agenda.
 */
export function referralsRouter(ctx: ApiContext): Router {
  const router = Router();
  router.use('/referrals', requireSignedIn);
  const csrf = checkCsrf(ctx.publicBaseUrl);

  router.get('/referrals', async (req, res) => {
    if (!can(req.person!, 'referral.list')) return notFound(res);
    const { status } = listQuery.parse(req.query);
    res.render('referrals/list', {
      title: 'Referrals to the Resource Allocation Panel',
      rows: await referralList(ctx, readerOf(req, 'web'), status),
      status,
      statuses: Object.entries(statusLabel),
      mayRefer: mayRefer(req.person!),
      isChair: isChair(req.person!),
    });
  });

  function showForm(req: Request, res: Response, status = 200, values: Record<string, unknown> = {}, errors: ReturnType<typeof referralErrors> = { summary: [], fields: {} }): void {
    const chosen = values['needs'];
    res.status(status).render('referrals/new', {
      title: 'Refer a case to the Resource Allocation Panel',
      values: echoedValues(values),
      needsChosen: Array.isArray(chosen) ? chosen : typeof chosen === 'string' ? [chosen] : [],
      choices: formChoices,
      partners: ctx.partnership.partners,
      errors: errors.summary,
      fieldErrors: errors.fields,
    });
  }

  router.get('/referrals/new', (req, res) => (mayRefer(req.person!) ? showForm(req, res) : notFound(res)));

  router.post('/referrals/new', formBody, csrf, async (req, res) => {
    if (!mayRefer(req.person!)) return notFound(res);
    const form = req.body as Record<string, unknown>;
    const { body, errors } = referralRequestFrom(ctx, form);
    if (errors.length) return showForm(req, res, 400, form, referralErrors(ctx, errors));
    try {
      // Safe to submit twice: the same request names the same referral (its business key and request hash).
      const { id } = await referCase(ctx, req.person!, body);
      res.redirect(303, `/referrals/${encodeURIComponent(id)}?referred=1`);
    } catch (err) {
      if (err instanceof HttpProblem && err.status < 500 && err.status !== 404) return showForm(req, res, err.status, form, referralErrors(ctx, err));
      throw err;
    }
  });

  router.get('/referrals/agenda', async (req, res) => {
    if (!isChair(req.person!)) return notFound(res);
    const meetings = await panelAgenda(ctx, readerOf(req, 'web'));
    res.render('referrals/agenda', { title: "The panel's agenda", meetings });
  });

  router.get('/referrals/:id', async (req, res) => {
    const view = await readReferralAs(ctx, req.person!, req.params.id);
    await auditRead(ctx, readerOf(req, 'web'), view.id, 'referral');
    res.render('referrals/referral', {
      title: `Referral ${view.caseRef}`,
      page: referralPage(ctx, view),
      isChair: isChair(req.person!),
      success: req.query['referred'] === '1' ? `Case ${view.caseRef} is referred: each funding partner is asked for its position.` : undefined,
    });
  });

  return router;
}
