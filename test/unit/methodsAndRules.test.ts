import express from 'express';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { methodNotAllowed } from '../../api/methods';
import { invalid, problemHandler } from '../../api/problem';

test('a method a documented path does not have answers 405 with Allow; unknown paths and served methods pass on', async () => {
  const app = express();
  app.get('/api/v1/tasks/:taskId', (_req, res) => void res.json({}));
  app.use(methodNotAllowed({ '/api/v1/tasks/{taskId}': { get: {} }, '/api/v1/openapi.json': { get: {} }, '/api/v1/tasks/{taskId}/decision': { post: {} } }));
  app.use((_req, res) => void res.status(404).end());
  app.use(problemHandler);
  const server = app.listen(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const trace = await fetch(`${base}/api/v1/tasks/jc-1.lead`, { method: 'DELETE' });
    expect([trace.status, trace.headers.get('allow'), trace.headers.get('content-type')]).toEqual([405, 'GET, HEAD', expect.stringContaining('application/problem+json')]);
    expect((await fetch(`${base}/api/v1/tasks/jc-1.lead/decision`)).status).toBe(405);
    expect((await fetch(`${base}/api/v1/openapiXjson`, { method: 'PUT' })).status).toBe(404);
    expect((await fetch(`${base}/api/v1/tasks/jc-1.lead`)).status).toBe(200);
    expect((await fetch(`${base}/nothing`, { method: 'PUT' })).status).toBe(404);
  } finally {
    server.close();
  }
});

test('400 when the shape is wrong; 422 when every problem is a rule the schema cannot state', () => {
  const window = z.object({ from: z.number(), to: z.number() }).refine((w) => w.from < w.to, 'ends after it starts');
  expect(invalid(window.safeParse({ from: 2, to: 1 }).error!, 'window').status).toBe(422);
  expect(invalid(window.safeParse({ from: 'x', to: 1 }).error!, 'window').status).toBe(400);
});
