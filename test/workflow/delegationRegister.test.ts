import { sql } from 'kysely';
import { recordDelegation } from '../../api/people';
import { DELEGATIONS_WORKFLOW_ID } from '../../domain/delegation';
import { getDelegations } from '../../workflows/delegations';
import { refusal } from '../helpers/timeline';
import { harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const HOUR = 3_600_000;
const at = (ms: number): string => new Date(ms).toISOString();

/** The delegations table as the register projected it (rows read raw: what an auditor sees). */
async function recorded(principal: string): Promise<Record<string, unknown>[]> {
  const { rows } = await sql<Record<string, unknown>>`select * from delegations where principal = ${principal} order by set_at`.execute(h.database.db);
  return rows;
}

test('a delegation can be revoked: the register no longer has it and the record keeps it as revoked', async () => {
  h = await harness();
  await h.run(async () => {
    const now = await h.env.currentTimeMs();
    await recordDelegation(h.env.client, TASK_QUEUE, { principal: 'nenc-commissioner', deputy: 'nenc-senior-manager', roles: ['commissioner'], from: at(now), to: at(now + 48 * HOUR) });
    const register = h.env.client.workflow.getHandle(DELEGATIONS_WORKFLOW_ID);
    await register.executeUpdate('revokeDelegation', { args: [{ principal: 'nenc-commissioner', by: 'nenc-commissioner' }] });
    expect(await register.query(getDelegations)).toEqual([]);
    expect(await recorded('nenc-commissioner')).toEqual([expect.objectContaining({ deputy: 'nenc-senior-manager', status: 'revoked', revoked_by: 'nenc-commissioner' })]);
  });
});

test('revoking when there is no delegation is refused in plain words', async () => {
  h = await harness();
  await h.run(async () => {
    const now = await h.env.currentTimeMs();
    await recordDelegation(h.env.client, TASK_QUEUE, { principal: 'lsc-commissioner', deputy: 'lsc-senior-manager', roles: ['commissioner'], from: at(now), to: at(now + HOUR) });
    const register = h.env.client.workflow.getHandle(DELEGATIONS_WORKFLOW_ID);
    expect(await refusal(register.executeUpdate('revokeDelegation', { args: [{ principal: 'nenc-commissioner', by: 'nenc-commissioner' }] }))).toBe('NoDelegation');
  });
});

test('ended delegations are kept as history, not forgotten when the register drops them', async () => {
  h = await harness();
  await h.run(async () => {
    const now = await h.env.currentTimeMs();
    await recordDelegation(h.env.client, TASK_QUEUE, { principal: 'nenc-commissioner', deputy: 'nenc-senior-manager', roles: ['commissioner'], from: at(now), to: at(now + HOUR) });
    await h.env.sleep(2 * HOUR);
    // Any later change drops the ended delegation from the register's state…
    const later = await h.env.currentTimeMs();
    await recordDelegation(h.env.client, TASK_QUEUE, { principal: 'lsc-commissioner', deputy: 'lsc-senior-manager', roles: ['commissioner'], from: at(later), to: at(later + HOUR) });
    const register = h.env.client.workflow.getHandle(DELEGATIONS_WORKFLOW_ID);
    expect((await register.query(getDelegations)).map((d) => d.principal)).toEqual(['lsc-commissioner']);
    // …but the record keeps it, with its window.
    expect(await recorded('nenc-commissioner')).toEqual([expect.objectContaining({ deputy: 'nenc-senior-manager', from_at: at(now), to_at: at(now + HOUR), status: 'set' })]);
  });
});
