import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { ApiContext } from '../../api/context';
import { problem } from '../../api/problem';
import type { WebSettings } from '../../config/web';
import { endSession } from '../../db/sessions';
import { clearSessionCookie } from '../cookies';
import { checkCsrf } from '../middleware/csrf';
import { formBody } from '../middleware/forms';
import { onlyFromThisMachine } from '../middleware/onlyFromThisMachine';
import type { OidcSignIn } from '../services/oidcSignIn';
import { anonymousSession, returnTo, signIn } from '../services/signIn';
import { partnerName } from '../services/words';

const devSignInForm = z.object({ person: z.string().min(1).max(100), returnTo: z.string().max(500).optional() });

/** Sign-in (single sign-on, and on the embedded default the development list) and sign-out. */
export function signInRouter(ctx: ApiContext, settings: WebSettings, sso: OidcSignIn | undefined): Router {
  const router = Router();
  const csrf = checkCsrf(ctx.publicBaseUrl);
  // Per address: each visit to the sign-in pages may start a session row, so a flood is cut short.
  router.use(
    ['/sign-in', '/sign-out'],
    rateLimit({ windowMs: 60_000, limit: ctx.rateLimitPerMinute, standardHeaders: 'draft-7', legacyHeaders: false, handler: (_req, _res, next) => next(problem(429, 'Too many sign-in attempts from here; wait a minute and try again.')) }),
  );

  router.get('/sign-in', async (req, res) => {
    if (req.person) return res.redirect(303, returnTo.parse(req.query['returnTo']));
    await anonymousSession(ctx, res, settings.secureCookies, req.webSession);
    // Grouped by organisation, in the partnership file's order: people look for their own first.
    const organisations = new Map<string, { id: string; name: string; roles: string }[]>();
    for (const p of settings.developmentSignIn ? ctx.partnership.people : []) {
      const organisation = p.partner ? partnerName(ctx.partnership, p.partner) : 'Not at a partner';
      organisations.set(organisation, [...(organisations.get(organisation) ?? []), { id: p.id, name: p.name, roles: p.roles.join(', ').replace(/-/g, ' ') }]);
    }
    res.render('signIn', {
      title: 'Sign in',
      oidc: settings.oidc !== undefined,
      developmentSignIn: settings.developmentSignIn,
      organisations: [...organisations].map(([name, people]) => ({ name, people })),
      returnTo: returnTo.parse(req.query['returnTo']),
      signedOut: req.query['signedOut'] === '1',
    });
  });

  if (settings.developmentSignIn) {
    // Only on the embedded default (config/web.ts), and only from a browser on this machine.
    router.post('/sign-in/development', onlyFromThisMachine, formBody, csrf, async (req, res) => {
      const parsed = devSignInForm.safeParse(req.body);
      const person = parsed.success ? ctx.partnership.people.find((p) => p.id === parsed.data.person) : undefined;
      if (!parsed.success || !person) throw problem(400, 'Choose one of the people listed to sign in as.');
      await signIn(ctx, res, settings.secureCookies, person.id, 'development', req.webSession);
      res.redirect(303, returnTo.parse(parsed.data.returnTo));
    });
  }

  router.post('/sign-out', formBody, csrf, async (req, res) => {
    if (req.webSession) await endSession(ctx.database.db, req.webSession.id);
    clearSessionCookie(res, settings.secureCookies);
    // Signed in through the organisation's provider: signed out there too, or the next "Sign in"
    // would be let straight back in without asking (a shared computer on a ward or in a library).
    const signedOut = `${ctx.publicBaseUrl}/sign-in?signedOut=1`;
    const atProvider = req.webSession?.signedInBy === 'oidc' ? await sso?.signOutUrl(signedOut) : undefined;
    res.redirect(303, atProvider ?? '/sign-in?signedOut=1');
  });

  return router;
}
