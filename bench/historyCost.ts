import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;

/** What one commission's set-up cost the server and the worker, read from its history. */
export interface SetupCost {
  workflowTasks: number;
  activities: number;
  localActivities: number;
  /** Activities by type, e.g. `syncSubject: 2`. */
  byType: Record<string, number>;
  /** The workflow's own search attribute upserts. */
  searchAttributeUpserts: number;
  /** Those the SDK adds with each patch's first marker (`TemporalChangeVersion`). */
  patchVersionUpserts: number;
  memoUpserts: number;
  events: number;
}

/** Counts the events that cost a round trip (workflow tasks, activities) in one history. */
export function setupCostOf(events: temporal.api.history.v1.IHistoryEvent[]): SetupCost {
  const cost: SetupCost = { workflowTasks: 0, activities: 0, localActivities: 0, byType: {}, searchAttributeUpserts: 0, patchVersionUpserts: 0, memoUpserts: 0, events: events.length };
  for (const e of events) {
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        cost.workflowTasks++;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        cost.activities++;
        const type = e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        cost.byType[type] = (cost.byType[type] ?? 0) + 1;
        break;
      }
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        // Patch markers cost nothing extra; only local activities' markers are counted.
        if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') cost.localActivities++;
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const keys = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (keys.length === 1 && keys[0] === 'TemporalChangeVersion') cost.patchVersionUpserts++;
        else cost.searchAttributeUpserts++;
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
        cost.memoUpserts++;
        break;
    }
  }
  return cost;
}
