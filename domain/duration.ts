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

/**
 * The longest duration anyone may write, in a policy or a request: ten years ("2610 working
 * days", "3653 days", "P10Y", "P120M"). Longer is a mistake or an attack: refused by the schema
 * before anything is computed, and by `addDuration` if it ever gets that far.
 */
export const DURATION_BOUND = { workingDays: 2610, days: 3653, months: 120 } as const;
const BOUND_TEXT = 'at most ten years ("2610 working days", "3653 days" or "P10Y")';

/** Whether a parsed duration is within DURATION_BOUND (a calendar duration: its months and days together). */
export function withinDurationBound(d: Duration): boolean {
  if (d.kind === 'working-days') return d.days <= DURATION_BOUND.workingDays;
  const months = d.years * 12 + d.months;
  const days = d.days + d.ms / 86_400_000;
  return months <= DURATION_BOUND.months && days <= DURATION_BOUND.days && months * 30.44 + days <= DURATION_BOUND.days;
}

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

/** A duration as partners and callers write it, within DURATION_BOUND. */
export const durationText = lazy(() =>
  z
    .string()
    .max(100, 'a duration is written in a few words, such as "10 working days"')
    .superRefine((s, ctx) => {
      const d = parseDuration(s);
      if (!d) ctx.addIssue({ code: 'custom', message: 'must be "<n> working days", "<n> days" or an ISO 8601 duration such as "PT30S" or "P3M"' });
      else if (!withinDurationBound(d)) ctx.addIssue({ code: 'custom', message: `must be ${BOUND_TEXT}` });
    })
    .describe(`"<n> working days", "<n> days" or an ISO 8601 duration; ${BOUND_TEXT}`),
);

function mustParse(text: DurationText): Duration {
  const d = parseDuration(text);
  if (!d) throw new TypeError(`Not a duration: "${text}"`);
  // Never computed beyond the bound: a working-day count that large would hold the event loop.
  if (!withinDurationBound(d)) throw new RangeError(`The duration "${text.slice(0, 40)}" is beyond the bound: ${BOUND_TEXT}.`);
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
