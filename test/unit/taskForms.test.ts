import { checkForm, dataFromForm, type FormField } from '../../domain/taskData';
import { scoringDueAt, scoringFields } from '../../domain/evaluation';

const setup = {
  criteria: [
    { id: 'quality', name: 'Quality', kind: 'quality' as const, weight: 80 },
    { id: 'social', name: 'Social value', kind: 'social-value' as const, weight: 20 },
  ],
  bidders: [
    { id: 'acme', name: 'Acme Care' },
    { id: 'north', name: 'North Support' },
  ],
};

test('a scoring form asks a score on the scale and a reason for every bidder the member scores and every criterion', () => {
  const fields = scoringFields(setup, ['north'], 5);
  expect(fields.map((f) => f.path.join('.'))).toEqual(['scores.north.quality.score', 'scores.north.quality.reason', 'scores.north.social.score', 'scores.north.social.reason']);
  const good = { scores: { north: { quality: { score: 4, reason: 'Good outcomes' }, social: { score: 0, reason: 'Nothing offered' } } } };
  expect(checkForm(fields, good)).toBeUndefined();
  expect(checkForm(fields, { scores: { north: { quality: { score: 4.5, reason: 'Good outcomes' }, social: { score: 0, reason: 'Nothing offered' } } } })).toBe(
    'scores.north.quality.score: North Support: score for Quality must be a whole number from 0 to 5',
  );
  expect(checkForm(fields, { scores: { north: { quality: { score: 4, reason: '  ' }, social: { score: 0, reason: 'ok' } } } })).toBe(
    'scores.north.quality.reason: North Support: reason for the Quality score is required; scores.north.social.reason: North Support: reason for the Social value score must be written out (3 to 4,000 characters)',
  );
  // A score for a bidder the member is conflicted on is not theirs to give.
  expect(checkForm(fields, { ...good, scores: { ...good.scores, acme: { quality: { score: 5, reason: 'x' } } } })).toContain('scores.acme.quality.score: not asked for here');
  expect(checkForm(fields, undefined)).toContain('is required');
});

test('an emailed form rebuilds the same data, whole numbers as numbers, blanks left out', () => {
  const fields: FormField[] = [
    { path: ['score'], label: 'Score', type: 'integer', required: true, min: 0, max: 5 },
    { path: ['conflicts', 'acme'], label: 'Interest', type: 'text', required: false },
    { path: ['member'], label: 'Member', type: 'choice', required: true, choices: [{ value: 'a', label: 'A' }] },
  ];
  expect(dataFromForm(fields, { 'data.score': ' 3 ', 'data.conflicts.acme': '', 'data.member': 'a', decision: 'x' })).toEqual({ score: 3, member: 'a' });
  expect(dataFromForm(fields, { 'data.score': 'three' })).toEqual({ score: 'three' });
  expect(checkForm(fields, { score: 'three', member: 'b' })).toBe('score: Score must be a whole number from 0 to 5; member: Member must be one of a');
  expect(dataFromForm(fields, {})).toBeUndefined();
});

test('the scoring deadline is a date-time or a working-day duration from now', () => {
  const ew = { name: 'england-and-wales' as const, extraHolidays: [] };
  // Thursday 24 December 2026: 2 working days skip Christmas, Boxing Day substitute and the weekend.
  expect(scoringDueAt('2 working days', ew, new Date('2026-12-24T10:00:00Z'))!.toISOString()).toBe('2026-12-30T10:00:00.000Z');
  expect(scoringDueAt('2027-03-01T17:00:00Z', ew, new Date())!.toISOString()).toBe('2027-03-01T17:00:00.000Z');
  expect(scoringDueAt('next week', ew, new Date())).toBeUndefined();
});
