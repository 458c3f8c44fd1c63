import { z } from 'zod';
import { lazy } from './lazy';
import { addWorkingDays, subtractWorkingDays, type Calendar } from './calendar';

/**
 * A policy duration as partners write it: "10 working days", "2 days", or ISO 8601 ("PT30S",
 * "P3M"). Kept as the text the partnership wrote, so a workflow's input records the policy in
 * the words it was set in, and parsed where it is applied.
 */
export type DurationText = string;

export type Duration =
  | { kind: 'working-days'; days: number }
  | { kind: 'calendar'; years: number; months: number; days: number; ms: number };

const WORKING = /^(\d+)\s+working\s+days?$/i;
const DAYS = /^(\d+)\s+(?:calendar\s+)?days?$/i;
const ISO = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function parseDuration(text: string): Duration | undefined {
  const t = text.trim();
  let m = WORKING.exec(t);
  if (m) return { kind: 'working-days', days: Number(m[1]) };
  m = DAYS.exec(t);
  if (m) return { kind: 'calendar', years: 0, months: 0, days: Number(m[1]), ms: 0 };
  m = ISO.exec(t);
  if (m) {
    const n = (i: number): number => (m![i] ? Number(m![i]) : 0);
    return {
      kind: 'calendar',
      years: n(1),
      months: n(2),
      days: n(3) * 7 + n(4),
      ms: ((n(5) * 60 + n(6)) * 60 + n(7)) * 1000,
    };
  }
  return undefined;
}

export const durationText = lazy(() =>
  z.string().refine((s) => parseDuration(s) !== undefined, {
    message: 'must be "<n> working days", "<n> days" or an ISO 8601 duration such as "PT30S" or "P3M"',
  }),
);

function mustParse(text: DurationText): Duration {
  const d = parseDuration(text);
  if (!d) throw new TypeError(`Not a duration: "${text}"`);
  return d;
}

function shiftCalendar(from: Date, d: Extract<Duration, { kind: 'calendar' }>, sign: 1 | -1): Date {
  const t = new Date(from.getTime());
  if (d.years || d.months) t.setUTCMonth(t.getUTCMonth() + sign * (d.years * 12 + d.months));
  return new Date(t.getTime() + sign * (d.days * 86_400_000 + d.ms));
}

/** `from` plus a policy duration, counting working days on the calendar. */
export function addDuration(calendar: Calendar, from: Date, text: DurationText): Date {
  const d = mustParse(text);
  return d.kind === 'working-days' ? addWorkingDays(calendar, from, d.days) : shiftCalendar(from, d, 1);
}

/** `from` minus a policy duration (a reminder "3 working days before" the due time). */
export function subtractDuration(calendar: Calendar, from: Date, text: DurationText): Date {
  const d = mustParse(text);
  return d.kind === 'working-days' ? subtractWorkingDays(calendar, from, d.days) : shiftCalendar(from, d, -1);
}
