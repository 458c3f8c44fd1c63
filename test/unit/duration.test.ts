import { addDuration, parseDuration, subtractDuration } from '../../domain/duration';
import type { Calendar } from '../../domain/calendar';

const ew: Calendar = { name: 'england-and-wales', extraHolidays: [] };

test('reads the three forms partners write', () => {
  expect(parseDuration('10 working days')).toEqual({ kind: 'working-days', days: 10 });
  expect(parseDuration('1 working day')).toEqual({ kind: 'working-days', days: 1 });
  expect(parseDuration('2 days')).toMatchObject({ kind: 'calendar', days: 2, ms: 0 });
  expect(parseDuration('PT30S')).toMatchObject({ kind: 'calendar', days: 0, ms: 30_000 });
  expect(parseDuration('P3M')).toMatchObject({ kind: 'calendar', months: 3 });
  expect(parseDuration('P1DT2H')).toMatchObject({ kind: 'calendar', days: 1, ms: 7_200_000 });
});

test.each(['', 'ten working days', 'P', 'PT', '3 weeks', '-2 days', 'P1H'])('refuses "%s"', (text) => {
  expect(parseDuration(text)).toBeUndefined();
});

test('applies each form from a Friday before a bank-holiday Monday', () => {
  const friday = new Date('2026-05-22T09:00:00Z'); // Spring bank holiday: Monday 25 May 2026
  expect(addDuration(ew, friday, '1 working day').toISOString()).toBe('2026-05-26T09:00:00.000Z');
  expect(addDuration(ew, friday, '2 days').toISOString()).toBe('2026-05-24T09:00:00.000Z');
  expect(addDuration(ew, friday, 'PT30S').toISOString()).toBe('2026-05-22T09:00:30.000Z');
  expect(addDuration(ew, friday, 'P3M').toISOString()).toBe('2026-08-22T09:00:00.000Z');
  expect(subtractDuration(ew, new Date('2026-05-26T09:00:00Z'), '1 working day').toISOString()).toBe('2026-05-22T09:00:00.000Z');
});
