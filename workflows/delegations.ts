import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, defineQuery, defineUpdate, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { revokeDelegationSchema, setDelegationSchema, type Delegation, type DelegationRecord, type RevokeDelegation, type SetDelegation } from '../domain/delegation';

export type { SetDelegation } from '../domain/delegation';

// Messages live beside the workflow; the API imports these handles.
export const setDelegation = defineUpdate<Delegation, [SetDelegation]>('setDelegation');
export const revokeDelegation = defineUpdate<DelegationRecord, [RevokeDelegation]>('revokeDelegation');
export const getDelegations = defineQuery<Delegation[]>('getDelegations');

/** Written like the subject record: retried for as long as the database is away, never given up. */
const { projectDelegations } = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
});

/** What a register run carries into the next, besides the delegations not yet ended. */
export interface RegisterCarry {
  /** Ids given so far in this register (ids are `<first run id>.<n>`). */
  nextId: number;
  /** The number of the last projection written to the record. */
  projected?: number;
}

/**
 * The partnership's register of delegations (one workflow, id DELEGATIONS_WORKFLOW_ID). The API
 * checks who may deputise for whom against the partnership file; this keeps the register
 * durable and answers "who is a deputy now" for the activities that assign tasks. From the
 * `delegation-record` patch every change (set, replaced, revoked) is also written to the record's
 * `delegations` table, which keeps them after they end; the register itself drops ended ones.
 */
export async function delegationRegister(carried: Delegation[] = [], carry?: RegisterCarry): Promise<void> {
  let nextId = carry?.nextId ?? 0;
  let projected = carry?.projected;
  const newId = (): string => `${workflowInfo().firstExecutionRunId}.${++nextId}`;
  // Delegations recorded before ids get theirs now, in order: the same ids on every replay.
  let delegations: Delegation[] = carried.map((d) => (d.id ? d : { ...d, id: newId() }));
  setHandler(getDelegations, () => delegations);

  const recordOf = (d: Delegation, status: DelegationRecord['status'] = 'set', end?: { at: string; by: string }): DelegationRecord => ({
    ...d,
    id: d.id ?? newId(),
    status,
    ...(end ? { revokedAt: end.at, revokedBy: end.by } : {}),
  });

  /**
   * Writes the changed delegations; the first write of a register that began before the record
   * sends every delegation it holds, so the table starts complete. Answers once written, so the
   * API reads its own write.
   */
  async function project(changed: DelegationRecord[]): Promise<void> {
    if (!patched('delegation-record')) return;
    const all = projected === undefined ? [...delegations.filter((d) => !changed.some((c) => c.id === d.id)).map((d) => recordOf(d)), ...changed] : changed;
    const seq = (projected ?? 0) + 1;
    projected = seq;
    await projectDelegations({ seq, delegations: all });
  }

  setHandler(
    setDelegation,
    async (raw) => {
      const now = new Date().toISOString();
      // Read as the validator read it: dates become UK days, timestamps UTC.
      const req = setDelegationSchema().parse(raw);
      // One delegation per person: a new one replaces theirs; ended ones are dropped (the record keeps them).
      const replaced = delegations.filter((d) => d.principal === req.principal && d.to > now);
      const entry: Delegation = { id: newId(), ...req, setAt: now };
      delegations = [...delegations.filter((d) => d.principal !== req.principal && d.to > now), entry];
      await project([...replaced.map((d) => recordOf(d, 'replaced', { at: now, by: req.principal })), recordOf(entry)]);
      return entry;
    },
    {
      validator: (raw) => {
        const parsed = setDelegationSchema().safeParse(raw);
        if (!parsed.success) throw ApplicationFailure.nonRetryable(`The delegation cannot be recorded: ${parsed.error.issues.map((i) => i.message).join('; ')}.`, 'InvalidDelegation');
        const req = parsed.data;
        if (req.deputy === req.principal) throw ApplicationFailure.nonRetryable('You cannot be your own deputy.', 'InvalidDelegation');
        if (Date.parse(req.to) <= Date.now()) throw ApplicationFailure.nonRetryable('The delegation must end in the future.', 'InvalidDelegation');
        if (Date.parse(req.from) >= Date.parse(req.to)) throw ApplicationFailure.nonRetryable('The delegation must end after it starts.', 'InvalidDelegation');
      },
    },
  );

  const current = (principal: string, now: string): Delegation | undefined => delegations.find((d) => d.principal === principal && d.to > now);
  setHandler(
    revokeDelegation,
    async (raw) => {
      const now = new Date().toISOString();
      const req = revokeDelegationSchema().parse(raw);
      const gone = current(req.principal, now)!;
      delegations = delegations.filter((d) => d !== gone && d.to > now);
      const revoked = recordOf(gone, 'revoked', { at: now, by: req.by });
      await project([revoked]);
      return revoked;
    },
    {
      validator: (raw) => {
        const parsed = revokeDelegationSchema().safeParse(raw);
        if (!parsed.success) throw ApplicationFailure.nonRetryable('Say whose delegation to revoke and who revokes it.', 'InvalidDelegation');
        if (!current(parsed.data.principal, new Date().toISOString())) {
          throw ApplicationFailure.nonRetryable('There is no delegation to revoke: none is in force or due to start.', 'NoDelegation');
        }
      },
    },
  );

  await condition(() => workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  const now = new Date().toISOString();
  await continueAsNew<typeof delegationRegister>(
    delegations.filter((d) => d.to > now),
    { nextId, ...(projected !== undefined ? { projected } : {}) },
  );
}
