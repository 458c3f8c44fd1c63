import { Router } from 'express';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { currentDelegationOf } from '../db/delegations';
import { DELEGATIONS_WORKFLOW_ID, delegationBodySchema, type Delegation } from '../domain/delegation';
import { personById, type Person } from '../domain/partnership';
import { delegationRegister, revokeDelegation, setDelegation, type SetDelegation } from '../workflows/delegations';
import { caller } from './auth';
import type { ApiContext } from './context';
import { authorize } from './permissions';
import { keyedDigest } from './idempotency';
import { invalid, problem } from './problem';
import { TEMPORAL_BUDGET_MS, viaTemporal } from './subjects';

/** Records a delegation in the register, starting the register the first time. */
export async function recordDelegation(client: Client, taskQueue: string, req: SetDelegation, updateId?: string): Promise<Delegation> {
  const handle = await client.workflow.start(delegationRegister, {
    workflowId: DELEGATIONS_WORKFLOW_ID,
    taskQueue,
    args: [[]],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  // The same update id is one update: the register answers a second one with the first's result.
  return handle.executeUpdate(setDelegation, { args: [req], ...(updateId ? { updateId } : {}) });
}

/**
 * Names the person's deputy (PUT /api/v1/people/me/delegation and the web page): the body's
 * schema, then the delegation rules (a deputy of their own partner who holds one of their roles,
 * not themselves, ending in the future), then the register.
 */
export async function delegateTo(ctx: ApiContext, person: Person, raw: unknown, key?: string): Promise<Delegation> {
  authorize(person, 'delegation.manage', {}, '');
  const parsed = delegationBodySchema().safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error, 'delegation');
  const deputy = personById(ctx.partnership, parsed.data.deputy);
  // 422: the people the partnership file names are a rule of this deployment, not of the document's schema.
  if (!deputy) throw problem(422, 'The delegation names an unknown deputy.', [{ path: 'deputy', message: `no person has the id "${parsed.data.deputy}"` }]);
  const roles = person.roles.filter((r) => deputy.roles.includes(r));
  if (!person.partner || deputy.partner !== person.partner || roles.length === 0) {
    throw problem(422, 'Delegation rule: your deputy must be from your own partner and hold at least one of your roles.', [{ path: 'deputy', message: 'Delegation rule: your deputy must be from your own partner and hold at least one of your roles.' }]);
  }
  if (deputy.id === person.id) throw problem(422, 'Delegation rule: you cannot be your own deputy.', [{ path: 'deputy', message: 'Delegation rule: you cannot be your own deputy.' }]);
  if (Date.parse(parsed.data.to) <= Date.now()) throw problem(422, 'Delegation rule: the delegation must end in the future.', [{ path: 'to', message: 'Delegation rule: the delegation must end in the future.' }]);
  const req = { principal: person.id, deputy: deputy.id, roles, from: parsed.data.from, to: parsed.data.to };
  // With a key (the web form's), the same request sent twice sets one delegation, not one replaced by its double.
  const updateId = key ? `delegation-${keyedDigest(person.id, key, JSON.stringify(req)).toString('hex')}` : undefined;
  return viaTemporal(ctx, 'The delegation register', () =>
    recordDelegation(ctx.client, ctx.taskQueue, req, updateId),
    TEMPORAL_BUDGET_MS.update,
  );
}

/** Ends the person's delegation now (in force or due to start); 404 when there is none. */
export async function revokeDelegationOf(ctx: ApiContext, person: Person): Promise<Delegation> {
  authorize(person, 'delegation.manage', {}, '');
  const none = (): never => {
    throw problem(404, 'You have no delegation to revoke: none is in force or due to start.');
  };
  return viaTemporal(
    ctx,
    'The delegation register',
    () =>
      ctx.client.workflow
        .getHandle(DELEGATIONS_WORKFLOW_ID)
        .executeUpdate(revokeDelegation, { args: [{ principal: person.id, by: person.id }] })
        .catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) none();
          if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'NoDelegation') none();
          throw err;
        }),
    TEMPORAL_BUDGET_MS.update,
  );
}

export function peopleRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get('/me', (req, res) => {
    const person = caller(req);
    res.json({ id: person.id, name: person.name, partner: person.partner ?? null, roles: person.roles });
  });

  router.put('/me/delegation', async (req, res) => {
    res.json({ delegation: await delegateTo(ctx, caller(req), req.body) });
  });

  // From the record: the register writes every change there before it answers.
  router.get('/me/delegation', async (req, res) => {
    const person = caller(req);
    authorize(person, 'delegation.manage', {}, '');
    res.json({ delegation: (await currentDelegationOf(ctx.database.db, person.id, new Date().toISOString())) ?? null });
  });

  /** Ends the caller's delegation now (in force or due to start); the record keeps it as revoked. */
  router.delete('/me/delegation', async (req, res) => {
    res.json({ delegation: await revokeDelegationOf(ctx, caller(req)) });
  });

  return router;
}
