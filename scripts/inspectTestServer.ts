import { Connection } from '@temporalio/client';
// Internal to the SDK (the testing package imports it so too): the only way to ask for the test service.
import { InternalConnectionOptionsSymbol, type InternalConnectionOptions } from '@temporalio/client/lib/connection';
import { temporal } from '@temporalio/proto';
import { activitiesNeverClosed } from '../test/helpers/runs';
import { locksHeldAtTermination } from '../test/helpers/testServerQuirks';

/**
 * `npx tsx scripts/inspectTestServer.ts 127.0.0.1:PORT`: why a time-skipping server's clock has
 * stopped. Prints the virtual time and every run, open or closed, with its last event, its timers
 * still to fire and its activities never closed; a terminated run that still holds locks on time
 * is marked. Point it at the server a hung soak leaves running (`SOAK_KEEP_HUNG=1 npm run soak`
 * prints its address). Reads only: it neither unlocks nor changes anything.
 */
const T = temporal.api.enums.v1.EventType;
const S = temporal.api.enums.v1.WorkflowExecutionStatus;
type Event = temporal.api.history.v1.IHistoryEvent;

const at = (e: Event): string => new Date(Number(e.eventTime?.seconds ?? 0) * 1000).toISOString();

async function historyOf(connection: Connection, execution: temporal.api.common.v1.IWorkflowExecution): Promise<Event[]> {
  const events: Event[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution, nextPageToken });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return events;
}

function describe(events: Event[]): { timers: string[]; activities: string[] } {
  const timers = new Map<string, string>();
  for (const e of events) {
    const started = e.timerStartedEventAttributes;
    if (started) timers.set(started.timerId!, new Date(Number(e.eventTime?.seconds ?? 0) * 1000 + Number(started.startToFireTimeout?.seconds ?? 0) * 1000).toISOString());
    const timerOver = e.timerFiredEventAttributes ?? e.timerCanceledEventAttributes;
    if (timerOver) timers.delete(timerOver.timerId!);
  }
  const activities = activitiesNeverClosed(events).map((e) => `${e.activityTaskScheduledEventAttributes?.activityType?.name}@${e.eventId}`);
  return { timers: [...timers].map(([id, when]) => `${id} at ${when}`), activities };
}

async function main(address: string): Promise<void> {
  // A plain connection has no test service (getCurrentTime): the option the testing package sets.
  const options: InternalConnectionOptions = { address, [InternalConnectionOptionsSymbol]: { supportsTestService: true } };
  const connection = await Connection.connect(options);
  try {
    const now = await connection.testService?.getCurrentTime({});
    console.log(`virtual time: ${now?.time ? new Date(Number(now.time.seconds) * 1000).toISOString() : 'not a time-skipping server'}`);
    const open = await connection.workflowService.listOpenWorkflowExecutions({ namespace: 'default', maximumPageSize: 1000 });
    const closed = await connection.workflowService.listClosedWorkflowExecutions({ namespace: 'default', maximumPageSize: 10_000 });
    for (const run of [...(closed.executions ?? []), ...(open.executions ?? [])]) {
      const events = await historyOf(connection, run.execution!);
      const last = events.at(-1);
      const { timers, activities } = describe(events);
      const held = run.status === S.WORKFLOW_EXECUTION_STATUS_TERMINATED ? locksHeldAtTermination(events) : 0;
      console.log(
        [
          `${run.execution?.workflowId} ${run.execution?.runId?.slice(0, 8)} ${S[run.status ?? 0]?.replace('WORKFLOW_EXECUTION_STATUS_', '')}`,
          `${events.length} events, last ${last ? `${T[last.eventType ?? 0]?.replace('EVENT_TYPE_', '')} at ${at(last)}` : 'none'}`,
          timers.length ? `timers: ${timers.join(', ')}` : '',
          activities.length ? `activities never closed: ${activities.join(', ')}` : '',
          held ? `HOLDS ${held} lock(s) on time` : '',
        ]
          .filter(Boolean)
          .join('; '),
      );
    }
  } finally {
    await connection.close();
  }
}

const address = process.argv[2];
if (!address) {
  console.error('usage: npx tsx scripts/inspectTestServer.ts HOST:PORT');
  process.exit(2);
}
main(address).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
