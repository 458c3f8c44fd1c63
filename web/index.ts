import { Router } from 'express';
import type { ApiContext } from '../api/context';
import type { WebSettings } from '../config/web';
import { pageErrors } from './middleware/errors';
import { navigation } from './middleware/navigation';
import { pageSecurityHeaders } from './middleware/securityHeaders';
import { loadSession } from './middleware/session';
import { oidcRouter } from './routes/oidc';
import { signInRouter } from './routes/signIn';
import { tasksRouter } from './routes/tasks';
import { evaluationRouter } from './routes/evaluation';
import { disputesRouter } from './routes/disputes';

/** The pages of the staff web service; everything else (the API, emailed links, assets) is elsewhere. */
const webPaths = /^\/(?:$|sign-in(?:\/|$)|sign-out$|tasks(?:\/|$)|disputes(?:\/|$)|commissions\/[^/]+\/(?:evaluation|disputes\/new)$)/;

/**
 * The staff web service on the API's own Express app: server-rendered pages on GOV.UK Frontend,
 * sessions in the record database, the API's services and read models underneath.
 */
export function staffWebService(ctx: ApiContext, settings: WebSettings): Router {
  const router = Router();
  router.use((req, _res, next) => next(webPaths.test(req.path) ? undefined : 'router'));
  router.use(pageSecurityHeaders, loadSession(ctx, settings.secureCookies), navigation(ctx));
  router.get('/', (req, res) => res.redirect(303, req.person ? '/tasks' : '/sign-in'));
  router.use(signInRouter(ctx, settings));
  if (settings.oidc) router.use(oidcRouter(ctx, { ...settings, oidc: settings.oidc }));
  router.use(tasksRouter(ctx));
  router.use(evaluationRouter(ctx), disputesRouter(ctx));
  router.use((_req, res) => res.status(404).render('notFound', { title: 'Page not found' }));
  router.use(pageErrors(ctx.logger));
  return router;
}
