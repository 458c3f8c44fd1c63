import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { DELEGATIONS_WORKFLOW_ID, delegationBodySchema, type Delegation } from '../domain/delegation';
import { personById } from '../domain/partnership';
import { delegationRegister, getDelegations, setDelegation, type SetDelegation } from '../workflows/delegations';
import { caller } from './auth';
import type { ApiContext } from './context';
import { authorize } from './permissions';
import { invalid, problem } from './problem';
import { TEMPORAL_BUDGET_MS, viaTemporal } from './subjects';

/** Records a delegation in the register, starting the register the first time. */
export async function recordDelegation(client: Client, taskQueue: string, req: SetDelegation): Promise<Delegation> {
  const handle = await client.workflow.start(delegationRegister, {
    workflowId: DELEGATIONS_WORKFLOW_ID,
    taskQueue,
    args: [[]],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return handle.executeUpdate(setDelegation, { args: [req] });
}

export function peopleRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get('/me', (req, res) => {
    const person = caller(req);
    res.json({ id: person.id, name: person.name, partner: person.partner ?? null, roles: person.roles });
  });

  router.put('/me/delegation', async (req, res) => {
    const person = caller(req);
    authorize(person, 'delegation.manage', {}, '');
    const parsed = delegationBodySchema.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error, 'delegation');
    const deputy = personById(ctx.partnership, parsed.data.deputy);
    if (!deputy) throw problem(400, 'The delegation names an unknown deputy.', [{ path: 'deputy', message: `no person has the id "${parsed.data.deputy}"` }]);
    const roles = person.roles.filter((r) => deputy.roles.includes(r));
    if (!person.partner || deputy.partner !== person.partner || roles.length === 0) {
      throw problem(422, 'Delegation rule: your deputy must be from your own partner and hold at least one of your roles.');
    }
    if (deputy.id === person.id) throw problem(422, 'Delegation rule: you cannot be your own deputy.');
    if (Date.parse(parsed.data.to) <= Date.now()) throw problem(422, 'Delegation rule: the delegation must end in the future.');
    const delegation = await viaTemporal(ctx, 'The delegation register', () =>
      recordDelegation(ctx.client, ctx.taskQueue, { principal: person.id, deputy: deputy.id, roles, from: new Date(parsed.data.from).toISOString(), to: new Date(parsed.data.to).toISOString() }),
      TEMPORAL_BUDGET_MS.update,
    );
    res.json({ delegation });
  });

  router.get('/me/delegation', async (req, res) => {
    const person = caller(req);
    authorize(person, 'delegation.manage', {}, '');
    const all = await viaTemporal(ctx, 'The delegation register', async () => {
      try {
        return await ctx.client.workflow.getHandle(DELEGATIONS_WORKFLOW_ID).query(getDelegations);
      } catch (err) {
        if ((err as Error).name === 'WorkflowNotFoundError') return [];
        throw err;
      }
    });
    res.json({ delegation: all.find((d) => d.principal === person.id && d.to > new Date().toISOString()) ?? null });
  });

  return router;
}
