import type { Client, WorkflowClientInterceptor } from '@temporalio/client';
import { strandedBecause, type Liveness } from '../../domain/liveness';
import { getWaitingOn } from '../../workflows/taskMessages';

/** How long a step may take to settle (an activity resolving the next task's people, say). */
const SETTLE_MS = 5000;

/**
 * Checks a case is live once a step has settled: open, it waits on a task asking someone who
 * exists, a person's action, a date or another case. Workflows without the query (probes, the
 * delegation register) and closed ones pass.
 */
export async function expectLive(client: Client, workflowId: string, people: ReadonlySet<string>): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  const until = Date.now() + SETTLE_MS;
  let last = '';
  for (;;) {
    let liveness: Liveness;
    try {
      liveness = await handle.query(getWaitingOn);
    } catch (err) {
      const message = (err as Error).message ?? '';
      // Probes and the register have no such query; a closed workflow waits on nothing, rightly.
      if ((err as Error).name === 'QueryNotRegisteredError' || /not found|completed|closed|terminated|failed/i.test(message)) return;
      throw err;
    }
    const why = strandedBecause(liveness, people);
    if (!why) return;
    last = why;
    if (Date.now() > until) throw new Error(`Stranded: ${workflowId}: ${last}. It waits on ${JSON.stringify(liveness.waitingOn)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A client interceptor for workflow tests: after every update and signal a test sends, the
 * workflow it went to must still wait on someone or on a date (the liveness invariant).
 */
export function livenessChecks(client: () => Client, people: ReadonlySet<string>): WorkflowClientInterceptor {
  return {
    async startUpdate(input, next) {
      const out = await next(input);
      await expectLive(client(), input.workflowExecution.workflowId, people);
      return out;
    },
    async signal(input, next) {
      await next(input);
      await expectLive(client(), input.workflowExecution.workflowId, people);
    },
  };
}
