import { z } from 'zod';
import { lazy } from './lazy';
import { parseDuration } from './duration';

/**
 * A retention period as a records policy states it: "7 years", "18 months", "90 days", or ISO
 * 8601 ("P7Y", "P6M"). Working days make no sense for keeping records and are refused.
 */
export interface RetentionPeriod {
  years: number;
  months: number;
  days: number;
}

const YEARS = /^(\d{1,3})\s+years?$/i;
const MONTHS = /^(\d{1,4})\s+months?$/i;

export function parseRetention(text: string): RetentionPeriod | undefined {
  const t = text.trim();
  let m = YEARS.exec(t);
  if (m) return { years: Number(m[1]), months: 0, days: 0 };
  m = MONTHS.exec(t);
  if (m) return { years: 0, months: Number(m[1]), days: 0 };
  const d = parseDuration(t);
  if (!d || d.kind !== 'calendar' || d.ms !== 0) return undefined;
  return { years: d.years, months: d.months, days: d.days };
}

const MAX_YEARS = 200;

export const retentionText = lazy(() =>
  z.string().refine(
    (s) => {
      const r = parseRetention(s);
      return r !== undefined && r.years + r.months / 12 + r.days / 365 <= MAX_YEARS && r.years + r.months + r.days > 0;
    },
    { message: 'must be "<n> years", "<n> months", "<n> days" or an ISO 8601 period such as "P7Y" (more than nothing, at most 200 years)' },
  ),
);

/** When a record kept for `text` from `endedAt` may be disposed of: end plus the period, in UTC. */
export function retainedUntil(endedAt: Date, text: string): Date {
  const r = parseRetention(text);
  if (!r) throw new TypeError(`Not a retention period: "${text}"`);
  const t = new Date(endedAt.getTime());
  t.setUTCMonth(t.getUTCMonth() + r.years * 12 + r.months);
  return new Date(t.getTime() + r.days * 86_400_000);
}

/** The latest end that is due for disposal at `now` (an upper bound for a query; check each with retainedUntil). */
export function endedBefore(now: Date, text: string): Date {
  const r = parseRetention(text);
  if (!r) throw new TypeError(`Not a retention period: "${text}"`);
  const t = new Date(now.getTime() - r.days * 86_400_000);
  // Month arithmetic at month ends is not symmetric: allow a few days of slack, then check exactly.
  t.setUTCMonth(t.getUTCMonth() - r.years * 12 - r.months);
  return new Date(t.getTime() + 4 * 86_400_000);
}
