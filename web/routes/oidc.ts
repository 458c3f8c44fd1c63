import { Router } from 'express';
import type { ApiContext } from '../../api/context';
import { personFromClaims } from '../../api/oidc';
import { problem } from '../../api/problem';
import type { WebSettings } from '../../config/web';
import { keepSignInState } from '../../db/sessions';
import type { OidcSignIn } from '../services/oidcSignIn';
import { anonymousSession, returnTo, signIn } from '../services/signIn';

/** Single sign-on: off to the organisation's provider, and back with a code for this session only. */
export function oidcRouter(ctx: ApiContext, settings: WebSettings & { oidc: NonNullable<WebSettings['oidc']> }, sso: OidcSignIn): Router {
  const router = Router();

  router.get('/sign-in/oidc', async (req, res) => {
    const session = await anonymousSession(ctx, res, settings.secureCookies, req.webSession);
    let started: Awaited<ReturnType<OidcSignIn['start']>>;
    try {
      started = await sso.start();
    } catch (err) {
      ctx.logger?.warn({ err: (err as Error).message }, 'single sign-on provider unavailable');
      throw problem(503, "Your organisation's sign-in service cannot be reached just now. Try again in a few minutes.");
    }
    const { url, ...kept } = started;
    await keepSignInState(ctx.database.db, session.id, { ...kept, returnTo: returnTo.parse(req.query['returnTo']) });
    res.redirect(303, url);
  });

  router.get('/sign-in/oidc/callback', async (req, res) => {
    const kept = req.webSession && !req.webSession.person ? req.webSession.signInState : undefined;
    if (!kept) throw problem(400, 'This sign-in was not started here, or took too long. Start again from the sign-in page.');
    // The session's state is used once, whatever happens next.
    await keepSignInState(ctx.database.db, req.webSession!.id, undefined);
    let claims: Record<string, unknown>;
    try {
      claims = await sso.finish(new URL(req.originalUrl, settings.oidc.redirectUri), kept);
    } catch (err) {
      ctx.logger?.warn({ err: (err as Error).message }, 'single sign-on refused');
      throw problem(401, 'Your organisation did not confirm who you are. Start again from the sign-in page.');
    }
    const matched = personFromClaims(claims, settings.oidc.identity, ctx.partnership);
    if (!matched.ok) throw problem(403, matched.reason);
    await signIn(ctx, res, settings.secureCookies, matched.person.id, 'oidc', req.webSession);
    res.redirect(303, kept.returnTo);
  });

  return router;
}
