import { Router, type NextFunction, type Request, type Response } from 'express';
import { sql } from 'kysely';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { temporal } from '@temporalio/proto';
import type { ApiContext } from './context';

export function metrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'jco_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'jco_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    const end = duration.startTimer();
    res.on('finish', () => {
      // The route pattern, never the path: paths carry ids and tokens.
      const route = (req.route as { path?: string } | undefined)?.path ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched';
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      end({ method: req.method, route });
    });
    next();
  };
  return { registry, middleware };
}

const READY_CACHE_MS = 1000;

export function opsRouter(ctx: ApiContext, registry: Registry): Router {
  const router = Router();
  let cached: { at: number; ready: boolean; detail: string } | undefined;

  async function readiness(): Promise<{ ready: boolean; detail: string }> {
    if (cached && Date.now() - cached.at < READY_CACHE_MS) return cached;
    let result: { ready: boolean; detail: string };
    try {
      const described = await ctx.connection.withDeadline(Date.now() + 2000, () =>
        ctx.connection.workflowService.describeTaskQueue({
          namespace: ctx.namespace,
          taskQueue: { name: ctx.taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      const recent = (described.pollers ?? []).filter((p) => {
        const seconds = Number(p.lastAccessTime?.seconds ?? 0);
        return Date.now() / 1000 - seconds < 90;
      });
      result = recent.length
        ? { ready: true, detail: `Temporal reachable; ${recent.length} worker(s) polling ${ctx.taskQueue}` }
        : { ready: false, detail: `Temporal reachable, but no worker is polling ${ctx.taskQueue}` };
    } catch (err) {
      result = { ready: false, detail: `Temporal not reachable: ${(err as Error).message}` };
    }
    // Everything people read comes from the record: without it the API cannot answer.
    try {
      await sql`select 1`.execute(ctx.database.db);
      result.detail += `; the system of record answers (${ctx.database.engine})`;
    } catch (err) {
      result = { ready: false, detail: `${result.detail}; the system of record is not reachable: ${(err as Error).message}` };
    }
    cached = { at: Date.now(), ...result };
    return result;
  }

  router.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  router.get('/readyz', async (_req, res) => {
    const r = await readiness();
    res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'not ready', detail: r.detail });
  });
  router.get('/metrics', async (_req, res) => {
    let worker = '';
    if (ctx.workerMetricsUrl) {
      worker = await fetch(ctx.workerMetricsUrl, { signal: AbortSignal.timeout(2000) })
        .then((r) => (r.ok ? r.text() : ''))
        .catch(() => '# the worker\'s metrics were not reachable\n');
    }
    res.type(registry.contentType).send(`${await registry.metrics()}\n${worker}`);
  });
  return router;
}
