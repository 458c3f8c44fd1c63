import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { retainedTypes, type Person } from '../domain/partnership';
import { boundedDate, boundedInstant, DATE_BOUNDS_MESSAGE } from '../domain/calendar';
import { blindRecordEntry } from '../domain/evaluation';
import type { RecordDb } from '../db';
import { HoldRefused, holdsOf, liftHold, placeHold, type Hold } from '../db/holds';
import { rowsInPeriod, rowsOf, subjectsInPeriod, verifyCase, type PeriodFilter, type RecordRow } from '../db/record';
import { auditRead, auditReads, readerOf, type Reader } from './accessAudit';
import { caller } from './auth';
import type { ApiContext } from './context';
import { csvRow } from './csv';
import { authorize, can } from './permissions';
import { keyedDigest } from './idempotency';
import { invalid, problem } from './problem';
import { ClientGone, Sink } from './stream';

/**
 * The decision record, for records officers (../shared/API.md, Records): read from the system of
 * record only, never from the workflow engine, so it outlives the engine's histories. Long records
 * and whole periods are streamed page by page, never held in memory.
 */

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a partner id').max(100);
const subjectId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'a subject id such as jc-abc123defg');
const holdId = z.string().regex(/^hold-[0-9a-f]{16}$/, 'a hold id such as hold-0123456789abcdef');
export const policyVersion = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'a policy version such as 3f2a9c1b7d4e');
const instant = z.union([boundedDate(), boundedInstant()], { error: `a date (YYYY-MM-DD) or a date-time with its offset; ${DATE_BOUNDS_MESSAGE}` }).describe(`an ISO 8601 date (YYYY-MM-DD, meaning its start in UTC) or date-time; ${DATE_BOUNDS_MESSAGE}`);

/** The longest period one export covers: longer periods are exported in parts. */
export const MAX_PERIOD_YEARS = 5;

export const periodQuery = z
  .object({
    partner: id.optional().describe("the records officer's own partner (the default)"),
    type: z.enum(retainedTypes).optional(),
    from: instant.describe('start of the period (inclusive)'),
    to: instant.describe('end of the period (exclusive)'),
  })
  .strict()
  .superRefine((q, ctx) => {
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    if (Number.isNaN(from)) ctx.addIssue({ code: 'custom', path: ['from'], message: 'not a real date' });
    if (Number.isNaN(to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'not a real date' });
    if (Number.isNaN(from) || Number.isNaN(to)) return;
    if (to <= from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    const limit = new Date(from);
    limit.setUTCFullYear(limit.getUTCFullYear() + MAX_PERIOD_YEARS);
    if (to > limit.getTime()) ctx.addIssue({ code: 'custom', path: ['to'], message: `a period is at most ${MAX_PERIOD_YEARS} years; export a longer one in parts` });
  });

export const holdBody = z
  .object({ reason: z.string().trim().min(3, 'give the reason for the hold (at least 3 characters)').max(2000, 'at most 2000 characters') })
  .strict();
export const liftBody = z
  .object({ reason: z.string().trim().min(3, 'give the reason for lifting the hold (at least 3 characters)').max(2000, 'at most 2000 characters') })
  .strict();

// Responses: generated into the OpenAPI document.
const text = z.string().nullable();
export const recordEventSchema = z.object({
  seq: z.number().int().describe('the place of the event in its case, from 0'),
  at: z.string().describe('ISO 8601 date-time: when it happened'),
  event: z.string(),
  by: text.describe('who decided or acted'),
  partner: text.describe('for which partner'),
  role: text.describe('in which role'),
  actingFor: text.describe('the person a deputy acted for'),
  channel: text.describe('api, email or web'),
  what: text,
  reason: text,
  policyVersion: z.string().describe('the policy version in force; its text is at /api/v1/records/policies/{version}'),
  prevHash: text.describe('the hash of the event before it in the case'),
  hash: z.string().describe('SHA-256 over the event and prevHash'),
  recordedAt: z.string(),
});
export const holdSchema = z.object({
  id: z.string(),
  subjectId: z.string(),
  placedBy: z.string(),
  placedAt: z.string(),
  reason: z.string(),
  liftedBy: text,
  liftedAt: text,
  liftReason: text,
  active: z.boolean(),
});
export const recordSchema = z.object({
  subjectId: z.string(),
  cases: z.array(z.object({ instance: z.string(), subjectType: z.string(), events: z.array(recordEventSchema) })).describe('each case of the subject id, oldest first'),
  holds: z.array(holdSchema),
});
const verificationSchema = z.object({
  subjectId: z.string(),
  instance: z.string(),
  intact: z.boolean(),
  events: z.number().int(),
  lastHash: text,
  firstBroken: z.object({ seq: z.number().int(), problem: z.string() }).optional().describe('the first event whose hash or link does not hold'),
});
export const recordVerificationSchema = z.object({ subjectId: z.string(), intact: z.boolean(), cases: z.array(verificationSchema) });
export const periodEventSchema = recordEventSchema.extend({ subjectId: z.string(), subjectType: z.string(), instance: z.string() });
export const policySchema = z.object({ version: z.string(), text: z.string().describe('the policies and calendar in force, as kept'), recordedAt: z.string() });

/** The CSV columns of the record and of a period export: one row per event. */
export const csvColumns = [
  'subject_id', 'subject_type', 'instance', 'seq', 'at', 'event', 'by', 'partner', 'role', 'acting_for',
  'channel', 'what', 'reason', 'policy_version', 'prev_hash', 'hash', 'recorded_at',
] as const;

export function eventOf(r: RecordRow): z.infer<typeof recordEventSchema> {
  return {
    seq: r.seq,
    at: r.at,
    event: r.event,
    by: r.by_person,
    partner: r.partner,
    role: r.role,
    actingFor: r.acting_for,
    channel: r.channel,
    what: r.what,
    reason: r.reason,
    policyVersion: r.policy_version,
    prevHash: r.prev_hash,
    hash: r.hash,
    recordedAt: r.recorded_at,
  };
}

/**
 * How the record's rows are shown while an evaluation panel's scoring is blind: its members'
 * scoring decisions without the comment or reasons, to records officers as to everyone else,
 * until scoring closes (the stored row and its hash are untouched; the verification still checks
 * them). One read of the panels scoring now, then a function for each row of an export or a page.
 */
export async function blindScoring(db: RecordDb): Promise<(r: RecordRow) => RecordRow> {
  const scoring = await db
    .selectFrom('subjects')
    .select(['subject_id', 'instance'])
    .where('subject_type', '=', 'evaluation')
    .where('status', 'in', ['declaring', 'scoring'])
    .execute();
  const blind = new Set(scoring.map((s) => `${s.subject_id}#${s.instance}`));
  return (r) => {
    if (!blind.has(`${r.subject_id}#${r.instance}`)) return r;
    const shown = blindRecordEntry({ event: r.event, detail: r.what ?? undefined, reason: r.reason ?? undefined });
    return { ...r, what: shown.detail ?? null, reason: shown.reason ?? null };
  };
}

export function csvOf(r: RecordRow): string {
  return csvRow([
    r.subject_id, r.subject_type, r.instance, r.seq, r.at, r.event, r.by_person, r.partner, r.role, r.acting_for,
    r.channel, r.what, r.reason, r.policy_version, r.prev_hash, r.hash, r.recorded_at,
  ]);
}

/** Names are made of ids already checked against [A-Za-z0-9._:-]; quoted as the brief for auditors' tools shows. */
const attachment = (name: string): string => `attachment; filename="${name.replace(/[^A-Za-z0-9._:-]/g, '_')}"`;

function parsePartners(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/** Writes a streamed body; a failure after the status line was sent can only cut the response short. */
async function streaming(res: Response, ctx: ApiContext, sink: Sink, write: () => Promise<void>): Promise<void> {
  try {
    await write();
    await sink.end();
  } catch (err) {
    if (err instanceof ClientGone) return;
    if (!sink.started) throw err;
    ctx.logger?.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message } }, 'record export cut short');
    res.destroy(err as Error);
  }
}

/** The cases of a subject the person may read, oldest first; none: 404 (not the data), for the API and the records pages. */
export async function readableCases(ctx: Pick<ApiContext, 'database'>, person: Person, action: 'record.read' | 'record.hold', raw: string) {
  const parsed = subjectId.safeParse(raw);
  const notFound = `No record of ${raw.slice(0, 200)} that you may read.`;
  if (!parsed.success) throw problem(404, notFound);
  const rows = await ctx.database.db
    .selectFrom('subjects')
    .select(['instance', 'subject_type', 'partners', 'title'])
    .where('subject_id', '=', parsed.data)
    .orderBy('started_at')
    .orderBy('instance')
    .limit(1000)
    .execute();
  const mine = rows.filter((r) => can(person, action, { partners: parsePartners(r.partners) }));
  // Unknown, or not theirs (a records officer of another partner too): the same 404.
  if (mine.length === 0) throw problem(404, notFound);
  return { id: parsed.data, cases: mine };
}

/** Places a legal hold on a subject the person may hold (POST /records/{id}/holds and the record's page). */
export async function placeHoldAs(ctx: ApiContext, person: Person, rawSubject: string, raw: unknown, key?: string): Promise<Hold> {
  const { id: subject } = await readableCases(ctx, person, 'record.hold', rawSubject);
  const parsed = holdBody.safeParse(raw ?? {});
  if (!parsed.success) throw invalid(parsed.error, 'hold');
  try {
    // With a key (the web form's), the same hold asked twice is one hold: its id is named by the key.
    const holdId = key ? `hold-${keyedDigest(person.id, key, subject, parsed.data.reason).toString('hex').slice(0, 16)}` : undefined;
    const hold = await placeHold(ctx.database, { subjectId: subject, by: person.id, reason: parsed.data.reason, at: new Date().toISOString(), holdId });
    ctx.logger?.info({ subjectId: subject, holdId: hold.id, by: person.id }, 'legal hold placed');
    return hold;
  } catch (err) {
    if (err instanceof HoldRefused) throw problem(422, `Hold rule: ${err.message}`, [{ path: 'reason', message: `Hold rule: ${err.message}` }]);
    throw err;
  }
}

/** Lifts a legal hold, with the reason (POST /records/{id}/holds/{holdId}/lift and the record's page). */
export async function liftHoldAs(ctx: ApiContext, person: Person, rawSubject: string, rawHold: unknown, raw: unknown): Promise<Hold> {
  const { id: subject } = await readableCases(ctx, person, 'record.hold', rawSubject);
  const hold = holdId.safeParse(rawHold);
  if (!hold.success) throw problem(404, `No hold ${String(rawHold).slice(0, 100)} on ${subject}.`);
  const parsed = liftBody.safeParse(raw ?? {});
  if (!parsed.success) throw invalid(parsed.error, 'lift');
  try {
    const lifted = await liftHold(ctx.database, { subjectId: subject, holdId: hold.data, by: person.id, reason: parsed.data.reason, at: new Date().toISOString() });
    ctx.logger?.info({ subjectId: subject, holdId: lifted.id, by: person.id }, 'legal hold lifted');
    return lifted;
  } catch (err) {
    if (err instanceof HoldRefused) throw problem(err.why === 'unknown' ? 404 : 409, err.message);
    throw err;
  }
}

/** The period a records officer may export (GET /api/v1/records and the records search page): their partner's unless they name it. */
export function periodFilterFor(person: Person, q: z.infer<typeof periodQuery>): PeriodFilter {
  authorize(person, 'record.export', {}, '');
  const partner = q.partner ?? person.partner!;
  authorize(person, 'record.export', { partners: [partner] }, '');
  return { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString(), type: q.type, partner };
}

/** A period export reads the record of every subject in it: each is audited before a byte is sent. */
export async function auditPeriod(ctx: ApiContext, reader: Reader, filter: PeriodFilter): Promise<void> {
  const subjects = await subjectsInPeriod(ctx.database.db, filter);
  await auditReads(ctx, reader, subjects.map((of) => ({ of, kind: 'decision-record-period' as const })));
}

/** A period's events as CSV, streamed (the API's `Accept: text/csv` and the records page's download). */
export async function sendPeriodCsv(ctx: ApiContext, res: Response, filter: PeriodFilter, opts: { pageSize?: number; chunkSize?: number } = {}): Promise<void> {
  const sink = new Sink(res, opts.chunkSize);
  res.status(200).set('Cache-Control', 'no-store');
  await streaming(res, ctx, sink, async () => {
    res.type('text/csv; charset=utf-8').set('Content-Disposition', attachment(`records-${filter.partner}-${filter.from.slice(0, 10)}-${filter.to.slice(0, 10)}.csv`));
    await sink.push(csvRow([...csvColumns]));
    const shown = await blindScoring(ctx.database.db);
    for await (const r of rowsInPeriod(ctx.database.db, filter, opts.pageSize ?? 500)) await sink.push(csvOf(shown(r)));
  });
}

/** A subject's record as CSV, every case in order, streamed (the API's `Accept: text/csv` and the record page's download). */
export async function sendRecordCsv(ctx: ApiContext, res: Response, subject: string, cases: { instance: string }[], opts: { pageSize?: number; chunkSize?: number } = {}): Promise<void> {
  const sink = new Sink(res, opts.chunkSize);
  res.status(200).set('Cache-Control', 'no-store');
  await streaming(res, ctx, sink, async () => {
    res.type('text/csv; charset=utf-8').set('Content-Disposition', attachment(`record-${subject}.csv`));
    await sink.push(csvRow([...csvColumns]));
    const shown = await blindScoring(ctx.database.db);
    for (const c of cases) for await (const r of rowsOf(ctx.database.db, subject, c.instance, opts.pageSize ?? 500)) await sink.push(csvOf(shown(r)));
  });
}

export function recordsRouter(ctx: ApiContext, opts: { pageSize?: number; chunkSize?: number } = {}): Router {
  const router = Router();
  const db = ctx.database.db;
  const pageSize = opts.pageSize ?? 500;

  function format(req: Request, types: string[]): string {
    const chosen = req.accepts(types);
    if (!chosen) throw problem(406, `This answers ${types.join(' or ')}; the Accept header asks for neither.`);
    return chosen;
  }

  // Before /:subjectId, so "policies" is never taken for a subject.
  router.get('/policies/:version', async (req, res) => {
    const person = caller(req);
    authorize(person, 'record.policy', {}, '');
    const parsed = policyVersion.safeParse(req.params['version']);
    if (!parsed.success) throw invalid(parsed.error, 'policy version');
    const row = await db.selectFrom('policies').selectAll().where('version', '=', parsed.data).executeTakeFirst();
    if (!row) throw problem(404, `No policy text is kept for version ${parsed.data}.`);
    res.json({ version: row.version, text: row.text, recordedAt: row.recorded_at });
  });

  router.get('/', async (req, res) => {
    const person = caller(req);
    authorize(person, 'record.export', {}, '');
    const parsed = periodQuery.safeParse(req.query);
    if (!parsed.success) throw invalid(parsed.error, 'query');
    const filter = periodFilterFor(person, parsed.data);
    const mediaType = format(req, ['application/x-ndjson', 'text/csv']);
    await auditPeriod(ctx, readerOf(req, 'api'), filter);
    if (mediaType === 'text/csv') return sendPeriodCsv(ctx, res, filter, { pageSize, chunkSize: opts.chunkSize });
    const sink = new Sink(res, opts.chunkSize);
    res.status(200).set('Cache-Control', 'no-store');
    await streaming(res, ctx, sink, async () => {
      res.type('application/x-ndjson; charset=utf-8');
      const shown = await blindScoring(db);
      for await (const r of rowsInPeriod(db, filter, pageSize)) {
        await sink.push(`${JSON.stringify({ subjectId: r.subject_id, subjectType: r.subject_type, instance: r.instance, ...eventOf(shown(r)) })}\n`);
      }
    });
  });

  router.get('/:subjectId', async (req, res) => {
    const person = caller(req);
    const { id: subject, cases } = await readableCases(ctx, person, 'record.read', req.params['subjectId']!);
    const mediaType = format(req, ['application/json', 'text/csv']);
    await auditRead(ctx, readerOf(req, 'api'), subject, mediaType === 'text/csv' ? 'decision-record-csv' : 'decision-record');
    if (mediaType === 'text/csv') return sendRecordCsv(ctx, res, subject, cases, { pageSize, chunkSize: opts.chunkSize });
    const holds = await holdsOf(db, subject);
    const shown = await blindScoring(db);
    const sink = new Sink(res, opts.chunkSize);
    res.status(200).set('Cache-Control', 'no-store');
    await streaming(res, ctx, sink, async () => {
      res.type('application/json');
      await sink.push(`{"subjectId":${JSON.stringify(subject)},"cases":[`);
      for (const [i, c] of cases.entries()) {
        await sink.push(`${i ? ',' : ''}{"instance":${JSON.stringify(c.instance)},"subjectType":${JSON.stringify(c.subject_type)},"events":[`);
        let first = true;
        for await (const r of rowsOf(db, subject, c.instance, pageSize)) {
          await sink.push(`${first ? '' : ','}${JSON.stringify(eventOf(shown(r)))}`);
          first = false;
        }
        await sink.push(']}');
      }
      await sink.push(`],"holds":${JSON.stringify(holds)}}`);
    });
  });

  router.get('/:subjectId/verification', async (req, res) => {
    const person = caller(req);
    const { id: subject, cases } = await readableCases(ctx, person, 'record.read', req.params['subjectId']!);
    const checked = [];
    for (const c of cases) checked.push(await verifyCase(db, subject, c.instance));
    res.set('Cache-Control', 'no-store').json({ subjectId: subject, intact: checked.every((v) => v.intact), cases: checked });
  });

  router.post('/:subjectId/holds', async (req, res) => {
    const hold = await placeHoldAs(ctx, caller(req), req.params['subjectId']!, req.body);
    res.status(201).location(`/api/v1/records/${hold.subjectId}`).json(hold);
  });

  router.post('/:subjectId/holds/:holdId/lift', async (req, res) => {
    res.json(await liftHoldAs(ctx, caller(req), req.params['subjectId']!, req.params['holdId'], req.body));
  });

  // The database away or busy: api/problem.ts's handler answers 503 with Retry-After, as for every route.
  return router;
}
