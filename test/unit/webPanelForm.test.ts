import { setupFieldOf, setupFromForm } from '../../web/services/evaluationPanel';
import { fieldSections } from '../../web/services/taskForm';

test("the panel set-up form becomes the API's body: ids from names, blank rows ignored, scoring closing at 5pm UK time", () => {
  const { setup, errors } = setupFromForm({
    'criteria-0-name': 'Quality of service',
    'criteria-0-kind': 'quality',
    'criteria-0-weight': '80',
    'criteria-1-name': ' ',
    'criteria-2-name': 'Social value',
    'criteria-2-kind': 'social-value',
    'criteria-2-weight': '20',
    bidders: 'Acme Care\r\n\r\nNorth Support ',
    members: ['council-panel-member', 'nenc-panel-member'],
    scoringDue: '2027-07-01',
  });
  expect(errors).toEqual([]);
  expect(setup).toEqual({
    criteria: [
      { id: 'quality-of-service', name: 'Quality of service', kind: 'quality', weight: 80 },
      { id: 'social-value', name: 'Social value', kind: 'social-value', weight: 20 },
    ],
    bidders: [
      { id: 'acme-care', name: 'Acme Care' },
      { id: 'north-support', name: 'North Support' },
    ],
    members: ['council-panel-member', 'nenc-panel-member'],
    // 17:00 British Summer Time.
    scoringDue: '2027-07-01T16:00:00.000Z',
  });
});

test('a weight that is not a whole number, a missing kind or date are said against their fields; rules map to theirs', () => {
  const { errors } = setupFromForm({ 'criteria-0-name': 'Price', 'criteria-0-weight': '20.5', members: 'council-panel-member', scoringDue: '' });
  expect(errors.map((e) => e.field)).toEqual(['criteria-0-weight', 'criteria-0-kind', 'scoringDue']);
  expect(setupFieldOf('social-value-minimum')).toBe('socialValueJustification');
  expect(setupFieldOf('joint-panel')).toBe('members');
  expect(setupFieldOf('criteria[2].weight')).toBe('criteria-2-weight');
  expect(setupFieldOf('weights-sum-to-100')).toBe('criteria-0-weight');
});

test("a task's fields are shown in sections: consecutive fields of one group together, others alone", () => {
  const f = (path: string, group?: string) => ({ path: [path], group });
  expect(fieldSections([f('a', 'Acme'), f('b', 'Acme'), f('c', 'North'), f('d'), f('e')]).map((s) => [s.group, s.fields.map((x) => x.path[0])])).toEqual([
    ['Acme', ['a', 'b']],
    ['North', ['c']],
    [undefined, ['d']],
    [undefined, ['e']],
  ]);
});
