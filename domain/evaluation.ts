import { z } from 'zod';
import { lazy } from './lazy';
import { calendarSchema, DATE_BOUNDS_MESSAGE, withinDateBounds } from './calendar';
import type { Calendar } from './calendar';
import { addDuration, durationText, parseDuration, withinDurationBound } from './duration';
import type { Partnership } from './partnership';
import type { HistoryEntry } from './commission';
import type { FormField } from './taskData';
import type { Task } from './task';
import { historyBoundSchema } from './historyBound';

/**
 * Joint evaluation panels (DOMAIN.md section 2): the pure rules, shared by the API (which
 * refuses a set-up with 422 naming the rule) and the evaluation workflow (which scores, moderates
 * and ranks). No clock, no I/O.
 */
export const criterionKinds = ['quality', 'price', 'social-value'] as const;

const criterionOrBidderId = lazy(() => z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and hyphens'));

export const evaluationSetupSchema = lazy(() =>
  z
    .object({
      criteria: z
        .array(
          z
            .object({
              id: criterionOrBidderId(),
              name: z.string().trim().min(2),
              kind: z.enum(criterionKinds),
              weight: z.number(),
              guidance: z.string().trim().max(4000).optional(),
            })
            .strict(),
        )
        .min(1, 'give at least one criterion')
        .max(30, 'at most 30 criteria'),
      bidders: z.array(z.object({ id: criterionOrBidderId(), name: z.string().trim().min(1) }).strict()).min(1, 'name at least one bidder').max(100, 'at most 100 bidders'),
      members: z.array(z.string().min(1)).min(1, 'name the panel members').max(30, 'at most 30 panel members'),
      scoringDue: z
        .string()
        .min(1)
        .max(100)
        .refine((t) => scoringDueText(t) !== undefined, { message: `a date-time such as 2027-03-01T17:00:00Z (${DATE_BOUNDS_MESSAGE}), or a duration such as "10 working days" (at most ten years)` }),
      socialValueJustification: z.string().trim().min(10, 'a justification says why, in a sentence or more').optional(),
    })
    .strict(),
);

export type EvaluationSetup = z.infer<ReturnType<typeof evaluationSetupSchema>>;

export const panelPolicySchema = lazy(() =>
  z
    .object({
      /** Social value's minimum share of the weights, unless a justification is recorded. */
      minSocialValueWeight: z.number().int().min(0).max(100).default(20),
      minScoringMembers: z.number().int().min(1).default(3),
      /** Scores on a criterion that differ by more than this go to moderation. */
      moderationSpread: z.number().min(0).default(1),
      scaleMax: z.number().int().min(1).max(100).default(5),
      declarationDue: durationText().default('3 working days'),
      scoringReminders: z.array(durationText()).default(['2 working days']),
      /** After the scoring deadline: the lead commissioner is told and late scores are taken this long. */
      scoringGrace: durationText().default('2 working days'),
      replacementDue: durationText().default('3 working days'),
      /** A replacement member's time to score, when the panel's deadline is nearer than this. */
      replacementScoringTime: durationText().default('5 working days'),
      moderationDue: durationText().default('5 working days'),
    })
    .strict(),
);

export type PanelPolicy = z.infer<ReturnType<typeof panelPolicySchema>>;

export const defaultPanelPolicy = lazy((): PanelPolicy =>
  panelPolicySchema().parse({}),
);

export interface RuleBreach {
  rule: string;
  message: string;
}

/** What a scoring deadline's text is: a bounded duration, or a date-time within DATE_BOUNDS; undefined for anything else. */
function scoringDueText(text: string): 'duration' | 'date-time' | undefined {
  const d = parseDuration(text);
  if (d) return withinDurationBound(d) ? 'duration' : undefined;
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && withinDateBounds(text) ? 'date-time' : undefined;
}

/** The scoring deadline as given: a date-time, or a duration from now such as "10 working days"; undefined beyond the bounds. */
export function scoringDueAt(text: string, calendar: Calendar, now: Date): Date | undefined {
  const kind = scoringDueText(text);
  if (kind === 'duration') return addDuration(calendar, now, text);
  return kind === 'date-time' ? new Date(text) : undefined;
}

/** Someone who may sit on a commission's panel: from a participating partner, or a lived-experience representative. */
export interface PoolMember {
  id: string;
  name: string;
  partner?: string | undefined;
  partnerKind?: 'local-authority' | 'icb' | 'other' | undefined;
  livedExperience: boolean;
}

/** Everyone who may sit on the panel of a commission between these partners. */
export function panelPool(partnership: Partnership, commissionPartners: string[]): PoolMember[] {
  return partnership.people
    .filter((p) => (p.partner && commissionPartners.includes(p.partner)) || p.roles.includes('lived-experience'))
    .map((p) => ({
      id: p.id,
      name: p.name,
      partner: p.partner,
      partnerKind: partnership.partners.find((x) => x.id === p.partner)?.kind,
      livedExperience: p.roles.includes('lived-experience'),
    }));
}

/** A commission is joint when the Council and an ICB both take part; its panel must include both. */
export function isJoint(partnership: Partnership, commissionPartners: string[]): boolean {
  const kinds = new Set(commissionPartners.map((p) => partnership.partners.find((x) => x.id === p)?.kind));
  return kinds.has('local-authority') && kinds.has('icb');
}

/**
 * The composition rules for the members who score one bidder: enough of them, and for a joint
 * commission both the Council and an ICB among them. Lived-experience members count.
 */
export function compositionBreaches(members: string[], pool: PoolMember[], joint: boolean, policy: PanelPolicy = defaultPanelPolicy()): RuleBreach[] {
  const out: RuleBreach[] = [];
  if (members.length < policy.minScoringMembers) {
    out.push({ rule: 'minimum-members', message: `A panel has at least ${policy.minScoringMembers} scoring members; this one has ${members.length}.` });
  }
  if (joint) {
    const kinds = new Set(members.map((m) => pool.find((p) => p.id === m)?.partnerKind));
    if (!kinds.has('local-authority') || !kinds.has('icb')) {
      out.push({ rule: 'joint-panel', message: "A joint commission's panel includes at least one member from the Council and one from an ICB partner." });
    }
  }
  return out;
}

/** Every rule the set-up breaks, each named so the 422 can say which. */
export function panelRuleBreaches(setup: EvaluationSetup, partnership: Partnership, commissionPartners: string[], policy: PanelPolicy = defaultPanelPolicy()): RuleBreach[] {
  const out: RuleBreach[] = [];
  const weights = setup.criteria.map((c) => c.weight);
  if (weights.some((w) => !Number.isInteger(w) || w < 0)) {
    out.push({ rule: 'whole-number-weights', message: 'Weights are whole numbers of percent, none negative.' });
  }
  const total = weights.reduce((a, b) => a + b, 0);
  if (total !== 100) out.push({ rule: 'weights-sum-to-100', message: `The criteria's weights add up to ${total}; they must add up to 100.` });
  const socialValue = setup.criteria.filter((c) => c.kind === 'social-value').reduce((a, c) => a + c.weight, 0);
  if (socialValue < policy.minSocialValueWeight && !setup.socialValueJustification) {
    out.push({
      rule: 'social-value-minimum',
      message: `Social value carries ${socialValue}% of the score; the partnership's minimum is ${policy.minSocialValueWeight}%, unless a justification is recorded (socialValueJustification).`,
    });
  }
  if (new Set(setup.criteria.map((c) => c.id)).size !== setup.criteria.length) out.push({ rule: 'distinct-ids', message: 'Each criterion has its own id.' });
  if (new Set(setup.bidders.map((b) => b.id)).size !== setup.bidders.length) out.push({ rule: 'distinct-ids', message: 'Each bidder has its own id.' });
  const pool = panelPool(partnership, commissionPartners);
  for (const m of setup.members) {
    const person = partnership.people.find((p) => p.id === m);
    if (!person) out.push({ rule: 'known-members', message: `No person has the id "${m}".` });
    else if (!pool.some((p) => p.id === m)) {
      out.push({ rule: 'members-from-the-partnership', message: `${person.name} is neither from a participating partner nor a lived-experience representative.` });
    }
  }
  if (new Set(setup.members).size !== setup.members.length) out.push({ rule: 'members-once', message: 'Each member is listed once.' });
  out.push(...compositionBreaches(setup.members, pool, isJoint(partnership, commissionPartners), policy));
  return out;
}

/** One member's score of one bidder on one criterion, with the reason they must give. */
export interface Score {
  member: string;
  bidder: string;
  criterion: string;
  score: number;
  reason: string;
}

export interface Moderated {
  bidder: string;
  criterion: string;
  score: number;
  rationale: string;
}

/** The (bidder, criterion) pairs whose scores differ by more than the spread: each needs moderation. */
export function needingModeration(scores: Score[], spread = defaultPanelPolicy().moderationSpread): { bidder: string; criterion: string; scores: number[] }[] {
  const groups = new Map<string, number[]>();
  for (const s of scores) {
    const key = `${s.bidder}\u0000${s.criterion}`;
    groups.set(key, [...(groups.get(key) ?? []), s.score]);
  }
  return [...groups.entries()]
    .filter(([, xs]) => Math.max(...xs) - Math.min(...xs) > spread)
    .map(([key, xs]) => {
      const [bidder, criterion] = key.split('\u0000') as [string, string];
      return { bidder, criterion, scores: xs };
    });
}

export interface BidderResult {
  bidder: string;
  /** Out of 100: for each criterion, the agreed score as a share of the scale, times its weight. */
  total: number;
  quality: number;
  byCriterion: Record<string, number>;
}

/**
 * Weighted totals. For each criterion the agreed score is the moderated one where there is one,
 * else the mean of the members' scores; it counts as (score / scale maximum) × weight.
 */
export function weightedTotals(setup: Pick<EvaluationSetup, 'criteria' | 'bidders'>, scores: Score[], moderated: Moderated[], scaleMax = defaultPanelPolicy().scaleMax): BidderResult[] {
  const round = (x: number) => Math.round(x * 100) / 100;
  return setup.bidders.map((b) => {
    const byCriterion: Record<string, number> = {};
    let total = 0;
    let quality = 0;
    for (const c of setup.criteria) {
      const m = moderated.find((x) => x.bidder === b.id && x.criterion === c.id);
      const given = scores.filter((s) => s.bidder === b.id && s.criterion === c.id).map((s) => s.score);
      const agreed = m ? m.score : given.length ? given.reduce((a, x) => a + x, 0) / given.length : 0;
      const points = (agreed / scaleMax) * c.weight;
      byCriterion[c.id] = round(points);
      total += points;
      if (c.kind === 'quality') quality += points;
    }
    return { bidder: b.id, total: round(total), quality: round(quality), byCriterion };
  });
}

export type Ranking = { order: BidderResult[]; recommended?: string; referredToPanel?: string[] };

/** Highest total first; a tie goes to the higher quality score; a tie on both is referred back to the panel. */
export function rank(results: BidderResult[]): Ranking {
  const order = [...results].sort((a, b) => b.total - a.total || b.quality - a.quality);
  const [first, second] = order;
  if (!first) return { order };
  if (second && second.total === first.total && second.quality === first.quality) {
    return { order, referredToPanel: order.filter((r) => r.total === first.total && r.quality === first.quality).map((r) => r.bidder) };
  }
  return { order, recommended: first.bidder };
}

/* ------------------------------------------------------------------ the panel as a workflow */

export const EVALUATION_ID = /^je-[a-z0-9]{10}$/;

/** A commission has one panel; its id shares the commission's, so either names the other. */
export function evaluationIdOf(commissionId: string): string {
  return `je-${commissionId.slice(3)}`;
}

export function commissionIdOfEvaluation(evaluationId: string): string {
  return `jc-${evaluationId.slice(3)}`;
}

export function evaluationWorkflowId(commissionId: string): string {
  return `evaluation:${commissionId}`;
}

const poolMemberSchema = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    partner: z.string().optional(),
    partnerKind: z.enum(['local-authority', 'icb', 'other']).optional(),
    livedExperience: z.boolean(),
  }),
);

/** What the commission hands its panel: the set-up, and everything the panel must not look up itself. */
export const evaluationPanelInputSchema = lazy(() =>
  z
    .object({
      id: z.string().regex(EVALUATION_ID),
      commission: z.object({ id: z.string(), title: z.string() }),
      partners: z.array(z.object({ id: z.string(), name: z.string() })),
      leadCommissioner: z.string(),
      setUpBy: z.string(),
      setup: evaluationSetupSchema(),
      /** Who may sit on the panel, for the composition rule and replacements. */
      pool: z.array(poolMemberSchema()),
      joint: z.boolean(),
      policy: panelPolicySchema(),
      calendar: calendarSchema(),
      policyVersion: z.string(),
      /** The panel's attempt: 2 and on when its commission starts it again after it stopped; its tasks then have ids of their own. */
      attempt: z.number().int().min(1).optional(),
      /** The events a run of this case may grow to before it continues as new (domain/historyBound.ts); absent, the default. */
      historyBound: historyBoundSchema().optional(),
    })
    .strict(),
);

export type EvaluationPanelInput = z.infer<ReturnType<typeof evaluationPanelInputSchema>>;

/** What the API hands the commission to set up its panel; the commission adds what it knows. */
export const evaluationRequestSchema = lazy(() => evaluationPanelInputSchema().pick({ setUpBy: true, setup: true, pool: true, joint: true, policy: true, policyVersion: true }).strict());

export type EvaluationRequest = z.infer<ReturnType<typeof evaluationRequestSchema>>;

/** The set-up as the commission receives it: who may sit on the panel and its policy come from the partnership. */
export function evaluationRequest(partnership: Partnership, commissionPartners: string[], setUpBy: string, setup: EvaluationSetup, policyVersion: string): EvaluationRequest {
  return {
    setUpBy,
    setup,
    pool: panelPool(partnership, commissionPartners),
    joint: isJoint(partnership, commissionPartners),
    policy: partnership.policies.evaluationPanel,
    policyVersion,
  };
}

/** The panel as its commission shows it. */
export interface CommissionEvaluation {
  status: 'requested' | 'running' | 'complete';
  setUpBy: string;
  setUpAt: string;
  recommended?: string | undefined;
  result?: EvaluationResult | undefined;
}

export type PanelPhase = 'declaring' | 'scoring' | 'moderating' | 'tie-break' | 'complete';

export interface PanelMember {
  person: string;
  /** The bidders this member was asked to evaluate: all, or those a replacement was appointed for. */
  bidders: string[];
  declared: boolean;
  conflicts: { bidder: string; interest: string }[];
  /** Set when the member appointed replaces a conflicted one for a bidder. */
  replacing?: { bidder: string; person: string } | undefined;
  scoring: 'waiting' | 'open' | 'scored' | 'not-scored' | 'nothing-to-score';
}

/** One cell of the result: every member's score with its reason, and the moderated one beside them. */
export interface MatrixCell {
  bidder: string;
  criterion: string;
  scores: { member: string; score: number; reason: string }[];
  moderated?: { score: number; rationale: string; by: string; at: string } | undefined;
  /** The moderated score, else the members' mean. */
  agreed: number;
  /** agreed / scale maximum × weight. */
  points: number;
}

export interface EvaluationResult {
  ranking: BidderResult[];
  recommended?: string | undefined;
  /** When the ranking tied on total and quality: the bidders tied, and the panel's choice with its reason. */
  tieBreak?: { tied: string[]; chosen?: string | undefined; reason?: string | undefined } | undefined;
  matrix: MatrixCell[];
}

export interface EvaluationView {
  id: string;
  commission: { id: string; title: string };
  /** The commission's partners. */
  partners: string[];
  phase: PanelPhase;
  criteria: EvaluationSetup['criteria'];
  bidders: EvaluationSetup['bidders'];
  scale: { min: 0; max: number };
  scoringDue: string;
  socialValue: { weight: number; minimum: number; justification?: string | undefined };
  members: PanelMember[];
  /** Hidden from members (all but their own) until scoring closes. */
  scores: Score[];
  moderated: (Moderated & { by: string; at: string })[];
  /** Bidders whose scoring waits for a replacement member. */
  waitingForReplacement: string[];
  result?: EvaluationResult | undefined;
  tasks: Task[];
  openTasks: Task[];
  history: HistoryEntry[];
}

/** What the panel returns to its commission. */
export interface EvaluationOutcome {
  recommended?: string | undefined;
  result: EvaluationResult;
  record: HistoryEntry[];
}

export const PANEL_TASK_KINDS = {
  declaration: 'evaluation-conflict-declaration',
  scoring: 'evaluation-scoring',
  replacement: 'evaluation-replacement',
  moderation: 'evaluation-moderation',
  tieBreak: 'evaluation-tie-break',
} as const;

/** The declaration form: for each bidder, any interest the member has in it (blank for none). */
export function declarationFields(bidders: EvaluationSetup['bidders']): FormField[] {
  return bidders.map((b) => ({
    path: ['conflicts', b.id],
    label: `Any interest in ${b.name}`,
    type: 'text' as const,
    required: false,
    hint: 'Describe any financial, personal or professional interest; leave blank if you have none.',
  }));
}

/**
 * The interests a declaration records, read from its data as the declaration form defines it:
 * trimmed, and a blank answer (whether left empty on the page or sent as spaces) means none.
 */
export function interestsDeclared(data: Record<string, unknown> | undefined): { bidder: string; interest: string }[] {
  const given = (data?.['conflicts'] ?? {}) as Record<string, unknown>;
  return Object.entries(given).flatMap(([bidder, interest]) => (typeof interest === 'string' && interest.trim() ? [{ bidder, interest: interest.trim() }] : []));
}

/** The scoring form: a score on the scale and a written reason for every bidder and criterion. */
export function scoringFields(setup: Pick<EvaluationSetup, 'criteria' | 'bidders'>, bidders: string[], scaleMax: number): FormField[] {
  return setup.bidders
    .filter((b) => bidders.includes(b.id))
    .flatMap((b) =>
      setup.criteria.flatMap((c) => [
        { path: ['scores', b.id, c.id, 'score'], label: `${b.name}: score for ${c.name}`, type: 'integer' as const, required: true, min: 0, max: scaleMax, ...(c.guidance ? { hint: c.guidance } : {}), group: b.name },
        { path: ['scores', b.id, c.id, 'reason'], label: `${b.name}: reason for the ${c.name} score`, type: 'text' as const, required: true, group: b.name },
      ]),
    );
}

/** Reads the scores a scoring decision carries (already checked against its fields). */
export function scoresFrom(member: string, data: Record<string, unknown> | undefined): Score[] {
  const scores = (data?.scores ?? {}) as Record<string, Record<string, { score: number; reason: string }>>;
  return Object.entries(scores).flatMap(([bidder, byCriterion]) =>
    Object.entries(byCriterion).map(([criterion, s]) => ({ member, bidder, criterion, score: s.score, reason: s.reason.trim() })),
  );
}

/** The result matrix: every score with its reason, moderated scores beside the originals. */
export function resultMatrix(setup: Pick<EvaluationSetup, 'criteria' | 'bidders'>, scores: Score[], moderated: (Moderated & { by: string; at: string })[], scaleMax: number): MatrixCell[] {
  const totals = weightedTotals(setup, scores, moderated, scaleMax);
  return setup.bidders.flatMap((b) =>
    setup.criteria.map((c) => {
      const given = scores.filter((s) => s.bidder === b.id && s.criterion === c.id);
      const m = moderated.find((x) => x.bidder === b.id && x.criterion === c.id);
      const agreed = m ? m.score : given.length ? given.reduce((a, s) => a + s.score, 0) / given.length : 0;
      return {
        bidder: b.id,
        criterion: c.id,
        scores: given.map((s) => ({ member: s.member, score: s.score, reason: s.reason })),
        ...(m ? { moderated: { score: m.score, rationale: m.rationale, by: m.by, at: m.at } } : {}),
        agreed: Math.round(agreed * 100) / 100,
        points: totals.find((t) => t.bidder === b.id)!.byCriterion[c.id]!,
      };
    }),
  );
}

/** Whether a panel's phase keeps scores blind: until scoring closes. */
export const scoringIsBlind = (phase: string): boolean => phase === 'declaring' || phase === 'scoring';

/** The record's words for a member's scoring decision ("Score Acme Care independently: submit, …"). */
const SCORING_DECIDED = /^(Score .+ independently): ([^,\s]+)/;

/**
 * A scoring decision as the record holds it (`task-decided`, its comment in the detail and the
 * reason), told without the comment while scoring is blind: who scored, not what or why.
 */
export function blindRecordEntry<E extends { event: string; detail?: string | undefined; reason?: string | undefined }>(entry: E): E {
  const m = entry.event === 'task-decided' ? SCORING_DECIDED.exec(entry.detail ?? '') : null;
  if (!m) return entry;
  const { reason: _hidden, ...rest } = entry;
  return { ...rest, detail: `${m[1]}: ${m[2]} (the scores and reasons are shown when scoring closes)` } as E;
}

/**
 * What one viewer may see while scoring is blind: their own scores and scoring task, nobody
 * else's, in every field (the history's decisions too). Once scoring closes, everything.
 */
export function blindFor(view: EvaluationView, viewer: string): EvaluationView {
  if (!scoringIsBlind(view.phase)) return view;
  const hide = (t: Task): Task =>
    t.kind !== PANEL_TASK_KINDS.scoring || t.parties?.some((p) => p.id === viewer || p.assignees.includes(viewer)) ? t : blindTask(t);
  return {
    ...view,
    scores: view.scores.filter((s) => s.member === viewer),
    tasks: view.tasks.map(hide),
    openTasks: view.openTasks.map(hide),
    history: view.history.map((h) => (h.by === viewer ? h : blindRecordEntry(h))),
  };
}

/** A scoring task without the scores and reasons in its decisions. */
export function blindTask(t: Task): Task {
  const strip = <D extends { data?: unknown; comment?: unknown }>(d: D): D => ({ ...d, data: undefined, comment: undefined });
  return {
    ...t,
    decision: t.decision && strip(t.decision),
    decisions: t.decisions?.map(strip),
    parties: t.parties?.map((p) => ({ ...p, decision: p.decision && strip(p.decision) })),
  };
}

