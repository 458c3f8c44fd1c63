import path from 'node:path';
import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { identify } from './auth';
import { commissionsRouter } from './commissions';
import { evaluationRouter } from './evaluation';
import type { ApiContext } from './context';
import { devMailRouter } from './devMail';
import { disputesRouter } from './disputes';
import { linksRouter } from './links';
import { requestLog } from './observability';
import { openApiDocument } from './openapi';
import { metrics, opsRouter } from './ops';
import { esc, page } from './pages';
import { peopleRouter } from './people';
import { problem, problemHandler } from './problem';
import { recordsRouter } from './records';
import { referralsRouter } from './referrals';
import { tasksRouter } from './tasks';

export function createApp(ctx: ApiContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.trustProxy ?? false);
  const m = metrics();
  app.use(requestLog(ctx.logger));
  app.use(helmet());
  app.use(m.middleware);

  app.use(opsRouter(ctx, m.registry));
  app.get('/api/v1/openapi.json', (_req, res) => void res.json(openApiDocument));
  app.get('/api/v1/docs', (_req, res) => {
    const rows = Object.entries(openApiDocument.paths).flatMap(([p, ops]) =>
      Object.entries(ops).map(([method, op]) => `<tr><td><code>${method.toUpperCase()} ${esc(p)}</code></td><td>${esc((op as { summary: string }).summary)}</td></tr>`),
    );
    res.type('html').send(page('Joint Commissioning Orchestrator API', `<p>The machine-readable document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p><table>${rows.join('')}</table>`));
  });
  // GOV.UK Frontend's stylesheet and images for the link pages, served from the package.
  const govuk = path.dirname(require.resolve('govuk-frontend/dist/govuk/govuk-frontend.min.css'));
  app.get('/assets/govuk-frontend.min.css', (_req, res) => res.sendFile(path.join(govuk, 'govuk-frontend.min.css'), { maxAge: '1d' }));
  app.use('/assets/images', express.static(path.join(govuk, 'assets', 'images'), { index: false, maxAge: '1d' }));
  app.use('/a', rateLimit({ windowMs: 60_000, limit: ctx.rateLimitPerMinute, standardHeaders: 'draft-7', legacyHeaders: false, handler: (_req, _res, next) => next(problem(429, 'Too many requests from here; wait a minute and try again.')) }), linksRouter(ctx));
  if (ctx.devMailDir) app.use('/dev/mail', devMailRouter(ctx.devMailDir));

  const api = express.Router();
  api.use(express.json({ limit: '256kb' }));
  api.use(identify(ctx.partnership, ctx.oidc));
  // Per person, after identity: one partner's integration cannot starve the others.
  api.use(
    rateLimit({
      windowMs: 60_000,
      limit: ctx.rateLimitPerMinute,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator: (req) => req.person!.id,
      handler: (_req, _res, next) => next(problem(429, 'Too many requests for your key; wait a minute and try again.', undefined, { 'Retry-After': '60' })),
    }),
  );
  api.use('/commissions/:id/evaluation', evaluationRouter(ctx));
  api.use('/commissions', commissionsRouter(ctx));
  api.use('/tasks', tasksRouter(ctx));
  api.use('/people', peopleRouter(ctx));
  api.use('/disputes', disputesRouter(ctx));
  api.use('/referrals', referralsRouter(ctx));
  api.use('/records', recordsRouter(ctx));
  app.use('/api/v1', api);

  app.use((req, _res, next) => next(problem(404, `Nothing is at ${req.method} ${req.path}.`)));
  app.use(problemHandler);
  return app;
}
