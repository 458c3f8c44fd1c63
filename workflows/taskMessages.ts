import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Liveness } from '../domain/liveness';
import type { DecisionRequest, ExtensionRequest, Task } from '../domain/task';

// The Updates every workflow with tasks accepts: one path for decisions from the API and from
// emailed links, whatever the workflow. The API imports these handles, so names cannot drift.
export const decideTask = defineUpdate<Task, [DecisionRequest]>('decideTask');
export const extendTaskDeadline = defineUpdate<Task, [ExtensionRequest]>('extendTaskDeadline');

/**
 * Emails a fresh link to a person an open task asks, when theirs has expired: asked for from the
 * expired link's page. Refused when the task is closed or no longer asks them.
 */
export const sendFreshLink = defineUpdate<void, [{ taskId: string; person: string }]>('sendFreshLink');

/**
 * Asks a subject's workflow to write what it shows to the system of record now: how
 * `npm run record:backfill` brings workflows that started before the record, and sleep on a
 * long timer, into it. The workflow stays the only writer.
 */
export const refreshRecord = defineSignal('refreshRecord');

/** What an open case waits on (domain/liveness.ts): open tasks, dates, people, other cases. */
export const getWaitingOn = defineQuery<Liveness>('getWaitingOn');
