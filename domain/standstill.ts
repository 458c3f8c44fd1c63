import { nextUkDate, ukDate, workingDayPeriodEnd, type Calendar } from './calendar';
import type { StandstillKind } from './proportionality';

/** "No UK bank holiday anywhere counts": the Act's own working days. */
export const procurementActCalendar: Calendar = { name: 'procurement-act', extraHolidays: [] };

export const STANDSTILL_WORKING_DAYS = 8;
export const REPRESENTATION_WORKING_DAYS = 5;

/**
 * When standstill ends after a notice: the earliest instant the contract may lawfully be signed.
 * - Procurement Act (and a voluntary light-touch standstill): 8 working days beginning with the
 *   day the contract award notice is published, on the Act's calendar.
 * - Provider Selection Regime: 8 working days starting the day after the intention-to-award
 *   notice, on the partnership's calendar.
 */
export function standstillEnds(kind: StandstillKind, noticeAt: Date, partnershipCalendar: Calendar): Date | undefined {
  const noticeDay = ukDate(noticeAt);
  if (kind === 'procurement-act' || kind === 'voluntary') return workingDayPeriodEnd(procurementActCalendar, noticeDay, STANDSTILL_WORKING_DAYS);
  if (kind === 'provider-selection-regime') return workingDayPeriodEnd(partnershipCalendar, nextUkDate(noticeDay), STANDSTILL_WORKING_DAYS);
  return undefined;
}

/** Provider Selection Regime: after the decision on representations, 5 further working days from the next day. */
export function afterRepresentations(decidedAt: Date, partnershipCalendar: Calendar): Date {
  return workingDayPeriodEnd(partnershipCalendar, nextUkDate(ukDate(decidedAt)), REPRESENTATION_WORKING_DAYS);
}
