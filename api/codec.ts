import express, { Router } from 'express';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { caller } from './auth';
import type { ApiContext } from './context';
import { authorize } from './permissions';
import { invalid, problem } from './problem';

/**
 * The codec endpoint Temporal's UI calls (its "codec server" protocol) so that an operator sees a
 * workflow's payloads decrypted: POST {endpoint}/decode and /encode with `{ payloads: [...] }`, each
 * payload's metadata values and data in base64. Signed in as the API's other routes are (the UI
 * passes the person's access token), for records officers only.
 */
const base64 = z.string().max(4_000_000).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
export const codecBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string().max(200), base64).optional(), data: base64.optional() }).strict()).max(1000),
}).strict();
type WirePayload = z.infer<typeof codecBody>['payloads'][number];

const fromWire = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

/** Before sign-in: the browser's preflight from the UI's origin carries no credentials. */
export function codecCors(origin: string | undefined): express.RequestHandler {
  return (req, res, next) => {
    if (origin && req.headers.origin === origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') return void res.sendStatus(204);
    next();
  };
}

export function codecRouter(ctx: ApiContext): Router {
  const router = Router();
  const through = (direction: 'decode' | 'encode'): express.RequestHandler => async (req, res) => {
    authorize(caller(req), 'payloads.read', {}, '');
    const codec = ctx.payloadCodec;
    if (!codec) throw problem(404, 'Payloads are not encrypted here (JCO_PAYLOAD_KEYS is not set), so there is nothing to decode.');
    const parsed = codecBody.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error, 'payloads');
    const out = await codec[direction](parsed.data.payloads.map(fromWire));
    res.json({ payloads: out.map(toWire) });
  };
  router.post('/decode', through('decode'));
  router.post('/encode', through('encode'));
  return router;
}
