import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ApiContext } from '../../api/context';
import { commissionPlan, listCommissions, readCommissionAs } from '../../api/commissions';
import { can } from '../../api/permissions';
import { listQuery } from '../../api/schemas';
import { readEvaluation } from '../../api/subjects';
import { coversNow, mayDecide } from '../../api/tasks';
import { leadStatuses, newCommissionRequestSchema, stageNames, stages, type CommissionView, type NewCommissionRequest } from '../../domain/commission';
import type { EvaluationView } from '../../domain/evaluation';
import type { WaitingOn } from '../../domain/liveness';
import { highRiskFactors, highRiskFactorIds, type ProportionalityInput } from '../../domain/proportionality';
import type { Person } from '../../domain/partnership';
import { ukDateTime } from '../../activities/mail';
import { timelineOnPage, type TimelineEntry } from './timeline';
import { awaitedName, kindLabel, partnerName, partnerNames, personName, personNames, stillAwaiting, textInWords } from './words';

/* ------------------------------------------------------------------ words */


export const leadStatusLabel: Record<string, string> = { proposed: 'Proposed, awaiting agreement', agreed: 'Agreed', disputed: 'Disputed', decided: 'Decided by the dispute' };

const regimeLabel: Record<string, string> = {
  'procurement-act': 'Procurement Act 2023',
  'light-touch': "Procurement Act 2023, light-touch regime",
  'provider-selection-regime': 'Provider Selection Regime',
};
const procurementLabel: Record<string, string> = { none: 'None required', quotes: 'Quotes obtained by the procurement service', 'sourcing-strategy': 'Sourcing strategy with the procurement service' };
const standstillLabel: Record<string, string> = {
  'procurement-act': '8 working days (Procurement Act)',
  'provider-selection-regime': '8 working days (Provider Selection Regime)',
  voluntary: 'Voluntary standstill',
  none: 'None',
};

export const pounds = (n: number): string => `£${n.toLocaleString('en-GB', { maximumFractionDigits: 2 })}`;

/** What a case waits on, in words, with its names (never ids). */
export interface WaitingLine {
  text: string;
  /** A task this person may open. */
  taskId?: string | undefined;
  dueAt?: string | undefined;
}

/** `bidders`: the evaluation panel's, so the award's task ("Award the contract to acme-care") names them. */
export function waitingLines(ctx: ApiContext, waiting: WaitingOn[], bidders: readonly { id: string; name: string }[] = []): WaitingLine[] {
  const p = ctx.partnership;
  return waiting.map((w): WaitingLine => {
    switch (w.kind) {
      case 'task': {
        const who = w.awaiting?.length ? w.awaiting.map((a) => awaitedName(p, a.party, a.people)).join(', ') : personNames(p, w.people);
        return { text: `${textInWords(p, w.title, bidders)}: waiting for ${who || 'nobody named'}`, taskId: w.taskId, dueAt: w.dueAt };
      }
      case 'date':
        return { text: w.for, dueAt: w.at };
      case 'action':
        return { text: `${personNames(p, w.people)}: ${w.for}` };
      case 'subject':
        return { text: w.for };
      default:
        return { text: 'the system' };
    }
  });
}

/* ------------------------------------------------------------------ the list */

/** The list's filters and page, from the query string: the API's list query, as a form sends it (blank = any). */
export const commissionsQuery = z.object({
  stage: z.union([z.literal(''), z.enum(stages)]).optional(),
  partner: z.union([z.literal(''), z.string().regex(/^[a-z0-9-]{1,60}$/)]).optional(),
  leadStatus: z.union([z.literal(''), z.enum(leadStatuses)]).optional(),
  overdue: z.union([z.literal(''), z.enum(['true', 'false'])]).optional(),
  title: z.union([z.literal(''), z.string().trim().max(100)]).optional(),
  cursor: z.string().max(4000).regex(/^[A-Za-z0-9_-]*$/).optional(),
});
export type CommissionsQuery = z.infer<typeof commissionsQuery>;

export const LIST_PAGE_SIZE = 20;

/** The commissions the person may list (the API's rule and read model), a page at a time. */
export async function commissionsList(ctx: ApiContext, person: Person, q: CommissionsQuery) {
  // Blank filters are "any"; the rest are read by the API's own list query (a title it would refuse is an error to show).
  const given = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== '' && v !== undefined));
  const parsed = listQuery.safeParse({ ...given, limit: LIST_PAGE_SIZE });
  const api = parsed.success ? parsed.data : listQuery.parse({ limit: LIST_PAGE_SIZE });
  const { items, nextCursor } = await listCommissions(ctx, person, api);
  const now = Date.now();
  const rows = items.map((c) => ({
    id: c.id,
    title: c.title ?? c.id,
    partners: partnerNames(ctx.partnership, c.partners),
    lead: c.lead.partner ? partnerName(ctx.partnership, c.lead.partner) : '',
    leadStatus: c.lead.status ? (leadStatusLabel[c.lead.status] ?? c.lead.status) : '',
    stage: stageNames[c.stage] ?? c.stage,
    waiting: waitingLines(ctx, c.waitingOn).slice(0, 2),
    more: Math.max(0, c.waitingOn.length - 2),
    nextDueAt: c.nextDueAt,
    overdue: c.nextDueAt !== null && Date.parse(c.nextDueAt) < now,
  }));
  return { rows, nextCursor, refused: !parsed.success };
}

/* ------------------------------------------------------------------ starting one */

/** The facts the form asks about the service, as its checkboxes name them. */
const serviceFacts = ['healthCareService', 'socialCareService', 'unusualTerms', 'voluntaryStandstill'] as const;

/** The form's values as typed: strings and lists, each bounded, to show again and to carry to the check page. */
export interface CommissionFormValues {
  title: string;
  description: string;
  partners: string[];
  proposedLead: string;
  estimatedValue: string;
  highRiskFactors: string[];
  facts: string[];
  urgent: string;
  urgentJustification: string;
  /** The idempotency key of this one start, made when the form is first shown and carried to the end. */
  key: string;
}

const text = (v: unknown, max = 10_000): string => (typeof v === 'string' ? v.slice(0, max) : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string').slice(0, 50).map((x) => x.slice(0, 100));

export const newKey = (): string => `web-${randomBytes(16).toString('base64url')}`;

export function formValues(body: Record<string, unknown>): CommissionFormValues {
  const key = text(body['key'], 200);
  return {
    title: text(body['title'], 1000),
    description: text(body['description'], 20_000),
    partners: list(body['partners']),
    proposedLead: text(body['proposedLead'], 100),
    estimatedValue: text(body['estimatedValue'], 100),
    highRiskFactors: list(body['highRiskFactors']),
    facts: list(body['facts']),
    urgent: text(body['urgent'], 10),
    urgentJustification: text(body['urgentJustification'], 20_000),
    key: /^[\x21-\x7e]{1,200}$/.test(key) ? key : newKey(),
  };
}

export const emptyForm = (): CommissionFormValues => formValues({});

/** A refusal beside its field: the error summary links to `#field`, the field shows the text. */
export interface FieldError {
  field: string;
  text: string;
}

/** When a field is missing or not of its kind, what to do, in a commissioner's words. */
const missing: Record<string, string> = {
  title: 'Enter a title for the commission',
  partners: 'Choose two or more partners',
  proposedLead: 'Choose the partner proposed to lead',
  estimatedValue: 'Enter the estimated whole-life value in pounds, such as 250000',
  highRiskFactors: 'Choose high-risk factors from the list',
};

const sentence = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The form as the API's request: the same schema (newCommissionRequestSchema) judges it, so the
 * page and `POST /api/v1/commissions` refuse the same things.
 */
export function requestFrom(v: CommissionFormValues): { request?: NewCommissionRequest; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const amount = v.estimatedValue.replace(/[£,\s]/g, '');
  let value: number | undefined;
  if (amount !== '') {
    if (/^\d+(\.\d{1,2})?$/.test(amount)) value = Number(amount);
    else errors.push({ field: 'estimatedValue', text: 'Enter the estimated value as an amount in pounds, such as 250000 or £250,000' });
  }
  const body = {
    title: v.title,
    ...(v.description.trim() ? { description: v.description } : {}),
    partners: v.partners,
    proposedLead: v.proposedLead || undefined,
    estimatedValue: value,
    highRiskFactors: v.highRiskFactors,
    ...Object.fromEntries(serviceFacts.map((f) => [f, v.facts.includes(f)])),
    ...(v.urgent === 'yes' ? { urgent: { justification: v.urgentJustification } } : {}),
  };
  const parsed = newCommissionRequestSchema().safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const top = String(issue.path[0] ?? 'title');
      const field = top === 'urgent' ? 'urgentJustification' : top;
      if (errors.some((e) => e.field === field)) continue;
      const absent = issue.code === 'invalid_type' || issue.code === 'invalid_value' || (top === 'title' && v.title.trim() === '') || (top === 'partners' && v.partners.length === 0);
      errors.push({ field, text: absent && missing[field] ? missing[field] : sentence(issue.message) });
    }
  }
  return errors.length || !parsed.success ? { errors } : { request: parsed.data, errors };
}

/** The proportionality rule's input for a request: what GET /api/v1/commissions/plan is asked. */
export const planFactsOf = (r: NewCommissionRequest): ProportionalityInput => ({
  value: r.estimatedValue,
  highRiskFactors: r.highRiskFactors,
  healthCareService: r.healthCareService,
  socialCareService: r.socialCareService,
  unusualTerms: r.unusualTerms,
  urgent: r.urgent !== undefined,
  voluntaryStandstill: r.voluntaryStandstill,
});

/** What the form offers: the partners, the high-risk factors, the service facts. */
export function formChoices(ctx: ApiContext) {
  return {
    partners: ctx.partnership.partners.map((p) => ({ value: p.id, text: p.name })),
    highRiskFactors: highRiskFactorIds.map((id) => ({ value: id, text: highRiskFactors[id] })),
  };
}

/** The check-your-answers page: the answers in words, and the plan and timetable the commission will follow. */
export function checkAnswers(ctx: ApiContext, request: NewCommissionRequest, now = new Date()) {
  const plan = commissionPlan(ctx, planFactsOf(request), now);
  const p = plan.proportionality;
  const facts = [
    request.healthCareService && 'A health care service',
    request.socialCareService && 'A social care service',
    request.unusualTerms && 'Unusual terms',
    request.voluntaryStandstill && 'A voluntary standstill (light touch only)',
  ].filter((x): x is string => typeof x === 'string');
  return {
    answers: {
      title: request.title,
      description: request.description ?? '',
      partners: partnerNames(ctx.partnership, request.partners),
      proposedLead: partnerName(ctx.partnership, request.proposedLead),
      estimatedValue: pounds(request.estimatedValue),
      highRiskFactors: request.highRiskFactors.map((f) => highRiskFactors[f]),
      facts,
      urgent: request.urgent?.justification,
    },
    plan: {
      summary: [
        { key: 'Risk', value: p.highRisk ? 'High risk' : 'Not high risk' },
        { key: 'Procurement service', value: procurementLabel[p.procurement] ?? p.procurement },
        { key: 'Stage gates', value: p.gates.length ? p.gates.map((g) => `Gate ${g}`).join(', ') : 'None' },
        { key: 'Legal review', value: p.legalReview ? `Yes, at least ${p.legalLeadTime ?? '15 working days'} allowed` : 'No' },
        { key: 'Rules', value: regimeLabel[p.regime] ?? p.regime },
        { key: 'Standstill', value: standstillLabel[p.standstill] ?? p.standstill },
        { key: 'Contract details notice', value: `Within ${p.contractDetailsNoticeDays} days of signing` },
      ],
      reasons: p.reasons,
      timetable: plan.timetable.map((t) => ({ ...t, stageLabel: stageNames[t.stage] })),
      from: plan.from,
    },
  };
}

/* ------------------------------------------------------------------ a commission's page */

export interface CommissionPage {
  view: CommissionView;
  facts: { key: string; value: string }[];
  stage: string;
  waitingFor?: string | undefined;
  nextEventAt?: string | undefined;
  waiting: WaitingLine[];
  openTasks: { id: string; title: string; kind: string; asked: string; dueAt: string; overdue: boolean; mayDecide: boolean }[];
  /** The panel's summary and result, only for those the API's evaluation reads allow. */
  evaluation?: ReturnType<typeof evaluationSummary> | undefined;
  /** The panel exists but this person may not see it. */
  evaluationHidden: boolean;
  /** No panel yet, and this person may set one up (the API's set-up rule): the page links to its form. */
  maySetUpPanel: boolean;
  standstill?: NonNullable<CommissionView['lifecycle']>['standstill'];
  steps: { title: string; stage: string; status: string; completedAt?: string | undefined; by?: string | undefined }[];
  timeline: TimelineEntry[];
}

/** Dates the workflows wrote into their details (ISO 8601), as UK dates and times. */


function evaluationSummary(ctx: ApiContext, view: CommissionView, panel: EvaluationView | undefined) {
  const e = view.evaluation!;
  const bidder = (id: string) => panel?.bidders.find((b) => b.id === id)?.name ?? id;
  const criterion = (id: string) => panel?.criteria.find((c) => c.id === id)?.name ?? id;
  return {
    status: { requested: 'Set up; starts when the commission reaches evaluation', running: 'Running', complete: 'Complete' }[e.status],
    phase: panel?.phase,
    setUpBy: personName(ctx.partnership, e.setUpBy),
    setUpAt: e.setUpAt,
    members: panel ? personNames(ctx.partnership, panel.members.map((m) => m.person)) : '',
    recommended: e.recommended ? bidder(e.recommended) : undefined,
    ranking: (e.result?.ranking ?? []).map((r) => ({ bidder: bidder(r.bidder), total: r.total, quality: r.quality })),
    matrix: (e.result?.matrix ?? []).map((m) => ({
      bidder: bidder(m.bidder),
      criterion: criterion(m.criterion),
      scores: m.scores.map((s) => ({ member: personName(ctx.partnership, s.member), score: s.score, reason: s.reason })),
      moderated: m.moderated ? { ...m.moderated, by: personName(ctx.partnership, m.moderated.by) } : undefined,
      agreed: m.agreed,
      points: m.points,
    })),
    tieBreak: e.result?.tieBreak ? { ...e.result.tieBreak, tied: e.result.tieBreak.tied.map(bidder), chosen: e.result.tieBreak.chosen ? bidder(e.result.tieBreak.chosen) : undefined } : undefined,
  };
}

/** A commission as one person may see it: 404 (the API's rule) for those who may not. */
export async function commissionPage(ctx: ApiContext, person: Person, id: string, now = Date.now()): Promise<CommissionPage> {
  const view = await readCommissionAs(ctx, person, id);
  const p = ctx.partnership;
  const { covers } = await coversNow(ctx, person.id, now);
  const life = view.lifecycle;
  const prop = life?.proportionality;

  // The evaluation reads' rule: the participating partners' commissioners, and the panel's members.
  let evaluation: CommissionPage['evaluation'];
  let evaluationHidden = false;
  let panel: EvaluationView | undefined;
  if (view.evaluation) {
    panel = view.evaluation.status === 'requested' ? undefined : await readEvaluation(ctx, id).catch(() => undefined);
    const scope = { partners: view.partners, panel: panel?.members.map((m) => m.person) ?? [] };
    if (can(person, 'evaluation.read', scope)) evaluation = evaluationSummary(ctx, view, panel);
    else evaluationHidden = true;
  }

  // The panel's bidders: the award's task and the events after scoring name them by their ids.
  const bidders = panel?.bidders ?? [];
  const maySetUpPanel = !view.evaluation && !['ended', 'withdrawn'].includes(view.stage) && can(person, 'evaluation.setup', { partners: view.partners, leadPartner: view.lead.partner });

  const waitingOn = (view as CommissionView & { waitingOn?: WaitingOn[] }).waitingOn ?? [];
  return {
    view,
    maySetUpPanel,
    facts: [
      ...(view.description ? [{ key: 'Description', value: view.description }] : []),
      { key: 'Partners', value: partnerNames(p, view.partners) },
      { key: 'Lead partner', value: `${partnerName(p, view.lead.partner)} (${(leadStatusLabel[view.lead.status] ?? view.lead.status).toLowerCase()})` },
      { key: 'Estimated value', value: `${pounds(view.estimatedValue)} (whole life, including VAT)` },
      {
        key: 'Proportionality',
        value: prop
          ? `${prop.highRisk ? 'High risk' : 'Not high risk'}; ${regimeLabel[prop.regime] ?? prop.regime}; procurement: ${(procurementLabel[prop.procurement] ?? prop.procurement).toLowerCase()}; ${prop.gates.length ? `gates ${prop.gates.join(', ')}` : 'no stage gates'}; ${prop.legalReview ? 'legal review' : 'no legal review'}; standstill: ${(standstillLabel[prop.standstill] ?? prop.standstill).toLowerCase()}${prop.urgent ? '; expedited route' : ''}`
          : 'Worked out once the lead partner is settled',
      },
      { key: 'Stage', value: stageNames[view.stage] ?? view.stage },
      { key: 'Started', value: `${ukDateTime(view.createdAt)} by ${personName(p, view.createdBy)}` },
    ],
    stage: stageNames[view.stage] ?? view.stage,
    waitingFor: life?.waitingFor?.what,
    nextEventAt: life?.nextEventAt,
    waiting: waitingLines(ctx, waitingOn, bidders),
    openTasks: view.openTasks.map((t) => ({
      id: t.id,
      title: textInWords(p, t.title, bidders),
      kind: kindLabel(t.kind),
      asked: stillAwaiting(p, t),
      dueAt: t.dueAt,
      overdue: Date.parse(t.dueAt) < now,
      mayDecide: mayDecide(t, person.id, covers, now),
    })),
    evaluation,
    evaluationHidden,
    standstill: life?.standstill,
    steps: (life?.steps ?? []).map((s) => ({ title: textInWords(p, s.title, bidders), stage: stageNames[s.stage] ?? s.stage, status: s.status, completedAt: s.completedAt, by: s.by ? personName(p, s.by) : undefined })),
    // The timeline: the same items as GET /api/v1/commissions/{id}/timeline, newest first.
    timeline: timelineOnPage(p, view.history, bidders),
  };
}
