import type { CommissionView } from '../../domain/commission';
import type { DisputeView } from '../../domain/dispute';
import type { Task } from '../../domain/task';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';
import { client, decideByLink, eventually, keys, linkIn, mailAbout } from '../helpers/http';

/** Disputes over HTTP and emailed links, on the real processes. */
let system: RunningSystem;
let api: ReturnType<typeof client>;
let commission: CommissionView;

beforeAll(async () => {
  system = await startSystem();
  api = client(system);
  commission = (
    await api.call<CommissionView>('POST', '/api/v1/commissions', {
      key: keys.council,
      json: { title: `Therapies ${Date.now()}`, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 300_000 },
    })
  ).body;
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

test('a partner raises a dispute; a second on the same matter is refused with a link; the other partner counter-proposes by email and the raiser accepts', async () => {
  const body = { subject: { type: 'commission', id: commission.id }, partners: ['council', 'nenc-icb'], matter: 'Who leads the therapies procurement', desiredOutcome: 'The ICB leads' };
  expect((await api.call('POST', '/api/v1/disputes', { key: keys.lsc, json: body })).status).toBe(403);
  const raised = await api.call<DisputeView>('POST', '/api/v1/disputes', { key: keys.nenc, json: body });
  expect(raised.status).toBe(201);
  const id = raised.headers.get('location')!.split('/').pop()!;
  const again = await api.call<{ detail: string }>('POST', '/api/v1/disputes', { key: keys.nenc, json: { ...body, matter: '  who leads the THERAPIES procurement ' } });
  expect(again.status).toBe(409);
  expect(again.body.detail).toContain(`/api/v1/disputes/${id}`);

  // The council's commissioner is asked, by email and in the inbox.
  const [mail] = await mailAbout(system, 'commissioner@council.example', 'Who leads the therapies procurement');
  const inbox = await eventually(() => api.call<{ tasks: Task[] }>('GET', '/api/v1/tasks?kind=dispute-early-resolution', { key: keys.council }), (r) => r.body.tasks.length > 0);
  expect(inbox.body.tasks[0]!.subject).toMatchObject({ type: 'dispute', id });
  expect((await decideByLink(api, linkIn(mail!), { decision: 'counter-propose', comment: 'The council leads, the ICB chairs the panel' })).status).toBe(200);

  const round2 = await eventually(() => api.call<DisputeView>('GET', `/api/v1/disputes/${id}`, { key: keys.nenc }), (r) => r.body.openTasks[0]?.id.endsWith('early.r2') ?? false);
  const task = round2.body.openTasks[0]!;
  expect(task.awaiting).toEqual(['nenc-icb']);
  expect((await api.call('POST', `/api/v1/tasks/${task.id}/decision`, { key: keys.nenc, json: { decision: 'accept' } })).status).toBe(200);

  const done = await eventually(() => api.call<DisputeView>('GET', `/api/v1/disputes/${id}`, { key: keys.council }), (r) => r.body.stage === 'resolved');
  expect(done.body.outcome).toMatchObject({ status: 'resolved', stage: 'early-resolution', resolution: 'The council leads, the ICB chairs the panel', decidedBy: ['council-commissioner', 'nenc-commissioner'] });
  const timeline = await api.call<{ items: { text: string }[]; stages: { stage: string }[] }>('GET', `/api/v1/disputes/${id}/timeline`, { key: keys.council });
  expect(timeline.body.stages.map((s) => s.stage)).toEqual(['early-resolution']);
  expect(timeline.body.items.some((i) => i.text.includes('Example Council Commissioner (Cumberland Council), by emailed link: decided'))).toBe(true);

  // The Board chair may see it (it is theirs to decide at stage 2); the LSC ICB may not.
  expect((await api.call('GET', `/api/v1/disputes/${id}`, { key: 'demo-key-board-chair-0000000001' })).status).toBe(200);
  expect((await api.call('GET', `/api/v1/disputes/${id}`, { key: keys.lsc })).status).toBe(404);
  const list = await eventually(() => api.call<{ items: { id: string }[] }>('GET', '/api/v1/disputes?stage=resolved', { key: keys.council }), (r) => r.body.items.some((i) => i.id === id));
  expect(list.body.items.map((i) => i.id)).toContain(id);
});

test('only the raiser may withdraw, with a reason', async () => {
  const body = { subject: { type: 'commission', id: commission.id }, partners: ['council', 'nenc-icb'], matter: `Funding share ${Date.now()}`, desiredOutcome: '50/50' };
  const raised = await api.call<DisputeView>('POST', '/api/v1/disputes', { key: keys.council, json: body });
  const id = raised.headers.get('location')!.split('/').pop()!;
  await eventually(() => api.call<DisputeView>('GET', `/api/v1/disputes/${id}`, { key: keys.council }), (r) => r.body.openTasks.length === 1);
  expect((await api.call('POST', `/api/v1/disputes/${id}/withdrawal`, { key: keys.nenc, json: { reason: 'not mine' } })).status).toBe(403);
  expect((await api.call('POST', `/api/v1/disputes/${id}/withdrawal`, { key: keys.council, json: {} })).status).toBe(400);
  const withdrawn = await api.call<DisputeView>('POST', `/api/v1/disputes/${id}/withdrawal`, { key: keys.council, json: { reason: 'Settled at the partnership meeting' } });
  expect(withdrawn.status).toBe(200);
  const done = await eventually(() => api.call<DisputeView>('GET', `/api/v1/disputes/${id}`, { key: keys.council }), (r) => r.body.stage === 'withdrawn');
  expect(done.body.outcome).toMatchObject({ status: 'withdrawn', reason: 'Settled at the partnership meeting' });
  expect((await api.call('POST', `/api/v1/disputes/${id}/withdrawal`, { key: keys.council, json: { reason: 'again' } })).status).toBe(409);
});
