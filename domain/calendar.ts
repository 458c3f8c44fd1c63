import { z } from 'zod';
import { lazy } from './lazy';

/**
 * Working-day calendars for UK public bodies.
 *
 * Pure and deterministic (no Intl, no clock), so workflow code can compute deadlines with it
 * and replay gets the same answer. Dates are civil dates in the UK ("YYYY-MM-DD"); instants are
 * converted through UK civil time (GMT/BST) because a bank holiday is a UK calendar day.
 */

export type CalendarName = 'england-and-wales' | 'procurement-act';

export const calendarNames = ['england-and-wales', 'procurement-act'] as const;

/** The calendar a case counts working days on, as every workflow's input carries it. */
export const calendarSchema = lazy(() => z.object({ name: z.enum(calendarNames), extraHolidays: z.array(z.string()) }));

export interface Calendar {
  readonly name: CalendarName;
  /** Proclaimed one-off bank holidays added by configuration (e.g. a coronation), "YYYY-MM-DD". */
  readonly extraHolidays: string[];
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 for a civil date. */
function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

function isoOf(dayNo: number): string {
  return new Date(dayNo * DAY_MS).toISOString().slice(0, 10);
}

function weekday(dayNo: number): number {
  return new Date(dayNo * DAY_MS).getUTCDay();
}

function isWeekend(dayNo: number): boolean {
  const w = weekday(dayNo);
  return w === 0 || w === 6;
}

/** Anonymous Gregorian computus (Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoOf(dayNumber(year, month, day));
}

function firstMonday(year: number, month: number): number {
  let d = dayNumber(year, month, 1);
  while (weekday(d) !== 1) d++;
  return d;
}

function lastMonday(year: number, month: number): number {
  let d = dayNumber(year, month + 1, 1) - 1;
  while (weekday(d) !== 1) d--;
  return d;
}

/**
 * Fixed-date holidays move to the next weekday not already a holiday when they fall at a
 * weekend (the "substitute day" rule: Christmas on a Saturday gives Monday 27 and Boxing Day
 * Tuesday 28).
 */
function withSubstitutes(fixed: number[], movable: number[]): number[] {
  const taken = new Set<number>(movable);
  for (const day of fixed) {
    let d = day;
    while (isWeekend(d) || taken.has(d)) d++;
    taken.add(d);
  }
  return [...taken].sort((x, y) => x - y);
}

function englandAndWales(year: number): number[] {
  const easter = dayNumber(...(easterSunday(year).split('-').map(Number) as [number, number, number]));
  return withSubstitutes(
    [dayNumber(year, 1, 1), dayNumber(year, 12, 25), dayNumber(year, 12, 26)],
    [easter - 2, easter + 1, firstMonday(year, 5), lastMonday(year, 5), lastMonday(year, 8)],
  );
}

function scotland(year: number): number[] {
  const easter = dayNumber(...(easterSunday(year).split('-').map(Number) as [number, number, number]));
  return withSubstitutes(
    [dayNumber(year, 1, 1), dayNumber(year, 1, 2), dayNumber(year, 11, 30), dayNumber(year, 12, 25), dayNumber(year, 12, 26)],
    [easter - 2, firstMonday(year, 5), lastMonday(year, 5), firstMonday(year, 8)],
  );
}

function northernIreland(year: number): number[] {
  const easter = dayNumber(...(easterSunday(year).split('-').map(Number) as [number, number, number]));
  return withSubstitutes(
    [dayNumber(year, 1, 1), dayNumber(year, 3, 17), dayNumber(year, 7, 12), dayNumber(year, 12, 25), dayNumber(year, 12, 26)],
    [easter - 2, easter + 1, firstMonday(year, 5), lastMonday(year, 5), lastMonday(year, 8)],
  );
}

const yearCache = new Map<string, Set<number>>();

function holidaysOf(name: CalendarName, year: number): Set<number> {
  const key = `${name}:${year}`;
  let days = yearCache.get(key);
  if (!days) {
    days =
      name === 'england-and-wales'
        ? new Set(englandAndWales(year))
        : new Set([...englandAndWales(year), ...scotland(year), ...northernIreland(year)]);
    yearCache.set(key, days);
  }
  return days;
}

/** Bank holidays of a calendar in a year, as "YYYY-MM-DD", sorted. */
export function bankHolidays(calendar: Calendar, year: number): string[] {
  const extra = calendar.extraHolidays.filter((d) => d.startsWith(`${year}-`));
  return [...new Set([...[...holidaysOf(calendar.name, year)].map(isoOf), ...extra])].sort();
}

function isWorkingDayNumber(calendar: Calendar, dayNo: number): boolean {
  if (isWeekend(dayNo)) return false;
  const iso = isoOf(dayNo);
  if (calendar.extraHolidays.includes(iso)) return false;
  return !holidaysOf(calendar.name, Number(iso.slice(0, 4))).has(dayNo);
}

export function isWorkingDay(calendar: Calendar, isoDate: string): boolean {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return isWorkingDayNumber(calendar, dayNumber(y, m, d));
}

/** UK civil time: BST (UTC+1) from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October. */
export function ukOffsetMs(instantMs: number): number {
  const year = new Date(instantMs).getUTCFullYear();
  const lastSunday = (month: number): number => {
    let d = dayNumber(year, month + 1, 1) - 1;
    while (weekday(d) !== 0) d--;
    return d * DAY_MS + 3_600_000;
  };
  return instantMs >= lastSunday(3) && instantMs < lastSunday(10) ? 3_600_000 : 0;
}

/** The UK civil date of an instant, "YYYY-MM-DD". */
export function ukDate(instant: Date): string {
  return new Date(instant.getTime() + ukOffsetMs(instant.getTime())).toISOString().slice(0, 10);
}

function shiftWorkingDays(calendar: Calendar, from: Date, n: number, direction: 1 | -1): Date {
  const offset = ukOffsetMs(from.getTime());
  const local = from.getTime() + offset;
  let dayNo = Math.floor(local / DAY_MS);
  const timeOfDay = local - dayNo * DAY_MS;
  for (let counted = 0; counted < n; ) {
    dayNo += direction;
    if (isWorkingDayNumber(calendar, dayNo)) counted++;
  }
  const targetLocal = dayNo * DAY_MS + timeOfDay;
  // The offset of the target day, not the start, so "10:00" stays 10:00 across a clock change.
  return new Date(targetLocal - ukOffsetMs(targetLocal - 3_600_000));
}

/** The same UK clock time, `n` working days later. */
export function addWorkingDays(calendar: Calendar, from: Date, n: number): Date {
  return shiftWorkingDays(calendar, from, n, 1);
}

/** The same UK clock time, `n` working days earlier. */
export function subtractWorkingDays(calendar: Calendar, from: Date, n: number): Date {
  return shiftWorkingDays(calendar, from, n, -1);
}

/** The UK date after `isoDate`. */
export function nextUkDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return new Date((dayNumber(y, m, d) + 1) * DAY_MS).toISOString().slice(0, 10);
}

/**
 * When a period of `n` working days ends: UK midnight after its last day. Day 1 is the first
 * working day on or after `firstDay` (a UK date), as statutory periods count.
 */
export function workingDayPeriodEnd(calendar: Calendar, firstDay: string, n: number): Date {
  const [y, m, d] = firstDay.split('-').map(Number) as [number, number, number];
  let dayNo = dayNumber(y, m, d);
  for (let counted = 0; ; dayNo++) {
    if (isWorkingDayNumber(calendar, dayNo) && ++counted === n) break;
  }
  const localMidnight = (dayNo + 1) * DAY_MS;
  return new Date(localMidnight - ukOffsetMs(localMidnight - 3_600_000));
}
