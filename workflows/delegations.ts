import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, defineQuery, defineUpdate, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Delegation } from '../domain/delegation';

export interface SetDelegation {
  principal: string;
  deputy: string;
  roles: string[];
  from: string;
  to: string;
}

// Messages live beside the workflow; the API imports these handles.
export const setDelegation = defineUpdate<Delegation, [SetDelegation]>('setDelegation');
export const getDelegations = defineQuery<Delegation[]>('getDelegations');

/**
 * The partnership's register of delegations (one workflow, id DELEGATIONS_WORKFLOW_ID). The API
 * checks who may deputise for whom against the partnership file; this keeps the register
 * durable and answers "who is a deputy now" for the activities that assign tasks.
 */
export async function delegationRegister(carried: Delegation[] = []): Promise<void> {
  let delegations = carried;
  setHandler(getDelegations, () => delegations);
  setHandler(
    setDelegation,
    (req) => {
      const now = new Date().toISOString();
      // One delegation per person: a new one replaces theirs; ended ones are dropped.
      const entry: Delegation = { ...req, setAt: now };
      delegations = [...delegations.filter((d) => d.principal !== req.principal && d.to > now), entry];
      return entry;
    },
    {
      validator: (req) => {
        if (req.deputy === req.principal) throw ApplicationFailure.nonRetryable('You cannot be your own deputy.', 'InvalidDelegation');
        if (Date.parse(req.to) <= Date.now()) throw ApplicationFailure.nonRetryable('The delegation must end in the future.', 'InvalidDelegation');
        if (Date.parse(req.from) >= Date.parse(req.to)) throw ApplicationFailure.nonRetryable('The delegation must end after it starts.', 'InvalidDelegation');
      },
    },
  );
  await condition(() => workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof delegationRegister>(delegations);
}
