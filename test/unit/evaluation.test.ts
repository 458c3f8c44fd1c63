import { loadPartnership } from '../../config';
import { blindRecordEntry, needingModeration, panelRuleBreaches, rank, weightedTotals, type EvaluationSetup, type Score } from '../../domain/evaluation';

const partnership = loadPartnership();
const joint = ['council', 'nenc-icb'];
const setup = (overrides: Partial<EvaluationSetup> = {}): EvaluationSetup => ({
  criteria: [
    { id: 'quality', name: 'Quality of service', kind: 'quality', weight: 50 },
    { id: 'price', name: 'Price', kind: 'price', weight: 30 },
    { id: 'social', name: 'Social value', kind: 'social-value', weight: 20 },
  ],
  bidders: [
    { id: 'acme', name: 'Acme Care' },
    { id: 'north', name: 'North Support' },
  ],
  members: ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep'],
  scoringDue: '10 working days',
  ...overrides,
});
const rules = (s: EvaluationSetup, partners = joint) => panelRuleBreaches(s, partnership, partners).map((b) => b.rule);

test('a sound joint panel breaks no rule; a lived-experience member counts', () => {
  expect(rules(setup())).toEqual([]);
});

test('weights are whole numbers that add up to 100', () => {
  const s = setup({ criteria: [{ id: 'q', name: 'Quality', kind: 'quality', weight: 60.5 }, { id: 's', name: 'Social value', kind: 'social-value', weight: 20 }] });
  expect(rules(s)).toEqual(['whole-number-weights', 'weights-sum-to-100']);
  expect(panelRuleBreaches(s, partnership, joint)[1]!.message).toBe("The criteria's weights add up to 80.5; they must add up to 100.");
});

test('social value below 20% needs a recorded justification', () => {
  const low = setup({ criteria: [{ id: 'q', name: 'Quality', kind: 'quality', weight: 90 }, { id: 's', name: 'Social value', kind: 'social-value', weight: 10 }] });
  expect(rules(low)).toEqual(['social-value-minimum']);
  expect(rules({ ...low, socialValueJustification: 'A single specialist provider exists; social value is secured in the contract.' })).toEqual([]);
});

test('at least three members, each once, from participating partners or lived experience, and both Council and ICB on a joint panel', () => {
  expect(rules(setup({ members: ['council-panel-member', 'nenc-panel-member'] }))).toEqual(['minimum-members']);
  expect(rules(setup({ members: ['council-panel-member', 'council-finance', 'parent-carer-rep'] }))).toEqual(['joint-panel']);
  expect(rules(setup({ members: ['council-panel-member', 'nenc-panel-member', 'lsc-finance'] }))).toEqual(['members-from-the-partnership']);
  expect(rules(setup({ members: ['council-panel-member', 'nenc-panel-member', 'nenc-panel-member'] }))).toEqual(['members-once']);
  expect(rules(setup({ members: ['council-panel-member', 'nenc-panel-member', 'nobody'] }))).toEqual(['known-members']);
});

const score = (member: string, bidder: string, criterion: string, value: number): Score => ({ member, bidder, criterion, score: value, reason: 'because' });

test('moderation is needed when scores differ by more than 1 point, not at exactly 1', () => {
  const scores = [
    score('a', 'acme', 'quality', 3),
    score('b', 'acme', 'quality', 4),
    score('a', 'acme', 'price', 2),
    score('b', 'acme', 'price', 4),
  ];
  expect(needingModeration(scores)).toEqual([{ bidder: 'acme', criterion: 'price', scores: [2, 4] }]);
});

test('weighted totals on a worked example, moderated scores replacing the mean', () => {
  // Acme: quality mean 4 of 5 → 40 of 50; price moderated 3 → 18 of 30; social 5 → 20 of 20: 78.
  // North: quality 3 → 30; price 5 → 30; social 2.5 → 10: 70.
  const scores = [
    score('a', 'acme', 'quality', 4), score('b', 'acme', 'quality', 4),
    score('a', 'acme', 'price', 2), score('b', 'acme', 'price', 4),
    score('a', 'acme', 'social', 5), score('b', 'acme', 'social', 5),
    score('a', 'north', 'quality', 3), score('b', 'north', 'quality', 3),
    score('a', 'north', 'price', 5), score('b', 'north', 'price', 5),
    score('a', 'north', 'social', 2), score('b', 'north', 'social', 3),
  ];
  const results = weightedTotals(setup(), scores, [{ bidder: 'acme', criterion: 'price', score: 3, rationale: 'Agreed at moderation' }]);
  expect(results.map((r) => [r.bidder, r.total, r.quality])).toEqual([
    ['acme', 78, 40],
    ['north', 70, 30],
  ]);
  expect(rank(results).recommended).toBe('acme');
});

test('ties go to the higher quality score, and a tie on both is referred back to the panel', () => {
  expect(rank([{ bidder: 'a', total: 70, quality: 30, byCriterion: {} }, { bidder: 'b', total: 70, quality: 35, byCriterion: {} }]).recommended).toBe('b');
  const tie = rank([{ bidder: 'a', total: 70, quality: 30, byCriterion: {} }, { bidder: 'b', total: 70, quality: 30, byCriterion: {} }]);
  expect(tie.recommended).toBeUndefined();
  expect(tie.referredToPanel).toEqual(['a', 'b']);
});

test('a scoring decision in the record is told without its comment or reasons while scoring is blind; other entries as they are', () => {
  const entry = { event: 'task-decided', by: 'council-panel-member', detail: 'Score Acme Care independently: submit, "I gave Acme 5"', reason: 'I gave Acme 5' };
  expect(blindRecordEntry(entry)).toEqual({ event: 'task-decided', by: 'council-panel-member', detail: 'Score Acme Care independently: submit (the scores and reasons are shown when scoring closes)' });
  const declared = { event: 'task-decided', detail: 'Declare any conflict of interest before evaluating Acme Care: declare', reason: 'none' };
  expect(blindRecordEntry(declared)).toBe(declared);
});
