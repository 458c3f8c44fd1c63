import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecisionRequest, ExtensionRequest, Task } from '../domain/task';

// The Updates every workflow with tasks accepts: one path for decisions from the API and from
// emailed links, whatever the workflow. The API imports these handles, so names cannot drift.
export const decideTask = defineUpdate<Task, [DecisionRequest]>('decideTask');
export const extendTaskDeadline = defineUpdate<Task, [ExtensionRequest]>('extendTaskDeadline');

/**
 * Asks a subject's workflow to write what it shows to the system of record now: how
 * `npm run record:backfill` brings workflows that started before the record, and sleep on a
 * long timer, into it. The workflow stays the only writer.
 */
export const refreshRecord = defineSignal('refreshRecord');
