import { WorkflowUpdateFailedError } from '@temporalio/client';
import { loadPartnership } from '../../config';
import type { Partnership } from '../../domain/partnership';
import type { TaskSpec } from '../../workflows/humanTask';
import { recordDelegation } from '../../api/people';
import { decideTask } from '../../workflows/jointCommission';
import { revokeDelegation } from '../../workflows/delegations';
import { DELEGATIONS_WORKFLOW_ID } from '../../domain/delegation';
const DAY_MS = 86_400_000;
import { probeState, taskProbe } from '../workflows/taskProbe';
import { harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

/**
 * Deputies are checked when they decide, not fixed when a task opens (issue 14): the API sends
 * the decider's covers as the record has them; the workflow checks them against its own clock.
 */
let h: Harness;
afterEach(async () => {
  await h?.close();
});

const ew = { name: 'england-and-wales' as const, extraHolidays: [] };
/** A deputy the task never asks in their own right. */
const withCover = (p: Partnership): Partnership => ({
  ...p,
  people: [...p.people, { id: 'nenc-cover', name: 'Example NENC Cover', email: 'cover@nenc-icb.example', partner: 'nenc-icb', roles: ['commissioner'] }],
});
let n = 0;
const spec = (): TaskSpec => ({
  key: 'probe',
  kind: 'probe',
  title: 'Approve the probe',
  subject: { type: 'commission', id: `jc-deputy${String(++n).padStart(5, '0')}` },
  options: ['approve', 'reject'],
  completion: 'any',
  ask: [{ people: [{ person: 'nenc-commissioner' }] }],
  due: '10 working days',
  reminders: [],
  escalation: [],
  ifNoAnswer: 'It expires.',
});

const iso = (ms: number): string => new Date(ms).toISOString();

async function start() {
  const s = spec();
  const handle = await h.env.client.workflow.start(taskProbe, { workflowId: `probe:${s.subject.id}`, taskQueue: TASK_QUEUE, args: [s, ew] });
  for (let i = 0; i < 100 && (await handle.query(probeState)).tasks.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  const task = (await handle.query(probeState)).tasks[0]!;
  type Cover = { principal: string; from: string; to: string };
  const decide = (by: string, actingFor?: Cover[]) =>
    handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by, channel: 'api', decision: 'approve', ...(actingFor ? { actingFor } : {}) }] });
  return { handle, task, decide };
}

/** The refusal's type and message, or undefined when the update was accepted. */
const refused = (p: Promise<unknown>): Promise<{ type?: string; message: string } | undefined> =>
  p.then(
    () => undefined,
    (err: unknown) => (err instanceof WorkflowUpdateFailedError ? { type: (err.cause as { type?: string }).type, message: err.cause?.message ?? '' } : { message: String(err) }),
  );

test('a delegation that starts after the task opened reaches it: the deputy decides, on behalf of the principal', async () => {
  h = await harness(withCover(loadPartnership()));
  await h.run(async () => {
    const { task, decide } = await start();
    expect(task.parties![0]!.deputies).toEqual({});
    await h.env.sleep(2 * DAY_MS);
    const now = await h.env.currentTimeMs();
    const cover = { principal: 'nenc-commissioner', from: iso(now - 60_000), to: iso(now + 5 * DAY_MS) };

    // Not asked, and no cover: refused.
    expect((await refused(decide('nenc-cover', [])))?.type).toBe('NotAssignee');
    // A cover for someone the task does not ask, or one not started yet, does not reach it.
    expect((await refused(decide('nenc-cover', [{ ...cover, principal: 'lsc-commissioner' }])))?.type).toBe('NotAssignee');
    expect((await refused(decide('nenc-cover', [{ ...cover, from: iso(now + DAY_MS) }])))?.type).toBe('NotAssignee');

    const decided = await decide('nenc-cover', [cover]);
    expect(decided.status).toBe('decided');
    expect(decided.decision).toMatchObject({ by: 'nenc-cover', actingFor: 'nenc-commissioner', decision: 'approve' });
  });
});

test('a deputy asked when the task opened may decide only while their cover is in force: an ended or revoked one refuses, naming the rule', async () => {
  h = await harness(withCover(loadPartnership()));
  await h.run(async () => {
    const now = await h.env.currentTimeMs();
    const window = { from: iso(now - 60_000), to: iso(now + 3 * DAY_MS) };
    await recordDelegation(h.env.client, TASK_QUEUE, { principal: 'nenc-commissioner', deputy: 'nenc-cover', roles: ['commissioner'], ...window });
    const first = await start();
    const second = await start();
    expect(first.task.parties![0]!.deputies).toEqual({ 'nenc-cover': 'nenc-commissioner' });
    const cover = { principal: 'nenc-commissioner', ...window };

    // The cover ends; the deputy was asked at opening, but may no longer decide.
    await h.env.sleep(4 * DAY_MS);
    const ended = await refused(first.decide('nenc-cover', [cover]));
    expect(ended?.type).toBe('NotAssignee');
    expect(ended?.message).toContain(`Delegation rule: your cover for nenc-commissioner ended on ${window.to}`);
    // The principal still decides.
    expect((await first.decide('nenc-commissioner')).decision).toMatchObject({ by: 'nenc-commissioner' });

    // Revoked early: the record cuts the window at the revocation.
    const again = await h.env.currentTimeMs();
    const second2 = { from: iso(again - 60_000), to: iso(again + 10 * DAY_MS) };
    await recordDelegation(h.env.client, TASK_QUEUE, { principal: 'nenc-commissioner', deputy: 'nenc-cover', roles: ['commissioner'], ...second2 });
    const revoked = await h.env.client.workflow.getHandle(DELEGATIONS_WORKFLOW_ID).executeUpdate(revokeDelegation, { args: [{ principal: 'nenc-commissioner', by: 'nenc-commissioner' }] });
    await h.env.sleep(60_000);
    const cut = { principal: 'nenc-commissioner', from: second2.from, to: revoked.revokedAt! };
    const refusedAfterRevoke = await refused(second.decide('nenc-cover', [cover, cut]));
    expect(refusedAfterRevoke?.message).toContain(`your cover for nenc-commissioner ended on ${revoked.revokedAt}`);
  });
});

test('a deputy asked when the task opened decides while the cover lasts, recorded as acting for the principal', async () => {
  h = await harness(withCover(loadPartnership()));
  await h.run(async () => {
    const now = await h.env.currentTimeMs();
    const window = { from: iso(now - 60_000), to: iso(now + 3 * DAY_MS) };
    await recordDelegation(h.env.client, TASK_QUEUE, { principal: 'nenc-commissioner', deputy: 'nenc-cover', roles: ['commissioner'], ...window });
    const { decide } = await start();
    await h.env.sleep(DAY_MS);
    const decided = await decide('nenc-cover', [{ principal: 'nenc-commissioner', ...window }]);
    expect(decided.decision).toMatchObject({ by: 'nenc-cover', actingFor: 'nenc-commissioner' });
  });
});
