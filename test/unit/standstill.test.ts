import { afterRepresentations, standstillEnds } from '../../domain/standstill';

const ew = { name: 'england-and-wales' as const, extraHolidays: [] };
const ends = (kind: 'procurement-act' | 'provider-selection-regime', noticeAt: string) => standstillEnds(kind, new Date(noticeAt), ew)!.toISOString();

// Worked out by hand from the published bank holidays. The Act's calendar also skips Scotland's
// 4 January 2027 (for 2 January) and Northern Ireland's St Patrick's Day; England and Wales does not.
describe('standstill over Christmas 2026 (Fri 25 and Mon 28 Dec, Fri 1 Jan; Scotland Mon 4 Jan)', () => {
  test('Procurement Act: 8 working days beginning with the day of the notice, on the Act calendar', () => {
    // Wed 23 (1), Thu 24 (2), Tue 29 (3), Wed 30 (4), Thu 31 (5), Tue 5 Jan (6), Wed 6 (7), Thu 7 (8).
    expect(ends('procurement-act', '2026-12-23T10:00:00Z')).toBe('2027-01-08T00:00:00.000Z');
  });
  test('Provider Selection Regime: 8 working days from the day after the notice, in England and Wales', () => {
    // Notice Thu 24: Tue 29 (1), Wed 30, Thu 31, Mon 4 Jan (4: a working day in England), Tue 5, Wed 6, Thu 7, Fri 8 (8).
    expect(ends('provider-selection-regime', '2026-12-24T10:00:00Z')).toBe('2027-01-09T00:00:00.000Z');
  });
  test('representations decided on Christmas Eve: 5 more working days from the next working day', () => {
    // Tue 29 (1), Wed 30, Thu 31, Mon 4 Jan, Tue 5 (5).
    expect(afterRepresentations(new Date('2026-12-24T10:00:00Z'), ew).toISOString()).toBe('2027-01-06T00:00:00.000Z');
  });
});

describe('standstill over Easter 2027 (St Patrick Wed 17 Mar for the Act; Good Friday 26 Mar, Easter Monday 29 Mar; clocks change 28 Mar)', () => {
  test('Procurement Act: St Patrick\'s Day does not count', () => {
    // Mon 15 (1), Tue 16 (2), Thu 18 (3), Fri 19, Mon 22, Tue 23, Wed 24, Thu 25 (8): ends at midnight GMT.
    expect(ends('procurement-act', '2027-03-15T10:00:00Z')).toBe('2027-03-26T00:00:00.000Z');
  });
  test('Procurement Act across Easter: ends at midnight BST', () => {
    // Tue 23 (1), Wed 24, Thu 25, Tue 30, Wed 31, Thu 1 Apr, Fri 2, Mon 5 (8).
    expect(ends('procurement-act', '2027-03-23T10:00:00Z')).toBe('2027-04-05T23:00:00.000Z');
  });
  test('Provider Selection Regime across Easter: one day later, from the day after the notice', () => {
    // Wed 24 (1), Thu 25, Tue 30, Wed 31, Thu 1 Apr, Fri 2, Mon 5, Tue 6 (8).
    expect(ends('provider-selection-regime', '2027-03-23T10:00:00Z')).toBe('2027-04-06T23:00:00.000Z');
  });
});

test('light touch has no standstill unless the partners choose one, which then counts as the Act does', () => {
  expect(standstillEnds('none', new Date('2027-03-23T10:00:00Z'), ew)).toBeUndefined();
  expect(standstillEnds('voluntary', new Date('2027-03-23T10:00:00Z'), ew)!.toISOString()).toBe('2027-04-05T23:00:00.000Z');
});
