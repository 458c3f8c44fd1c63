import { Router, type RequestHandler } from 'express';
import type { ApiContext } from '../api/context';
import type { WebSettings } from '../config/web';
import { pageErrors } from './middleware/errors';
import { navigation } from './middleware/navigation';
import { pageSecurityHeadersSendingFormsTo } from './middleware/securityHeaders';
import { loadSession } from './middleware/session';
import { oidcRouter } from './routes/oidc';
import { signInRouter } from './routes/signIn';
import { tasksRouter } from './routes/tasks';
import { commissionsRouter } from './routes/commissions';
import { OidcSignIn } from './services/oidcSignIn';
import { referralsRouter } from './routes/referrals';
import { delegationRouter } from './routes/delegation';
import { recordsPagesRouter } from './routes/records';
import { evaluationRouter } from './routes/evaluation';
import { disputesRouter } from './routes/disputes';

/** The pages of the staff web service; everything else (the API, emailed links, assets) is elsewhere. */
const webPaths = /^\/(?:$|sign-in(?:\/|$)|sign-out$|tasks(?:\/|$)|commissions(?:\/|$)|disputes(?:\/|$)|referrals(?:\/|$)|delegation(?:\/|$)|records(?:\/|$))/;

/**
 * The staff web service on the API's own Express app: server-rendered pages on GOV.UK Frontend,
 * sessions in the record database, the API's services and read models underneath.
 */
export function staffWebService(ctx: ApiContext, settings: WebSettings, limitSignedOut?: RequestHandler): Router {
  const router = Router();
  router.use((req, _res, next) => next(webPaths.test(req.path) ? undefined : 'router'));
  // Signing out of single sign-on goes on to the provider (its issuer's origin, as Entra ID's logout is).
  router.use(pageSecurityHeadersSendingFormsTo(settings.oidc ? [new URL(settings.oidc.issuer).origin] : []), loadSession(ctx, settings.secureCookies), navigation(ctx));
  // Sign-in pages and anything a signed-out browser asks for: limited per address (api/rateLimits.ts).
  if (limitSignedOut) router.use((req, res, next) => (req.person ? next() : limitSignedOut(req, res, next)));
  router.get('/', (req, res) => res.redirect(303, req.person ? '/tasks' : '/sign-in'));
  // One client of the organisation's provider, for signing in and for signing out there.
  const sso = settings.oidc ? new OidcSignIn(settings.oidc) : undefined;
  router.use(signInRouter(ctx, settings, sso));
  if (sso && settings.oidc) router.use(oidcRouter(ctx, { ...settings, oidc: settings.oidc }, sso));
  router.use(tasksRouter(ctx));
  // A commission's panel and disputes first: their paths are under /commissions/{id}/.
  router.use(evaluationRouter(ctx), disputesRouter(ctx));
  router.use(commissionsRouter(ctx));
  router.use(referralsRouter(ctx), delegationRouter(ctx), recordsPagesRouter(ctx));
  router.use((_req, res) => res.status(404).render('notFound', { title: 'Page not found' }));
  router.use(pageErrors(ctx.logger));
  return router;
}
