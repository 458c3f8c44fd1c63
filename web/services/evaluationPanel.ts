import { z } from 'zod';
import type { ApiContext } from '../../api/context';
import { readEvaluation } from '../../api/evaluation';
import { authorize, can } from '../../api/permissions';
import { HttpProblem } from '../../api/problem';
import { readCommission } from '../../api/subjects';
import type { CommissionView } from '../../domain/commission';
import { criterionKinds, panelPool, resultMatrix, type EvaluationView, type MatrixCell } from '../../domain/evaluation';
import { ukInstant } from '../../domain/panel';
import { DATE_BOUNDS_MESSAGE, withinDateBounds } from '../../domain/calendar';
import type { Person } from '../../domain/partnership';
import type { Task } from '../../domain/task';
import { askedOf, partnerName, personName, textInWords } from './words';

export const phaseWords: Record<string, string> = {
  declaring: 'Members are declaring any conflicts of interest',
  scoring: 'Members are scoring independently (scores stay hidden until scoring closes)',
  moderating: 'Scoring has closed; scores that differ by more than the allowed spread are being moderated',
  'tie-break': 'The leading bidders tied on total and quality: the panel chooses between them',
  complete: 'Complete: the result is below',
};

export const kindWords: Record<(typeof criterionKinds)[number], string> = { quality: 'Quality', price: 'Price', 'social-value': 'Social value' };

const scoringWords: Record<string, string> = {
  waiting: 'Waiting for their declaration',
  open: 'Scoring',
  scored: 'Scored',
  'not-scored': 'Did not score',
  'nothing-to-score': 'Nothing to score (conflicted)',
};

/** An open task as the pages list it: linked, with whom it asks and by when. */
export const taskRow = (ctx: ApiContext, t: Task) => ({
  id: t.id,
  // A workflow's title may name people by id ("proposed by council-director-children"): as "Your tasks" says it.
  title: textInWords(ctx.partnership, t.title),
  dueAt: t.dueAt,
  askedOf: askedOf(ctx.partnership, t),
});

/** The panel page: the set-up form before there is a panel, the panel as this person may see it after. */
export async function panelPage(ctx: ApiContext, person: Person, commissionId: string) {
  const commission = await readCommission(ctx, commissionId);
  const policy = ctx.partnership.policies.evaluationPanel;
  const scope = { partners: commission.partners, leadPartner: commission.lead.partner };
  const running = commission.evaluation && commission.evaluation.status !== 'requested';
  if (!running) {
    authorize(person, 'evaluation.read', { partners: commission.partners }, `There is no evaluation for commission ${commissionId}.`);
    const leadSettled = commission.lead.status === 'agreed' || commission.lead.status === 'decided';
    return {
      commission,
      policy,
      requested: commission.evaluation,
      maySetUp: !commission.evaluation && can(person, 'evaluation.setup', scope),
      leadSettled,
      // Panel members and lived-experience representatives first: those usually chosen.
      pool: panelPool(ctx.partnership, commission.partners)
        .map((m) => ({ ...m, evaluator: m.livedExperience || !!ctx.partnership.people.find((p) => p.id === m.id)?.roles.includes('panel-member') }))
        .sort((a, b) => Number(b.evaluator) - Number(a.evaluator))
        .map((m) => ({ ...m, from: m.partner ? `${partnerName(ctx.partnership, m.partner)}${m.evaluator ? ', panel member' : ''}` : 'Lived-experience representative' })),
    };
  }
  const panel = await readEvaluation(ctx, commissionId, person);
  return { commission, policy, panel: panelView(ctx, panel) };
}

/** What the panel page shows of a panel: blind while scoring is open (the API's own view is already blinded for this person). */
function panelView(ctx: ApiContext, v: EvaluationView) {
  const bidderName = (id: string) => v.bidders.find((b) => b.id === id)?.name ?? id;
  const criterionName = (id: string) => v.criteria.find((c) => c.id === id)?.name ?? id;
  const open = v.phase === 'declaring' || v.phase === 'scoring';
  const matrix: MatrixCell[] = open ? [] : (v.result?.matrix ?? resultMatrix(v, v.scores, v.moderated, v.scale.max));
  return {
    ...v,
    phaseWords: phaseWords[v.phase] ?? v.phase,
    criteria: v.criteria.map((c) => ({ ...c, kindWords: kindWords[c.kind] })),
    members: v.members.map((m) => ({
      name: personName(ctx.partnership, m.person),
      from: ctx.partnership.people.find((p) => p.id === m.person)?.partner ? partnerName(ctx.partnership, ctx.partnership.people.find((p) => p.id === m.person)!.partner!) : 'Lived-experience representative',
      declared: m.declared ? (m.conflicts.length ? `Yes: an interest in ${m.conflicts.map((c) => bidderName(c.bidder)).join(', ')}` : 'Yes: no conflict') : 'Not yet',
      scoring: scoringWords[m.scoring] ?? m.scoring,
      replacing: m.replacing ? `Replaces ${personName(ctx.partnership, m.replacing.person)} for ${bidderName(m.replacing.bidder)}` : undefined,
    })),
    openTaskRows: v.openTasks.map((t) => taskRow(ctx, t)),
    blind: open,
    ranking: (v.result?.ranking ?? []).map((r, i) => ({ position: i + 1, bidder: bidderName(r.bidder), total: r.total, quality: r.quality, recommended: r.bidder === v.result?.recommended })),
    recommended: v.result?.recommended ? bidderName(v.result.recommended) : undefined,
    tieBreak: v.result?.tieBreak ? { tied: v.result.tieBreak.tied.map(bidderName).join(' and '), chosen: v.result.tieBreak.chosen ? bidderName(v.result.tieBreak.chosen) : undefined, reason: v.result.tieBreak.reason } : undefined,
    matrixByBidder: v.bidders.map((b) => ({
      bidder: b.name,
      cells: matrix
        .filter((c) => c.bidder === b.id)
        .map((c) => ({ ...c, criterion: criterionName(c.criterion), scores: c.scores.map((s) => ({ ...s, member: personName(ctx.partnership, s.member) })), moderatedBy: c.moderated ? personName(ctx.partnership, c.moderated.by) : undefined })),
    })).filter((b) => b.cells.length),
  };
}

/* ------------------------------------------------------------------ the set-up form */

/** Rows offered for criteria; rows left blank are not criteria. */
export const CRITERION_ROWS = 5;

/** The usual three, as the form first shows them: social value at the partnership's minimum. */
export function defaultSetupValues(minSocialValue: number): Record<string, string> {
  return {
    'criteria-0-name': 'Quality of service',
    'criteria-0-kind': 'quality',
    'criteria-0-weight': String(100 - 20 - minSocialValue),
    'criteria-1-name': 'Price',
    'criteria-1-kind': 'price',
    'criteria-1-weight': '20',
    'criteria-2-name': 'Social value',
    'criteria-2-kind': 'social-value',
    'criteria-2-weight': String(minSocialValue),
  };
}

/** A criterion's or bidder's id, from its name (the API takes ids; the page asks for names). */
const idOf = (name: string): string =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'x';

const text = z.string().max(4000).optional();
const setupForm = z.object({ bidders: text, scoringDue: z.string().max(40).optional(), socialValueJustification: text, members: z.union([z.string(), z.array(z.string())]).optional() }).passthrough();

export interface FieldError {
  field: string;
  text: string;
}

/**
 * The set-up body the API takes, from the form; a weight that is not a whole number or a date
 * that is not one is the form's own problem (said against its field), every rule the API's.
 */
export function setupFromForm(body: Record<string, unknown>): { setup?: unknown; errors: FieldError[] } {
  const form = setupForm.safeParse(body);
  if (!form.success) return { errors: [{ field: 'criteria-0-name', text: 'The form could not be read; reload the page and try again.' }] };
  const errors: FieldError[] = [];
  const criteria = [];
  for (let i = 0; i < CRITERION_ROWS; i++) {
    const get = (k: string) => (typeof body[`criteria-${i}-${k}`] === 'string' ? (body[`criteria-${i}-${k}`] as string).trim() : '');
    const name = get('name');
    if (!name) continue;
    const weight = get('weight');
    if (!/^\d{1,3}$/.test(weight)) errors.push({ field: `criteria-${i}-weight`, text: `Enter the weight of "${name}" as a whole number of percent, such as 20` });
    const kind = get('kind');
    if (!(criterionKinds as readonly string[]).includes(kind)) errors.push({ field: `criteria-${i}-kind`, text: `Choose what kind of criterion "${name}" is` });
    const guidance = get('guidance');
    criteria.push({ id: idOf(name), name, kind, weight: Number(weight), ...(guidance ? { guidance } : {}) });
  }
  const bidders = (form.data.bidders ?? '')
    .split(/\r?\n/)
    .map((b) => b.trim())
    .filter(Boolean)
    .map((name) => ({ id: idOf(name), name }));
  const members = form.data.members === undefined ? [] : [form.data.members].flat();
  const date = (form.data.scoringDue ?? '').trim();
  let scoringDue = '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !withinDateBounds(date)) errors.push({ field: 'scoringDue', text: `Enter the date scoring closes, ${DATE_BOUNDS_MESSAGE}` });
  else scoringDue = ukInstant(date, '17:00').toISOString();
  const justification = (form.data.socialValueJustification ?? '').trim();
  return { setup: { criteria, bidders, members, scoringDue, ...(justification ? { socialValueJustification: justification } : {}) }, errors };
}

/** Where a refusal of the set-up belongs on the form: a zod path or a rule's name. */
export function setupFieldOf(path: string): string {
  const criterion = /^criteria\[(\d+)\]\.(name|kind|weight|guidance)/.exec(path);
  if (criterion) return `criteria-${criterion[1]}-${criterion[2]}`;
  if (path.startsWith('criteria') || path === 'distinct-ids') return 'criteria-0-name';
  if (path === 'weights-sum-to-100' || path === 'whole-number-weights') return 'criteria-0-weight';
  if (path === 'social-value-minimum' || path.startsWith('socialValueJustification')) return 'socialValueJustification';
  if (path.startsWith('bidders')) return 'bidders';
  if (path.startsWith('members') || ['minimum-members', 'joint-panel', 'known-members', 'members-from-the-partnership', 'members-once'].includes(path)) return 'members';
  if (path.startsWith('scoringDue') || path === 'scoring-deadline-ahead') return 'scoringDue';
  return 'criteria-0-name';
}

/** A refusal of the API's, as errors against the form's fields, in the rule's own words. */
export function setupErrors(err: HttpProblem): FieldError[] {
  // The API names its own field for the justification; the page has a labelled box for it.
  const words = (m: string) => m.replace(' (socialValueJustification)', ' in the box below');
  if (err.errors?.length) return err.errors.map((e) => ({ field: setupFieldOf(e.path), text: words(e.message.charAt(0).toUpperCase() + e.message.slice(1)) }));
  return [{ field: 'criteria-0-name', text: words(err.detail) }];
}

export type PanelPage = Awaited<ReturnType<typeof panelPage>>;
export type { CommissionView };
