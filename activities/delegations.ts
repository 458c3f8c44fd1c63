import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { DELEGATIONS_WORKFLOW_ID, type Delegation } from '../domain/delegation';
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
