import express, { type Express } from 'express';
import { codecCors, codecRouter } from './codec';
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
import { methodNotAllowed } from './methods';
import { metrics, opsRouter } from './ops';
import { assetsRouter } from '../web/assets';
import { apiDocsSecurityHeaders } from '../web/middleware/securityHeaders';
import { useViews, viewEnvironment } from '../web/views';
import { staffWebService } from '../web';
import { peopleRouter } from './people';
import { problem, problemHandler } from './problem';
import { rateLimits } from './rateLimits';
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
  useViews(app, viewEnvironment(ctx.partnership));
  app.get('/api/v1/docs', apiDocsSecurityHeaders, (_req, res) => {
    const rows = Object.entries(openApiDocument.paths).flatMap(([p, ops]) =>
      Object.entries(ops).map(([method, op]) => [{ text: `${method.toUpperCase()} ${p}` }, { text: (op as { summary: string }).summary }]),
    );
    res.render('docs', { title: 'Joint Commissioning Orchestrator API', rows });
  });
  app.use('/assets', assetsRouter());
  const limits = rateLimits(ctx);
  app.use('/a', limits.unauthenticated, linksRouter(ctx));
  if (ctx.devMailDir) app.use('/dev/mail', devMailRouter(ctx.devMailDir));

  app.use('/api/v1/codec', codecCors(ctx.temporalUiOrigin));
  const api = express.Router();
  api.use(express.json({ limit: '256kb' }));
  api.use(identify(ctx.partnership, ctx.oidc, ctx.apiKeys), limits.unauthenticatedRefusal, limits.perPerson);
  api.use('/commissions/:id/evaluation', evaluationRouter(ctx));
  api.use('/commissions', commissionsRouter(ctx));
  api.use('/tasks', tasksRouter(ctx));
  api.use('/people', peopleRouter(ctx));
  api.use('/disputes', disputesRouter(ctx));
  api.use('/referrals', referralsRouter(ctx));
  api.use('/records', recordsRouter(ctx));
  api.use('/codec', codecRouter(ctx));
  app.use('/api/v1', api);
  // The staff web service's pages: not API, so not in the OpenAPI document.
  app.use(staffWebService(ctx, ctx.web ?? { developmentSignIn: false, secureCookies: true }, limits.unauthenticated));

  app.use(methodNotAllowed(openApiDocument.paths));
  app.use((req, _res, next) => next(problem(404, `Nothing is at ${req.method} ${req.path}.`)));
  app.use(problemHandler);
  return app;
}
