import type { ApiContext } from '../../api/context';
import { blindScoring, periodFilterFor, periodQuery, readableCases } from '../../api/records';
import { auditRead, auditReads, listedUnder, type Reader } from '../../api/accessAudit';
import { READS_PAGE, readsOf, type ReadKind } from '../../db/accessAudit';
import { holdsOf } from '../../db/holds';
import { rowsInPeriod, rowsOf, verifyCase, type PeriodFilter, type RecordRow } from '../../db/record';
import { verbs } from '../../api/timeline';
import { commissionIdOfEvaluation } from '../../domain/evaluation';
import { biddersOf, decidedInWords, kindLabel, partnerName, personName, textInWords } from './words';

/** How many events a page shows; the CSV download has every one. */
export const SHOWN = 100;

const channels: Record<string, string> = { api: 'API', email: 'Emailed link', web: 'Web service' };

/** An event of the record in words: who (for which partner, acting for whom), when, how, what and why. */
function eventRow(ctx: ApiContext, r: RecordRow, bidders: readonly { id: string; name: string }[] = []) {
  const p = ctx.partnership;
  return {
    subjectId: r.subject_id,
    subjectType: r.subject_type,
    seq: r.seq,
    at: r.at,
    // In words: "a task was opened", not task-opened; ids and instants in the details as names and UK dates.
    event: textInWords(p, verbs[r.event] ?? kindLabel(r.event)),
    who: r.by_person ? `${personName(p, r.by_person)}${r.partner ? ` (${partnerName(p, r.partner)})` : ''}${r.acting_for ? `, acting for ${personName(p, r.acting_for)}` : ''}` : r.partner ? partnerName(p, r.partner) : 'The system',
    channel: r.channel ? (channels[r.channel] ?? r.channel) : '',
    what: r.what ? (r.event === 'task-decided' ? decidedInWords : (s: string) => s)(textInWords(p, r.what, bidders)) : '',
    reason: r.reason ?? '',
  };
}

const today = () => new Date().toISOString().slice(0, 10);
const daysFrom = (date: string, days: number) => new Date(Date.parse(date) + days * 86_400_000).toISOString().slice(0, 10);

/** The search form's values: the last 30 days of the officer's partner unless they chose otherwise. */
export function searchValues(query: Record<string, unknown>): Record<string, string> {
  const text = (k: string) => (typeof query[k] === 'string' ? (query[k] as string).trim() : '');
  return { type: text('type'), from: text('from') || daysFrom(today(), -30), to: text('to') || daysFrom(today(), 1), subject: text('subject') };
}

/**
 * A period of the officer's partner's record (the same query and rules as GET /api/v1/records):
 * the first events and how to download all; or the query's problems beside their fields.
 */
export async function searchRecord(ctx: ApiContext, reader: Reader, values: Record<string, string>) {
  const person = reader.person;
  const parsed = periodQuery.safeParse({ from: values['from'], to: values['to'], ...(values['type'] ? { type: values['type'] } : {}) });
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const i of parsed.error.issues) {
      const id = String(i.path[0] ?? 'from');
      fields[id] ??= id === 'type' ? 'Choose a kind of subject from the list' : /real date|ISO|Invalid/i.test(i.message) ? 'Enter a real date' : i.message.charAt(0).toUpperCase() + i.message.slice(1);
    }
    return { errors: Object.entries(fields).map(([id, text]) => ({ text, href: `#${id}` })), fields, rows: [], more: false, csv: undefined };
  }
  const filter: PeriodFilter = periodFilterFor(person, parsed.data);
  const rows = [];
  let more = false;
  const shown = await blindScoring(ctx.database.db);
  for await (const r of rowsInPeriod(ctx.database.db, filter, SHOWN + 1)) {
    if (rows.length === SHOWN) {
      more = true;
      break;
    }
    rows.push(eventRow(ctx, shown(r)));
  }
  // Each subject whose record the page shows is read: audited before the page is.
  await auditReads(ctx, reader, [...new Set(rows.map((r) => r.subjectId))].map((of) => ({ of, kind: 'decision-record-period' as const })));
  const csv = `/records/export.csv?${new URLSearchParams({ from: values['from']!, to: values['to']!, ...(values['type'] ? { type: values['type'] } : {}) })}`;
  return { errors: [], fields: {}, rows, more, csv, partner: partnerName(ctx.partnership, filter.partner!) };
}

const readWords: Record<ReadKind, string> = {
  referral: 'The referral',
  'referral-timeline': "The referral's timeline",
  'referral-list': 'The referral, in a list or the panel\'s agenda',
  evaluation: 'The evaluation panel',
  task: 'A task',
  'decision-record': 'The decision record',
  'decision-record-csv': 'The decision record, as CSV',
  'decision-record-period': 'The decision record, in a period export',
};

/**
 * A subject's record as a records officer of one of its partners reads it (404 for anyone else):
 * the read audited first, and who has read the subject (the access audit), newest first.
 */
export async function recordPage(ctx: ApiContext, reader: Reader, subjectId: string) {
  const { id, cases } = await readableCases(ctx, reader.person, 'record.read', subjectId);
  await auditRead(ctx, reader, id, 'decision-record');
  const { subjectId: under, subjectType } = listedUnder(id);
  const audit = await readsOf(ctx.database.db, under, { limit: READS_PAGE.default });
  const p = ctx.partnership;
  const reads = audit.rows.map((r) => ({
    at: r.at,
    who: `${personName(p, r.person)}${r.partner ? ` (${partnerName(p, r.partner)})` : ''}`,
    what: `${readWords[r.kind as ReadKind] ?? r.kind}${r.read_of !== under ? ` (${r.read_of})` : ''}`,
    channel: channels[r.channel] ?? r.channel,
    address: r.address ?? '',
  }));
  const out = [];
  // A commission's and its panel's record name the panel's bidders by their ids.
  const bidders = /^j[ce]-/.test(id) ? await biddersOf(ctx, id.startsWith('je-') ? commissionIdOfEvaluation(id) : id) : [];
  const shown = await blindScoring(ctx.database.db);
  for (const c of cases) {
    const events = [];
    for await (const r of rowsOf(ctx.database.db, id, c.instance)) events.push(eventRow(ctx, shown(r), bidders));
    const verified = await verifyCase(ctx.database.db, id, c.instance);
    out.push({ instance: c.instance, type: c.subject_type, title: c.title, events, intact: verified.intact, firstBroken: verified.firstBroken });
  }
  const holds = (await holdsOf(ctx.database.db, id)).map((h) => ({ ...h, placedByName: personName(ctx.partnership, h.placedBy), liftedByName: h.liftedBy ? personName(ctx.partnership, h.liftedBy) : '' }));
  return { id, title: cases.at(-1)?.title ?? id, cases: out, holds, reads, readsUnder: under, readsApi: `/api/v1/${subjectType}s/${under}/reads`, moreReads: audit.next !== undefined };
}
