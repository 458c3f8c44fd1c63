import { timetable } from '../../domain/lifecycle';
import { highRiskFactorIds, proportionality, type ProportionalityInput } from '../../domain/proportionality';

const plan = (input: Partial<ProportionalityInput>) =>
  proportionality({ value: 0, highRiskFactors: [], healthCareService: false, socialCareService: false, unusualTerms: false, urgent: false, voluntaryStandstill: false, ...input });

test.each([
  [24_999.99, 'none', [], false],
  [25_000, 'quotes', [], false],
  [100_000, 'quotes', [], false],
  [100_000.01, 'sourcing-strategy', [1, 2, 3, 4], false],
  [500_000, 'sourcing-strategy', [1, 2, 3, 4], false],
  [500_000.01, 'sourcing-strategy', [1, 2, 3, 4], true],
] as const)('£%d: procurement %s, gates %j, legal review %s', (value, procurement, gates, legal) => {
  expect(plan({ value })).toMatchObject({ procurement, gates, legalReview: legal });
});

test.each(highRiskFactorIds)('high risk (%s) at £10,000: sourcing strategy, gates 1 to 4, legal review with 15 working days', (factor) => {
  const p = plan({ value: 10_000, highRiskFactors: [factor] });
  expect(p).toMatchObject({ highRisk: true, procurement: 'sourcing-strategy', gates: [1, 2, 3, 4], legalReview: true, legalLeadTime: '15 working days' });
  expect(p.reasons[1]).toMatch(/^High risk \(.+\): legal review, with at least 15 working days allowed for legal input\.$/);
});

test('unusual terms alone call for legal review, not for gates', () => {
  expect(plan({ value: 50_000, unusualTerms: true })).toMatchObject({ procurement: 'quotes', gates: [], legalReview: true });
});

test.each([
  [663_540, { socialCareService: true }, 'procurement-act', 'procurement-act', 30],
  [663_540.01, { socialCareService: true }, 'light-touch', 'none', 120],
  [663_540.01, { socialCareService: true, voluntaryStandstill: true }, 'light-touch', 'voluntary', 120],
  [663_540.01, {}, 'procurement-act', 'procurement-act', 30],
  [10_000, { healthCareService: true }, 'provider-selection-regime', 'provider-selection-regime', 30],
  [1_000_000, { healthCareService: true, socialCareService: true }, 'provider-selection-regime', 'provider-selection-regime', 30],
] as const)('£%d %j: regime %s, standstill %s, contract details notice within %d days', (value, flags, regime, standstill, days) => {
  expect(plan({ value, ...flags })).toMatchObject({ regime, standstill, contractDetailsNoticeDays: days });
});

test('the urgent route keeps only gate 4, and says so', () => {
  const p = plan({ value: 200_000, urgent: true });
  expect(p.gates).toEqual([4]);
  expect(p.reasons).toContain('Urgent: the expedited route keeps only gate 4 (the full business case at award); the justification is recorded and reviewed afterwards.');
});

test('the timetable: legal input takes 15 working days, standstill 8 on the Act calendar, from a start before Christmas', () => {
  const ew = { name: 'england-and-wales' as const, extraHolidays: [] };
  const t = timetable(plan({ value: 600_000 }), new Date('2026-12-21T10:00:00Z'), ew);
  const at = (step: string) => t.find((e) => e.step === step)!.earliest;
  expect(at('gate-1')).toBe('2026-12-21T10:00:00.000Z');
  // 15 England and Wales working days from Mon 21 Dec 2026: skips 25, 28 Dec and 1 Jan.
  expect(at('legal-review')).toBe('2027-01-14T10:00:00.000Z');
  expect(at('award')).toBe(at('legal-review'));
  // 8 Act working days beginning Thu 14 Jan: 14, 15, 18, 19, 20, 21, 22, 25.
  expect(at('standstill')).toBe('2027-01-26T00:00:00.000Z');
  expect(at('signing')).toBe(at('standstill'));
  expect(t.map((e) => e.step)).toEqual([
    'lived-experience', 'gate-1', 'market-engagement-notice', 'market-engagement', 'gate-2', 'legal-review', 'gate-3', 'specification-signoff', 'social-value',
    'conflicts-assessment', 'tender-notice', 'evaluation', 'gate-4', 'award', 'award-notice', 'standstill', 'signing', 'contract-details-notice',
  ]);
});
