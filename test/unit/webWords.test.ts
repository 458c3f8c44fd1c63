import { loadPartnership } from '../../config';
import type { Task } from '../../domain/task';
import { askedOf, decidedInWords, stillAwaiting, textInWords } from '../../web/services/words';

/** What the pages say instead of ids, instants and codes (found by scripts/walkThrough.ts). */
const p = loadPartnership();
const bidders = [
  { id: 'acme-care', name: 'Acme Care' },
  { id: 'north-support', name: 'North Support' },
];

test('a workflow text with ids, an instant and a day reads as names and dates in words; what a person wrote, quoted, stays as written', () => {
  expect(textInWords(p, 'Sign "The council leads" (proposed by council-director-children), or counter-propose')).toBe('Sign "The council leads" (proposed by Example Director for Children and Families), or counter-propose');
  expect(textInWords(p, 'asked nenc-icb; due 2026-12-01T17:00:00.000Z')).toBe('Asked NHS North East and North Cumbria ICB; due Tuesday, 1 December 2026 at 17:00');
  expect(textInWords(p, 'record the panel\'s decision (panel of 2027-01-12)')).toBe("Record the panel's decision (panel of 12 January 2027)");
  // Not a date: a reference that happens to hold digits.
  expect(textInWords(p, 'FOI-2026-118')).toBe('FOI-2026-118');
});

test("an evaluation panel's bidders by their names, in titles and decisions", () => {
  expect(textInWords(p, 'Award the contract to acme-care', bidders)).toBe('Award the contract to Acme Care');
  expect(decidedInWords(textInWords(p, 'Choose between Acme Care and North Support, tied on total and quality: acme-care, "Closer to home"', bidders))).toBe(
    'Choose between Acme Care and North Support, tied on total and quality: Acme Care, "Closer to home"',
  );
  expect(decidedInWords('Record the Executive Board\'s resolution, or that a final decision is required: final-decision-required, "The Board could not agree"')).toBe(
    'Record the Executive Board\'s resolution, or that a final decision is required: final decision required, "The Board could not agree"',
  );
});

test('a task that "anyone" of its people may answer names them, not "anyone"; a partner by its name', () => {
  const task = {
    assignees: ['council-commissioner'],
    parties: [{ id: 'anyone', assignees: ['council-commissioner'], deputies: {}, unreachable: [] }],
    awaiting: ['anyone'],
  } as unknown as Task;
  expect(askedOf(p, task)).toBe('Example Council Commissioner');
  expect(stillAwaiting(p, task)).toBe('Example Council Commissioner');
  const partners = {
    assignees: ['council-senior-manager', 'nenc-senior-manager'],
    parties: [
      { id: 'council', partner: 'council', assignees: ['council-senior-manager'], deputies: {}, unreachable: [] },
      { id: 'nenc-icb', partner: 'nenc-icb', assignees: ['nenc-senior-manager'], deputies: {}, unreachable: [] },
    ],
    awaiting: ['nenc-icb'],
  } as unknown as Task;
  expect(askedOf(p, partners)).toBe('Cumberland Council; NHS North East and North Cumbria ICB');
  expect(stillAwaiting(p, partners)).toBe('NHS North East and North Cumbria ICB');
});
