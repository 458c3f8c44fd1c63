import { Router, type Request, type Response } from 'express';
import type { ApiContext } from '../../api/context';
import { can } from '../../api/permissions';
import { HttpProblem } from '../../api/problem';
import { auditPeriod, liftHoldAs, periodFilterFor, periodQuery, placeHoldAs, readableCases, sendPeriodCsv, sendRecordCsv } from '../../api/records';
import { auditRead, readerOf } from '../../api/accessAudit';
import { retainedTypes } from '../../domain/partnership';
import { checkCsrf } from '../middleware/csrf';
import { formBody } from '../middleware/forms';
import { requireSignedIn } from '../middleware/signedIn';
import { recordPage, searchRecord, searchValues } from '../services/records';
import { echoedValues } from '../services/taskForm';
import { newKey } from '../services/commissions';

const notFound = (res: Response): void => void res.status(404).render('notFound', { title: 'Page not found' });
const banners: Record<string, string> = { held: 'The legal hold is placed: this record is not disposed of while it stands.', lifted: 'The hold is lifted. The record keeps who placed and lifted it, and why.' };

/**
 * The decision record for records officers (everyone else: the 404 page): search a period,
 * a subject's record, CSV downloads and legal holds, with the API's own code and rules.
 */
export function recordsPagesRouter(ctx: ApiContext): Router {
  const router = Router();
  router.use('/records', requireSignedIn, (req, res, next) => (can(req.person!, 'record.policy') ? next() : notFound(res)));
  const csrf = checkCsrf(ctx.publicBaseUrl);

  router.get('/records', async (req, res) => {
    const values = searchValues(req.query);
    if (values['subject']) return res.redirect(303, `/records/${encodeURIComponent(values['subject'].slice(0, 200))}`);
    const searched = req.query['from'] !== undefined;
    const result = searched ? await searchRecord(ctx, readerOf(req, 'web'), values) : undefined;
    res.status(result?.errors.length ? 400 : 200).render('records/search', { title: 'The decision record', values, types: retainedTypes, result, errors: result?.errors ?? [], fieldErrors: result?.fields ?? {} });
  });

  // The same CSV as GET /api/v1/records with Accept: text/csv.
  router.get('/records/export.csv', async (req, res) => {
    const parsed = periodQuery.safeParse({ from: req.query['from'], to: req.query['to'], ...(req.query['type'] ? { type: req.query['type'] } : {}) });
    if (!parsed.success) return res.redirect(303, `/records?${new URLSearchParams(searchValues(req.query))}`);
    const filter = periodFilterFor(req.person!, parsed.data);
    await auditPeriod(ctx, readerOf(req, 'web'), filter);
    await sendPeriodCsv(ctx, res, filter);
  });

  async function showRecord(req: Request, res: Response, status = 200, values: Record<string, unknown> = {}, error?: { field: string; text: string }): Promise<void> {
    const page = await recordPage(ctx, readerOf(req, 'web'), String(req.params['subjectId']));
    const done = typeof req.query['done'] === 'string' ? banners[req.query['done']] : undefined;
    res.status(status).render('records/record', {
      title: `Record of ${page.title}`,
      page,
      values: echoedValues(values),
      formKey: newKey(),
      errors: error ? [{ text: error.text, href: `#${error.field}` }] : [],
      fieldErrors: error ? { [error.field]: error.text } : {},
      success: status === 200 ? done : undefined,
    });
  }

  router.get('/records/:subjectId', (req, res) => showRecord(req, res));

  // The same CSV as GET /api/v1/records/{subjectId} with Accept: text/csv.
  router.get('/records/:subjectId/record.csv', async (req, res) => {
    const { id, cases } = await readableCases(ctx, req.person!, 'record.read', req.params.subjectId);
    await auditRead(ctx, readerOf(req, 'web'), id, 'decision-record-csv');
    await sendRecordCsv(ctx, res, id, cases);
  });

  const refusal = (err: unknown, field: string): { field: string; text: string } | undefined => {
    if (!(err instanceof HttpProblem) || err.status >= 500 || err.status === 404) return undefined;
    const text = err.errors?.[0]?.message ?? err.detail;
    return { field, text: text.charAt(0).toUpperCase() + text.slice(1) };
  };

  router.post('/records/:subjectId/holds', formBody, csrf, async (req, res) => {
    const subject = String(req.params['subjectId']);
    const { reason, key } = req.body as { reason?: unknown; key?: unknown };
    try {
      // Safe to submit twice: the form's key names one hold, placed once.
      await placeHoldAs(ctx, req.person!, subject, { reason: typeof reason === 'string' ? reason : '' }, typeof key === 'string' ? key : undefined);
    } catch (err) {
      const shown = refusal(err, 'reason');
      if (shown) return showRecord(req, res, (err as HttpProblem).status, req.body as Record<string, unknown>, shown);
      throw err;
    }
    res.redirect(303, `/records/${encodeURIComponent(subject)}?done=held`);
  });

  router.post('/records/:subjectId/holds/:holdId/lift', formBody, csrf, async (req, res) => {
    const subject = String(req.params['subjectId']);
    const reason = (req.body as { reason?: unknown }).reason;
    const field = `lift-${String(req.params['holdId']).replace(/[^a-z0-9-]/g, '')}`;
    try {
      await liftHoldAs(ctx, req.person!, subject, req.params['holdId'], { reason: typeof reason === 'string' ? reason : '' });
    } catch (err) {
      const shown = refusal(err, field);
      if (shown) return showRecord(req, res, (err as HttpProblem).status, { [field]: reason }, shown);
      throw err;
    }
    res.redirect(303, `/records/${encodeURIComponent(subject)}?done=lifted`);
  });

  return router;
}
