import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { DELEGATIONS_WORKFLOW_ID, type Delegation, type DelegationRecord } from '../domain/delegation';
import type { Database } from '../db';
import { applyDelegations } from '../db/delegations';
import { getDelegations } from '../workflows/delegations';

/** Reads the delegation register; before anyone has delegated, there is none. */
export function delegationsFromRegister(client: Client): () => Promise<Delegation[]> {
  return async () => {
    try {
      return await client.workflow.getHandle(DELEGATIONS_WORKFLOW_ID).query(getDelegations);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return [];
      throw err;
    }
  };
}

export function createDelegationActivities(deps: { database: Database }) {
  return {
    /**
     * The register's delegations into the record (set, replaced, revoked), as of its projection
     * `seq`: a retried or older write changes nothing, and nothing is ever deleted.
     */
    async projectDelegations(input: { seq: number; delegations: DelegationRecord[] }): Promise<{ written: number }> {
      const written = await deps.database.write((tx) => applyDelegations(tx, input.seq, input.delegations));
      return { written };
    },
  };
}
