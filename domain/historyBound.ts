import { z } from 'zod';
import { lazy } from './lazy';

/**
 * Continue as new past this many events: a run that waits for years (overdue reminders, about 29
 * events each) then stays well under 2,000 events, with room for what it does while it drains.
 */
export const HISTORY_BOUND = 1_000;

/**
 * The events a case's run may grow to before it continues as new, set per case and carried by
 * every workflow of the case (the commission, its panel, a dispute it or a referral raises).
 * Absent, the default above. A partnership whose cases are very chatty (many partners, many
 * reminders) may want a smaller bound, so that each run's history stays quick to load and replay;
 * a smaller bound also reaches a long wait's later runs sooner, where they can be checked.
 * Below 100 a run would barely hold one step; above 10,000 it would near the server's own limits.
 */
export const historyBoundSchema = lazy(() =>
  z.number().int('the history bound is a whole number of events').min(100, 'the history bound is at least 100 events').max(10_000, 'the history bound is at most 10,000 events'),
);
