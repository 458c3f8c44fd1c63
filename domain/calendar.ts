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

/**
 * The dates anyone may give the system (a deadline, a delegation's window, a records period, a
 * start or return date in a decision): from 1 January 1900 to 31 December 2199. Beyond them a
 * date is a mistake or an attack, and refusing it keeps every date the system computes from one
 * inside what Date can hold. One bound, read by the API's schemas, the workflows' validators and
 * the pages.
 */
export const DATE_BOUNDS = { earliest: '1900-01-01', latest: '2199-12-31' } as const;
const EARLIEST_MS = Date.parse(`${DATE_BOUNDS.earliest}T00:00:00Z`);
const AFTER_LATEST_MS = Date.parse(`${DATE_BOUNDS.latest}T00:00:00Z`) + 86_400_000;
export const DATE_BOUNDS_MESSAGE = `a date from ${DATE_BOUNDS.earliest.slice(0, 4)} to ${DATE_BOUNDS.latest.slice(0, 4)}`;

/**
 * The years of DATE_BOUNDS as a pattern, so the OpenAPI document states the bound too (a client's
 * validator refuses the year 0020 as the API does, with a 400, rather than learning it from a 422).
 */
const YEAR_IN_BOUNDS = /^(19|20|21)\d\d-/;

/** Whether a date ("YYYY-MM-DD") or date-time is a real one within DATE_BOUNDS. */
export function withinDateBounds(text: string): boolean {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return !Number.isNaN(t) && t >= EARLIEST_MS && t < AFTER_LATEST_MS;
}

/** A UK date, "YYYY-MM-DD", within DATE_BOUNDS. */
export const boundedDate = lazy(() => z.iso.date().regex(YEAR_IN_BOUNDS, DATE_BOUNDS_MESSAGE).refine(withinDateBounds, { message: DATE_BOUNDS_MESSAGE }));

/** An instant with its offset, within DATE_BOUNDS. */
export const boundedInstant = lazy(() => z.iso.datetime({ offset: true }).regex(YEAR_IN_BOUNDS, DATE_BOUNDS_MESSAGE).refine(withinDateBounds, { message: DATE_BOUNDS_MESSAGE }));

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

/**
 * How much counting a working-day computation did: one step a day at either end of the range
 * and one a whole week between. The tests read it to show the work is bounded by the weeks.
 */
export interface CalendarWork {
  steps: number;
}

/** Weekday holidays of a calendar in a year (named and proclaimed), as day numbers: looked up once per year. */
const weekdayHolidayCache = new Map<string, number[]>();

function weekdayHolidays(calendar: Calendar, year: number): number[] {
  const key = `${calendar.name}:${year}:${calendar.extraHolidays.join(',')}`;
  let days = weekdayHolidayCache.get(key);
  if (!days) {
    const extra = calendar.extraHolidays.filter((d) => d.startsWith(`${year}-`)).map((d) => dayNumber(...(d.split('-').map(Number) as [number, number, number])));
    days = [...new Set([...holidaysOf(calendar.name, year), ...extra])].filter((d) => !isWeekend(d));
    if (weekdayHolidayCache.size > 1000) weekdayHolidayCache.clear();
    weekdayHolidayCache.set(key, days);
  }
  return days;
}

/** Working days from Monday `monday` to the Sunday after it: five, less the holidays on its weekdays. */
function workingDaysInWeek(calendar: Calendar, monday: number): number {
  const first = new Date(monday * DAY_MS).getUTCFullYear();
  const last = new Date((monday + 6) * DAY_MS).getUTCFullYear();
  let holidays = 0;
  for (let year = first; year <= last; year++) for (const d of weekdayHolidays(calendar, year)) if (d >= monday && d <= monday + 6) holidays++;
  return 5 - holidays;
}

/**
 * The day `n` working days after (or before) day `start`. Day by day to the week's edge, then a
 * whole week at a time while the target lies beyond it, then day by day within its week: at
 * most some 14 single days plus one step a week, whatever `n` is.
 */
function shiftDayNumber(calendar: Calendar, start: number, n: number, direction: 1 | -1, work?: CalendarWork): number {
  let day = start;
  let left = n;
  const step = (): void => {
    day += direction;
    if (work) work.steps++;
    if (isWorkingDayNumber(calendar, day)) left--;
  };
  // To the week's edge: the next day is a Monday going forward, a Sunday going back.
  while (left > 0 && weekday(day + direction) !== (direction === 1 ? 1 : 0)) step();
  while (left > 0) {
    const monday = direction === 1 ? day + 1 : day - 7;
    const inWeek = workingDaysInWeek(calendar, monday);
    if (work) work.steps++;
    if (inWeek < left) {
      left -= inWeek;
      day += 7 * direction;
    } else {
      while (left > 0) step();
    }
  }
  return day;
}

function shiftWorkingDays(calendar: Calendar, from: Date, n: number, direction: 1 | -1, work?: CalendarWork): Date {
  const offset = ukOffsetMs(from.getTime());
  const local = from.getTime() + offset;
  const startDay = Math.floor(local / DAY_MS);
  const timeOfDay = local - startDay * DAY_MS;
  const dayNo = shiftDayNumber(calendar, startDay, n, direction, work);
  const targetLocal = dayNo * DAY_MS + timeOfDay;
  // The offset of the target day, not the start, so "10:00" stays 10:00 across a clock change.
  return new Date(targetLocal - ukOffsetMs(targetLocal - 3_600_000));
}

/** The same UK clock time, `n` working days later. */
export function addWorkingDays(calendar: Calendar, from: Date, n: number, work?: CalendarWork): Date {
  return shiftWorkingDays(calendar, from, n, 1, work);
}

/** The same UK clock time, `n` working days earlier. */
export function subtractWorkingDays(calendar: Calendar, from: Date, n: number, work?: CalendarWork): Date {
  return shiftWorkingDays(calendar, from, n, -1, work);
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
  // The nth working day counted from the day before the first: by whole weeks, as every count.
  const dayNo = shiftDayNumber(calendar, dayNumber(y, m, d) - 1, n, 1);
  const localMidnight = (dayNo + 1) * DAY_MS;
  return new Date(localMidnight - ukOffsetMs(localMidnight - 3_600_000));
}
