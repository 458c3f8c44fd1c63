import { temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

/**
 * Where a fired timer's lateness comes from, read from the history's own timestamps (ms):
 * `armed` how long after the workflow computed the wait the server started the timer (the
 * workflow task's own processing: the workflow says "wake in N ms" at the task's start, the
 * server counts from the task's completion); `server` how late the server fired it against its
 * own start plus duration; `pickup` from firing to the worker starting the task that handles it.
 */
export function timerLateness(events: Event[]): { armed: number; server: number; pickup: number }[] {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const out: { armed: number; server: number; pickup: number }[] = [];
  events.forEach((fired, i) => {
    if (fired.eventType !== EventType.EVENT_TYPE_TIMER_FIRED) return;
    const started = byId.get(Number(fired.timerFiredEventAttributes?.startedEventId));
    const attrs = started?.timerStartedEventAttributes;
    const completed = byId.get(Number(attrs?.workflowTaskCompletedEventId));
    const wftStarted = byId.get(Number(completed?.workflowTaskCompletedEventAttributes?.startedEventId));
    const next = events.slice(i + 1).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    if (!started || !attrs || !wftStarted || !next) return;
    out.push({
      armed: millis(started.eventTime) - millis(wftStarted.eventTime),
      server: millis(fired.eventTime) - (millis(started.eventTime) + millis(attrs.startToFireTimeout)),
      pickup: millis(next.eventTime) - millis(fired.eventTime),
    });
  });
  return out;
}
