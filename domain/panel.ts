import { isWorkingDay, ukOffsetMs, type Calendar } from './calendar';
import { addDuration } from './duration';
import type { ResourceAllocationPolicy } from './referral';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const iso = (y: number, m: number, d: number): string => new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10);

/** The panel's meeting in a month: its week and weekday, moved to the next working day if a holiday. */
function meetingIn(calendar: Calendar, policy: ResourceAllocationPolicy['panel'], year: number, month: number): Date {
  const want = WEEKDAYS.indexOf(policy.weekday);
  let day: number;
  if (policy.week === 'last') {
    day = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    while (new Date(Date.UTC(year, month, day)).getUTCDay() !== want) day--;
  } else {
    day = 1;
    while (new Date(Date.UTC(year, month, day)).getUTCDay() !== want) day++;
    day += (policy.week - 1) * 7;
  }
  while (!isWorkingDay(calendar, iso(year, month, day))) day++;
  const [hh, mm] = policy.at.split(':').map(Number) as [number, number];
  const local = Date.UTC(year, month, day, hh, mm);
  // UK clock time: the offset of that day, so "10:00" is 10:00 in summer and winter alike.
  return new Date(local - ukOffsetMs(local - 3_600_000));
}

/**
 * When the panel hears a referral: urgent ones within `urgentWithin` (2 working days); others at
 * the first monthly meeting at least `notice` after `from`, so members can prepare.
 */
export function panelDateFor(calendar: Calendar, policy: ResourceAllocationPolicy, from: Date, urgent: boolean, withNotice = true): Date {
  if (urgent) return addDuration(calendar, from, policy.urgentWithin);
  const earliest = withNotice ? addDuration(calendar, from, policy.notice) : from;
  let year = earliest.getUTCFullYear();
  let month = earliest.getUTCMonth();
  for (;;) {
    const meeting = meetingIn(calendar, policy.panel, year, month);
    if (meeting.getTime() >= earliest.getTime()) return meeting;
    month++;
    if (month === 12) {
      month = 0;
      year++;
    }
  }
}

/** A deferred referral returns to the first meeting on or after its return date. */
export function panelOnOrAfter(calendar: Calendar, policy: ResourceAllocationPolicy, returnDate: string, now: Date): Date {
  const [y, m, d] = returnDate.split('-').map(Number) as [number, number, number];
  const startOfDay = new Date(Date.UTC(y, m - 1, d) - ukOffsetMs(Date.UTC(y, m - 1, d)));
  return panelDateFor(calendar, policy, startOfDay.getTime() > now.getTime() ? startOfDay : now, false, false);
}

/** An instant at a UK clock time on a UK date ("2027-03-01", "10:00"). */
export function ukInstant(date: string, at: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = at.split(':').map(Number) as [number, number];
  const local = Date.UTC(y, m - 1, d, hh, mm);
  return new Date(local - ukOffsetMs(local - 3_600_000));
}
