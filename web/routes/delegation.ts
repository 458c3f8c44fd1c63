import { Router, type Request, type Response } from 'express';
import type { ApiContext } from '../../api/context';
import { delegateTo, revokeDelegationOf } from '../../api/people';
import { can } from '../../api/permissions';
import { HttpProblem } from '../../api/problem';
import { checkCsrf } from '../middleware/csrf';
import { formBody } from '../middleware/forms';
import { requireSignedIn } from '../middleware/signedIn';
import { delegationErrors, delegationPage, delegationRequestFrom } from '../services/delegation';
import { newKey } from '../services/commissions';
import { echoedValues } from '../services/taskForm';

const banners: Record<string, string> = { set: 'Your deputy is set: they are asked with you, for your roles they hold, from the first day to the last.', revoked: 'Your delegation is revoked: your deputy no longer acts for you.' };

/** Delegation: name a deputy, see current and past delegations, revoke (the API's /people/me/delegation code and rules). */
export function delegationRouter(ctx: ApiContext): Router {
  const router = Router();
  router.use('/delegation', requireSignedIn, (req, res, next) => (can(req.person!, 'delegation.manage') ? next() : void res.status(404).render('notFound', { title: 'Page not found' })));
  const csrf = checkCsrf(ctx.publicBaseUrl);

  async function show(req: Request, res: Response, status = 200, values: Record<string, unknown> = {}, errors: ReturnType<typeof delegationErrors> = { summary: [], fields: {} }): Promise<void> {
    const done = typeof req.query['done'] === 'string' ? banners[req.query['done']] : undefined;
    res.status(status).render('delegation', { title: 'Your deputy', page: await delegationPage(ctx, req.person!), values: echoedValues(values), formKey: newKey(), errors: errors.summary, fieldErrors: errors.fields, success: status === 200 ? done : undefined });
  }

  router.get('/delegation', (req, res) => show(req, res));

  router.post('/delegation', formBody, csrf, async (req, res) => {
    const form = req.body as Record<string, unknown>;
    const { body, errors } = delegationRequestFrom(form);
    if (errors.length) return show(req, res, 400, form, delegationErrors(errors));
    try {
      // Safe to submit twice: the form's key names one change to the register, made once.
      await delegateTo(ctx, req.person!, body, typeof form['key'] === 'string' ? form['key'] : undefined);
    } catch (err) {
      if (err instanceof HttpProblem && err.status < 500) return show(req, res, err.status, form, delegationErrors(err));
      throw err;
    }
    res.redirect(303, '/delegation?done=set');
  });

  router.post('/delegation/revoke', formBody, csrf, async (req, res) => {
    try {
      await revokeDelegationOf(ctx, req.person!);
    } catch (err) {
      // Revoked already (a second press): nothing is left to revoke, which is what was asked.
      if (!(err instanceof HttpProblem && err.status === 404)) throw err;
    }
    res.redirect(303, '/delegation?done=revoked');
  });

  return router;
}
