import fc from 'fast-check';
import { addWorkingDays, bankHolidays, isWorkingDay, nextUkDate, subtractWorkingDays, ukDate, ukOffsetMs, workingDayPeriodEnd, type Calendar, type CalendarWork } from '../../domain/calendar';

const ew: Calendar = { name: 'england-and-wales', extraHolidays: [] };
const act: Calendar = { name: 'procurement-act', extraHolidays: [] };

describe('England and Wales bank holidays (the dates published in DOMAIN.md)', () => {
  test.each([
    [2025, ['2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26']],
    [2026, ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28']],
    [2027, ['2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28']],
    [2028, ['2028-01-03', '2028-04-14', '2028-04-17', '2028-05-01', '2028-05-29', '2028-08-28', '2028-12-25', '2028-12-26']],
  ])('%i', (year, expected) => {
    expect(bankHolidays(ew, year)).toEqual(expected);
  });

  test('later years follow the rules (2029, 2030, 2031)', () => {
    expect(bankHolidays(ew, 2029)).toEqual(['2029-01-01', '2029-03-30', '2029-04-02', '2029-05-07', '2029-05-28', '2029-08-27', '2029-12-25', '2029-12-26']);
    expect(bankHolidays(ew, 2030)).toEqual(['2030-01-01', '2030-04-19', '2030-04-22', '2030-05-06', '2030-05-27', '2030-08-26', '2030-12-25', '2030-12-26']);
    expect(bankHolidays(ew, 2031)).toEqual(['2031-01-01', '2031-04-11', '2031-04-14', '2031-05-05', '2031-05-26', '2031-08-25', '2031-12-25', '2031-12-26']);
  });

  test('Boxing Day 2026 falls on a Saturday and moves to Monday 28 December', () => {
    expect(isWorkingDay(ew, '2026-12-26')).toBe(false);
    expect(isWorkingDay(ew, '2026-12-28')).toBe(false);
    expect(isWorkingDay(ew, '2026-12-29')).toBe(true);
  });

  test('a proclaimed extra day from configuration is not a working day', () => {
    const withCoronation: Calendar = { name: 'england-and-wales', extraHolidays: ['2027-06-07'] };
    expect(isWorkingDay(ew, '2027-06-07')).toBe(true);
    expect(isWorkingDay(withCoronation, '2027-06-07')).toBe(false);
    expect(bankHolidays(withCoronation, 2027)).toContain('2027-06-07');
  });
});

describe('Procurement Act calendar (bank holidays anywhere in the UK)', () => {
  test('adds the Scottish and Northern Irish days, with substitutes', () => {
    const days = bankHolidays(act, 2026);
    expect(days).toEqual(expect.arrayContaining(['2026-01-02', '2026-03-17', '2026-07-13', '2026-08-03', '2026-11-30']));
    // St Andrew's Day 2025 is a Sunday: Monday 1 December instead.
    expect(isWorkingDay(act, '2025-12-01')).toBe(false);
    expect(isWorkingDay(ew, '2025-12-01')).toBe(true);
  });

  test('an 8-working-day standstill from Friday 13 March 2026 skips St Patrick\'s Day', () => {
    const notice = new Date('2026-03-13T12:00:00Z');
    expect(addWorkingDays(ew, notice, 8).toISOString()).toBe('2026-03-25T12:00:00.000Z');
    expect(addWorkingDays(act, notice, 8).toISOString()).toBe('2026-03-26T12:00:00.000Z');
  });
});

describe('working-day arithmetic', () => {
  test('10 working days from the Thursday before Christmas 2026 lands on Tuesday 12 January 2027', () => {
    expect(addWorkingDays(ew, new Date('2026-12-24T10:00:00Z'), 10).toISOString()).toBe('2027-01-12T10:00:00.000Z');
  });

  test('3 working days before Tuesday 12 January 2027 is Thursday 7 January', () => {
    expect(subtractWorkingDays(ew, new Date('2027-01-12T10:00:00Z'), 3).toISOString()).toBe('2027-01-07T10:00:00.000Z');
  });

  test('keeps the UK clock time across the change to summer time', () => {
    // 09:00 GMT on Friday 27 March 2026; clocks go forward on Sunday 29 March.
    expect(addWorkingDays(ew, new Date('2026-03-27T09:00:00Z'), 1).toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  test('uses the UK date, not the UTC date, late in a summer evening', () => {
    // 23:30 UTC on Friday 5 June 2026 is already Saturday 00:30 in the UK: one working day on
    // is Monday 00:30 BST (Sunday 23:30 UTC), not Monday 23:30 UTC.
    expect(ukDate(new Date('2026-06-05T23:30:00Z'))).toBe('2026-06-06');
    expect(addWorkingDays(ew, new Date('2026-06-05T23:30:00Z'), 1).toISOString()).toBe('2026-06-07T23:30:00.000Z');
  });
});

/**
 * Issue 17, item 3: working days are counted a whole week at a time (holidays looked up once per
 * year), so "2,610 working days" costs some 520 steps, not 3,650. The day-by-day count below is
 * the rule as people count it; the fast count must agree with it everywhere.
 */
describe('working days counted by whole weeks', () => {
  const DAY = 86_400_000;
  /** The rule, one day at a time: the UK date `n` working days after (or before) the UK date of `from`. */
  function dayByDay(calendar: Calendar, from: Date, n: number, direction: 1 | -1): string {
    let day = Date.parse(`${ukDate(from)}T00:00:00Z`);
    for (let counted = 0; counted < n; ) {
      day += direction * DAY;
      if (isWorkingDay(calendar, new Date(day).toISOString().slice(0, 10))) counted++;
    }
    return new Date(day).toISOString().slice(0, 10);
  }
  const isoDay = fc.integer({ min: Date.UTC(1990, 0, 1) / DAY, max: Date.UTC(2150, 11, 31) / DAY }).map((d) => new Date(d * DAY).toISOString().slice(0, 10));
  const calendars = fc.record({
    name: fc.constantFrom('england-and-wales' as const, 'procurement-act' as const),
    // Proclaimed days, some at weekends, some on a bank holiday already, some repeated.
    extraHolidays: fc.array(fc.oneof(isoDay, fc.constantFrom('2026-12-25', '2027-06-05', '2027-06-07', '2030-01-01')), { maxLength: 12 }),
  });
  const instants = fc.integer({ min: Date.UTC(1995, 0, 1), max: Date.UTC(2140, 0, 1) }).map((ms) => new Date(ms));
  const runs = { seed: 17, numRuns: 100 };

  test('adding and subtracting agree with the day-by-day count', () => {
    fc.assert(
      fc.property(calendars, instants, fc.integer({ min: 0, max: 600 }), fc.constantFrom(1 as const, -1 as const), (calendar, from, n, direction) => {
        const fast = direction === 1 ? addWorkingDays(calendar, from, n) : subtractWorkingDays(calendar, from, n);
        expect(ukDate(fast)).toBe(dayByDay(calendar, from, n, direction));
        // The same UK clock time.
        const clock = (t: Date): number => (t.getTime() + ukOffsetMs(t.getTime())) % DAY;
        expect(clock(fast)).toBe(clock(from));
      }),
      runs,
    );
  });

  test("a statutory period's end agrees with the day-by-day count", () => {
    fc.assert(
      fc.property(calendars, isoDay, fc.integer({ min: 1, max: 400 }), (calendar, firstDay, n) => {
        const end = workingDayPeriodEnd(calendar, firstDay, n);
        const lastDay = ukDate(new Date(end.getTime() - 1));
        const before = new Date(Date.parse(`${firstDay}T12:00:00Z`) - DAY);
        expect(lastDay).toBe(dayByDay(calendar, before, n, 1));
        expect(nextUkDate(lastDay)).toBe(ukDate(end));
      }),
      runs,
    );
  });

  test('the work is bounded by the weeks, not the days', () => {
    const from = new Date('2026-05-22T09:00:00Z');
    for (const n of [1, 10, 261, 2610]) {
      const work: CalendarWork = { steps: 0 };
      addWorkingDays(ew, from, n, work);
      expect({ n, bounded: work.steps > 0 && work.steps <= Math.ceil(n / 4.5) + 16 }).toEqual({ n, bounded: true });
    }
  });
});
