import type { Request, Response } from 'express';
import { z } from 'zod';
import { READS_PAGE, readKinds, readsOf, recordReads, type AccessRead, type ReadKind, type ReadsCursor } from '../db/accessAudit';
import { commissionIdOfEvaluation } from '../domain/evaluation';
import type { Person } from '../domain/partnership';
import { caller } from './auth';
import type { ApiContext } from './context';
import { authorize } from './permissions';
import { invalid, problem } from './problem';
import { subjectTypeOf } from './subjects';

/**
 * The access audit (DOMAIN.md, Records): each read of a child's referral, an evaluation panel's
 * record or a subject's decision record by a person, through the API or the staff web service, is
 * recorded before it is answered. A read that cannot be recorded is refused (503, try again): an
 * unaudited read of a child's record is what the rule forbids, so failing closed is the rule's
 * own choice. The cost is one indexed INSERT per read (a period export: one per subject in it).
 */
export interface Reader {
  person: Person;
  channel: 'api' | 'web';
  address?: string | undefined;
}

/** Who is reading, through which channel, from which address (Express's `req.ip`, which honours TRUST_PROXY). */
export function readerOf(req: Request, channel: Reader['channel']): Reader {
  return { person: caller(req), channel, address: req.ip };
}

/** The subject a read of `id` is listed under: an evaluation panel's under its commission. */
export function listedUnder(id: string): { subjectId: string; subjectType: AccessRead['subjectType'] } {
  const type = subjectTypeOf(id);
  // An id of none of the subjects' forms (a record imported from before): audited under itself.
  if (!type) return { subjectId: id, subjectType: 'other' };
  if (type === 'evaluation') return { subjectId: commissionIdOfEvaluation(id), subjectType: 'commission' };
  return { subjectId: id, subjectType: type };
}

/** Records the reads (all, in one go), or refuses them: 503 naming the rule, nothing logged about who. */
export async function auditReads(ctx: Pick<ApiContext, 'database' | 'logger'>, reader: Reader, reads: { of: string; kind: ReadKind; subject?: string | undefined }[]): Promise<void> {
  const at = new Date().toISOString();
  const rows = reads.flatMap(({ of, kind, subject }) => {
    return [{ ...listedUnder(subject ?? of), readOf: of, kind, person: reader.person.id, partner: reader.person.partner, channel: reader.channel, address: reader.address, at }];
  });
  try {
    await recordReads(ctx.database.db, rows);
  } catch (err) {
    // Who read what stays out of the log: only that the audit could not be written, and why.
    ctx.logger?.error({ err: { name: (err as Error)?.name, code: (err as { code?: string })?.code } }, 'access audit not written; the read was refused');
    throw problem(503, 'Access audit rule: every read of a referral, an evaluation or a decision record is recorded first, and the record of this read could not be written just now, so the read is refused. Try again in a moment.', undefined, { 'Retry-After': '5' });
  }
}

/** A task of a referral or of an evaluation panel shows the child's case or the panel's record: its reads are audited. */
export async function auditTaskRead(ctx: Pick<ApiContext, 'database' | 'logger'>, reader: Reader, taskId: string, subjectId: string): Promise<void> {
  const type = subjectTypeOf(subjectId);
  if (type === 'referral' || type === 'evaluation') await auditRead(ctx, reader, taskId, 'task', subjectId);
}

/** Records one read (see auditReads): of a subject, or of a thing of it (a task) with its subject named. */
export function auditRead(ctx: Pick<ApiContext, 'database' | 'logger'>, reader: Reader, of: string, kind: ReadKind, subject?: string): Promise<void> {
  return auditReads(ctx, reader, [{ of, kind, subject }]);
}

/** GET /api/v1/{referrals|commissions|disputes}/{id}/reads: a page of who read the subject, newest first. */
export const readsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(READS_PAGE.max).default(READS_PAGE.default).describe(`how many reads a page holds (1 to ${READS_PAGE.max}; ${READS_PAGE.default} unless given)`),
    cursor: z.string().max(200).regex(/^[A-Za-z0-9_-]+$/, 'the cursor of the page before, as `next` gave it').optional().describe('where the page starts: `next` of the page before'),
  })
  .strict();

export const accessReadSchema = z.object({
  at: z.string().describe('ISO 8601 date-time of the read'),
  person: z.string().describe('who read it (a person id of the partnership)'),
  partner: z.string().nullable().describe('their partner'),
  kind: z.enum(readKinds).describe('what kind of read: the subject, its timeline, its evaluation panel, one of its tasks, or its decision record (as JSON, as CSV, or in a period export)'),
  readOf: z.string().describe('what exactly was read: the subject, its panel, one of its tasks'),
  channel: z.enum(['api', 'web']),
  address: z.string().nullable().describe('the address the request came from'),
});
export const accessReadsSchema = z.object({
  subjectId: z.string(),
  reads: z.array(accessReadSchema),
  next: z.string().optional().describe('the URL of the next page; absent on the last'),
});

const encodeCursor = (c: ReadsCursor): string => Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
function decodeCursor(raw: string): ReadsCursor | undefined {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && v[0].length <= 40 && /^[0-9a-f]{24}$/.test(v[1])) return { at: v[0], id: v[1] };
  } catch {
    // Not one of ours: refused below.
  }
  return undefined;
}

/** A page of a subject's reads for a records officer of a partner it involves (others: 404, as for its record). */
export async function readsPage(ctx: Pick<ApiContext, 'database'>, person: Person, type: 'referral' | 'commission' | 'dispute', id: string, query: unknown) {
  const parsed = readsQuery.safeParse(query ?? {});
  if (!parsed.success) throw invalid(parsed.error, 'query');
  const after = parsed.data.cursor === undefined ? undefined : decodeCursor(parsed.data.cursor);
  // Well formed but not one of ours: a rule the document's schema cannot express, so 422 (400 is for what the schema refuses).
  if (parsed.data.cursor !== undefined && !after) throw problem(422, 'Cursor rule: not a cursor this API gave; use `next` of the page before.', [{ path: 'cursor', message: 'not a cursor this API gave: use `next` of the page before' }]);
  const notFound = `No record of ${type} ${id.slice(0, 200)} that you may read.`;
  if (subjectTypeOf(id) !== type) throw problem(404, notFound);
  const cases = await ctx.database.db.selectFrom('subjects').select(['partners']).where('subject_id', '=', id).execute();
  const partners = [...new Set(cases.flatMap((c) => JSON.parse(c.partners) as string[]))];
  if (!cases.length) throw problem(404, notFound);
  authorize(person, 'record.reads', { partners }, notFound);
  const page = await readsOf(ctx.database.db, id, { limit: parsed.data.limit, after });
  return {
    subjectId: id,
    reads: page.rows.map((r) => ({ at: r.at, person: r.person, partner: r.partner, kind: r.kind as ReadKind, readOf: r.read_of, channel: r.channel as 'api' | 'web', address: r.address })),
    ...(page.next ? { next: `/api/v1/${type}s/${id}/reads?${new URLSearchParams({ limit: String(parsed.data.limit), cursor: encodeCursor(page.next) })}` } : {}),
  };
}

/** The route, for the commissions', disputes' and referrals' routers. */
export const readsRoute = (ctx: ApiContext, type: 'referral' | 'commission' | 'dispute') => async (req: Request, res: Response) => {
  res.set('Cache-Control', 'no-store').json(await readsPage(ctx, caller(req), type, String(req.params['id']), req.query));
};
