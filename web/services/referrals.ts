import type { ApiContext } from '../../api/context';
import { auditReads, type Reader } from '../../api/accessAudit';
import { timelineOnPage } from './timeline';
import { askedOf, textInWords } from './words';
import { HttpProblem } from '../../api/problem';
import { referralsFor, referralTimeline } from '../../api/referrals';
import { tasksOf } from '../../db/readModels';
import type { Person } from '../../domain/partnership';
import { localities, needs, newReferralRequestSchema, type ReferralStatus, type ReferralView } from '../../domain/referral';
import { missingFrom, REFERRAL_TASK_KINDS } from '../../domain/referralRules';
import type { Task } from '../../domain/task';
import { partnerName, personName } from './words';

/** A referral's status as the panel says it. */
export const statusLabel: Record<ReferralStatus, string> = {
  positions: 'Waiting for positions',
  'awaiting-panel': 'Waiting for the panel',
  disputed: 'Split disputed',
  deferred: 'Deferred',
  approved: 'Approved',
  'approved-with-conditions': 'Approved with conditions',
  declined: 'Declined',
  'under-review': 'Under review',
  ended: 'Ended',
  withdrawn: 'Withdrawn',
};
export const needLabel: Record<string, string> = { health: 'Health', education: 'Education', 'social-care': 'Social care' };
export const outcomeLabel: Record<string, string> = { approve: 'Approved', 'approve-with-conditions': 'Approved with conditions', defer: 'Deferred for more information', decline: 'Declined' };

/** Whether the person may refer a case at all (the API's rule then checks the partners of the split). */
export const mayRefer = (person: Person): boolean => person.partner !== undefined && (person.roles.includes('commissioner') || person.roles.includes('rap-member'));
export const isChair = (person: Person): boolean => person.roles.includes('rap-chair');

/** The referral form's fields, as the page names them (ids for the error summary's links). */
export interface ReferralForm {
  caseRef?: string;
  locality?: string;
  needs?: string | string[];
  packageDescription?: string;
  annualCost?: string;
  urgent?: string;
  [split: `split.${string}`]: string | undefined;
}

/** A number as people type it in a form: "£210,000" or "50"; undefined when empty, NaN when not a number. */
const typedNumber = (v: unknown): number | undefined => {
  const s = typeof v === 'string' ? v.replace(/[£,\s%]/g, '') : '';
  if (!s) return undefined;
  return /^\d+(\.\d+)?$/.test(s) ? Number(s) : Number.NaN;
};

/**
 * The form read into the body of POST /api/v1/referrals, so the API's one schema and rules judge
 * it. Only what a form cannot say by itself (a number that is not one) is refused here.
 */
export function referralRequestFrom(ctx: ApiContext, form: Record<string, unknown>): { body: Record<string, unknown>; errors: { path: string; message: string }[] } {
  const errors: { path: string; message: string }[] = [];
  const cost = typedNumber(form['annualCost']);
  if (Number.isNaN(cost)) errors.push({ path: 'annualCost', message: 'Enter the annual cost in pounds as a number, such as 210000' });
  const split: Record<string, number> = {};
  for (const p of ctx.partnership.partners) {
    const share = typedNumber(form[`split.${p.id}`]);
    if (share === undefined) continue;
    if (Number.isNaN(share)) errors.push({ path: `proposedSplit.${p.id}`, message: `Enter ${p.name}'s share as a percentage, such as 50` });
    else split[p.id] = share;
  }
  const chosen = form['needs'];
  const body = {
    caseRef: typeof form['caseRef'] === 'string' ? form['caseRef'] : '',
    ...(typeof form['locality'] === 'string' && form['locality'] ? { locality: form['locality'] } : {}),
    needs: Array.isArray(chosen) ? chosen : typeof chosen === 'string' ? [chosen] : [],
    packageDescription: typeof form['packageDescription'] === 'string' ? form['packageDescription'] : '',
    ...(cost !== undefined && !Number.isNaN(cost) ? { annualCost: cost } : {}),
    proposedSplit: split,
    urgent: form['urgent'] === 'yes',
  };
  if (cost === undefined) errors.push({ path: 'annualCost', message: 'Enter the annual cost of the package in pounds' });
  // The API's own schema says what else is wrong, so every problem is shown at once.
  const checked = newReferralRequestSchema().safeParse(body);
  const reported = new Set(errors.map((e) => e.path.split('.')[0]));
  if (!checked.success) for (const i of checked.error.issues) if (!reported.has(String(i.path[0]))) errors.push({ path: i.path.join('.'), message: i.message });
  return { body, errors };
}

/** A rule's words with partners by their names, not their ids (`lsc-icb`), first letter capital. */

/** The field of the form a refusal's path is about: its element id on the page. */
export function fieldOf(ctx: ApiContext, path: string): string {
  const [head, rest] = [path.split(/[.[]/)[0] ?? '', path.split('.').slice(1).join('.')];
  if (head === 'proposedSplit') return `split-${rest && ctx.partnership.partners.some((p) => p.id === rest) ? rest : ctx.partnership.partners[0]!.id}`;
  return ['caseRef', 'locality', 'needs', 'packageDescription', 'annualCost', 'urgent'].includes(head) ? head : 'caseRef';
}

/**
 * A refusal of the referral as the page shows it: each problem beside its field and in the error
 * summary. A rule with no field of its own (the locality rule, who may refer) is about the split.
 */
export function referralErrors(ctx: ApiContext, err: HttpProblem | { path: string; message: string }[]): { summary: { text: string; href: string }[]; fields: Record<string, string> } {
  const list = Array.isArray(err)
    ? err
    : err.errors?.length && (err.status === 400 || err.status === 422)
      ? err.errors
      : [{ path: err.status === 409 ? 'caseRef' : 'proposedSplit', message: err.status === 409 ? 'This case already has an open referral: a case is referred again only once its referral has ended, been declined or withdrawn.' : err.detail }];
  const fields: Record<string, string> = {};
  const summary = list.map((e) => {
    const id = fieldOf(ctx, e.path);
    const text = textInWords(ctx.partnership, e.message);
    fields[id] = fields[id] ? `${fields[id]} ${text}` : text;
    return { text, href: `#${id}` };
  });
  return { summary, fields };
}

export const formChoices = { localities, needs };

/** The referrals list: the API's list, in words. */
export async function referralList(ctx: ApiContext, reader: Reader, status?: ReferralStatus) {
  const items = await referralsFor(ctx, reader.person, { status });
  await auditReads(ctx, reader, items.map((i) => ({ of: i.id, kind: 'referral-list' as const })));
  return items.map((i) => ({
    id: i.id,
    caseRef: i.caseRef,
    status: i.status,
    statusLabel: statusLabel[i.status as ReferralStatus] ?? i.status,
    funders: i.fundingPartners.map((p) => partnerName(ctx.partnership, p)).join(', '),
    panelAt: i.panelAt,
    startedAt: i.startedAt,
    urgent: i.view.urgent,
  }));
}

const splitWords = (ctx: ApiContext, split: Record<string, number> | undefined): string =>
  split ? Object.entries(split).map(([p, n]) => `${partnerName(ctx.partnership, p)} ${n}%`).join(', ') : '';

/** Each funding partner's position, side by side: one column per partner, as the panel compares them. */
function positionsSideBySide(ctx: ApiContext, view: Pick<ReferralView, 'fundingPartners' | 'positions'>) {
  return view.fundingPartners.map((p) => {
    const pos = view.positions.find((x) => x.partner === p);
    return {
      partner: partnerName(ctx.partnership, p),
      stance: pos ? (pos.stance === 'agree' ? 'Agrees' : 'Proposes another split') : 'No position yet',
      recorded: !!pos,
      split: pos ? splitWords(ctx, pos.split) : '',
      by: pos ? personName(ctx.partnership, pos.by) : '',
      at: pos?.at,
      reasons: pos?.reasons ?? '',
    };
  });
}

const taskRow = (ctx: ApiContext, t: Task) => ({
  id: t.id,
  title: textInWords(ctx.partnership, t.title),
  kind: t.kind,
  dueAt: t.dueAt,
  askedOf: askedOf(ctx.partnership, t),
});

/** Everything a referral's page shows: its facts, positions side by side, open tasks, decisions and timeline. */
export function referralPage(ctx: ApiContext, view: ReferralView) {
  const p = ctx.partnership;
  const timeline = referralTimeline(ctx, view);
  return {
    view,
    statusLabel: statusLabel[view.status] ?? view.status,
    facts: [
      { key: 'Case reference', value: view.caseRef },
      { key: 'Locality', value: `${view.locality} (served by ${partnerName(p, view.icb)})` },
      { key: 'Needs', value: view.needs.map((n) => needLabel[n] ?? n).join(', ') },
      { key: 'Package', value: view.packageDescription },
      { key: 'Annual cost', value: `£${view.annualCost.toLocaleString('en-GB')}` },
      { key: 'Proposed split', value: splitWords(ctx, view.proposedSplit) },
      ...(view.agreedSplit ? [{ key: 'Agreed split', value: splitWords(ctx, view.agreedSplit) }] : []),
      { key: 'Urgent', value: view.urgent ? 'Yes' : 'No' },
      { key: 'Referred by', value: personName(p, view.referredBy) },
    ],
    positions: positionsSideBySide(ctx, view),
    decisions: view.decisions.map((d) => ({ outcome: outcomeLabel[d.outcome] ?? d.outcome, by: personName(p, d.by), at: d.at, split: splitWords(ctx, d.split), conditions: d.conditions, reasons: d.reasons, returnDate: d.returnDate })),
    openTasks: view.openTasks.map((t) => taskRow(ctx, t)),
    timeline: timelineOnPage(ctx.partnership, view.history),
    hoursToDecision: timeline.hoursToDecision,
  };
}

/** Statuses a referral waits for the panel in. */
const beforePanel: ReferralStatus[] = ['positions', 'awaiting-panel', 'disputed'];

/** The UK date of an instant, "YYYY-MM-DD". */
const ukDateOf = (iso: string): string => new Date(iso).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

/**
 * The chair's agenda: the referrals waiting for a panel, by the meeting they are listed for,
 * earliest first (the next panel; a meeting already held whose decisions are not yet recorded
 * comes first), each with its quorum, positions side by side and the chair's decision task.
 */
export async function panelAgenda(ctx: ApiContext, reader: Reader, now = Date.now()) {
  const items = (await referralsFor(ctx, reader.person, {}, 500)).filter((i) => beforePanel.includes(i.status as ReferralStatus) && i.panelAt);
  await auditReads(ctx, reader, items.map((i) => ({ of: i.id, kind: 'referral-list' as const })));
  const today = ukDateOf(new Date(now).toISOString());
  const meetings = new Map<string, Awaited<ReturnType<typeof agendaItem>>[]>();
  for (const i of items.sort((a, b) => a.panelAt!.localeCompare(b.panelAt!))) {
    const day = ukDateOf(i.panelAt!);
    meetings.set(day, [...(meetings.get(day) ?? []), await agendaItem(i)]);
  }
  async function agendaItem(i: (typeof items)[number]) {
    const tasks = await tasksOf(ctx.database.db, i.id, i.instance);
    const decision = tasks.find((t) => t.kind === REFERRAL_TASK_KINDS.panel && t.status === 'open');
    const missing = missingFrom(i.view.positions, i.view.fundingPartners);
    return {
      id: i.id,
      caseRef: i.caseRef,
      statusLabel: statusLabel[i.status as ReferralStatus] ?? i.status,
      urgent: i.view.urgent,
      panelAt: i.panelAt!,
      annualCost: `£${i.view.annualCost.toLocaleString('en-GB')}`,
      quorum: missing.length ? `No position yet from ${missing.map((m) => partnerName(ctx.partnership, m)).join(', ')}` : 'Every funding partner has a position',
      quorate: missing.length === 0,
      positions: positionsSideBySide(ctx, i.view),
      agreedSplit: splitWords(ctx, i.view.agreedSplit),
      decisionTask: decision?.id,
    };
  }
  return [...meetings.entries()].map(([day, referrals]) => ({ day, met: day <= today, at: referrals[0]!.panelAt, referrals }));
}
