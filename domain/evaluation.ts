import { z } from 'zod';
import type { Partnership } from './partnership';

/**
 * Joint evaluation panels (DOMAIN.md section 2): the pure rules, shared by the API (which
 * refuses a set-up with 422 naming the rule) and the evaluation workflow (which scores, moderates
 * and ranks). No clock, no I/O.
 */
export const criterionKinds = ['quality', 'price', 'social-value'] as const;

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and hyphens');

export const evaluationSetupSchema = z
  .object({
    criteria: z
      .array(
        z
          .object({
            id,
            name: z.string().trim().min(2),
            kind: z.enum(criterionKinds),
            weight: z.number(),
            guidance: z.string().trim().max(4000).optional(),
          })
          .strict(),
      )
      .min(1, 'give at least one criterion'),
    bidders: z.array(z.object({ id, name: z.string().trim().min(1) }).strict()).min(1, 'name at least one bidder'),
    members: z.array(z.string().min(1)).min(1, 'name the panel members'),
    scoringDue: z.string().min(1),
    socialValueJustification: z.string().trim().min(10, 'a justification says why, in a sentence or more').optional(),
  })
  .strict();

export type EvaluationSetup = z.infer<typeof evaluationSetupSchema>;

export interface PanelPolicy {
  /** Social value's minimum share of the weights, unless a justification is recorded. */
  minSocialValueWeight: number;
  minScoringMembers: number;
  /** Scores on a criterion that differ by more than this go to moderation. */
  moderationSpread: number;
  scaleMax: number;
}

export const defaultPanelPolicy: PanelPolicy = { minSocialValueWeight: 20, minScoringMembers: 3, moderationSpread: 1, scaleMax: 5 };

export interface RuleBreach {
  rule: string;
  message: string;
}

/** Every rule the set-up breaks, each named so the 422 can say which. */
export function panelRuleBreaches(setup: EvaluationSetup, partnership: Partnership, commissionPartners: string[], policy: PanelPolicy = defaultPanelPolicy): RuleBreach[] {
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
  const people = setup.members.map((m) => ({ id: m, person: partnership.people.find((p) => p.id === m) }));
  for (const { id: m, person } of people) {
    if (!person) out.push({ rule: 'known-members', message: `No person has the id "${m}".` });
    else if (!(person.partner && commissionPartners.includes(person.partner)) && !person.roles.includes('lived-experience')) {
      out.push({ rule: 'members-from-the-partnership', message: `${person.name} is neither from a participating partner nor a lived-experience representative.` });
    }
  }
  if (new Set(setup.members).size !== setup.members.length) out.push({ rule: 'members-once', message: 'Each member is listed once.' });
  if (setup.members.length < policy.minScoringMembers) {
    out.push({ rule: 'minimum-members', message: `A panel has at least ${policy.minScoringMembers} scoring members; this one has ${setup.members.length}.` });
  }
  const kindOf = (partner?: string) => partnership.partners.find((p) => p.id === partner)?.kind;
  const kinds = new Set(commissionPartners.map((p) => kindOf(p)));
  if (kinds.has('local-authority') && kinds.has('icb')) {
    const memberKinds = new Set(people.map((p) => kindOf(p.person?.partner)));
    if (!memberKinds.has('local-authority') || !memberKinds.has('icb')) {
      out.push({ rule: 'joint-panel', message: 'A joint commission\'s panel includes at least one member from the Council and one from an ICB partner.' });
    }
  }
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
export function needingModeration(scores: Score[], spread = defaultPanelPolicy.moderationSpread): { bidder: string; criterion: string; scores: number[] }[] {
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
export function weightedTotals(setup: Pick<EvaluationSetup, 'criteria' | 'bidders'>, scores: Score[], moderated: Moderated[], scaleMax = defaultPanelPolicy.scaleMax): BidderResult[] {
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
