import { workflowInfo } from '@temporalio/workflow';

/**
 * Continue as new past this many events: a run that waits for years (overdue reminders, about 29
 * events each) then stays well under 2,000 events, with room for what it does while it drains.
 */
export const HISTORY_BOUND = 1_000;

/** Whether this run has grown long enough to continue as new (the one definition; queries and validators may read it). */
export const runIsLong = (): boolean => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_BOUND;
