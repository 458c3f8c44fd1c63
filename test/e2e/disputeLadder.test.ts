import type { CommissionView } from '../../domain/commission';
import type { DisputeView } from '../../domain/dispute';
import type { RunningSystem } from '../../scripts/lib/system';
import { client, decideByLink, developmentSignIn, eventually, keys, linkIn, mailAbout, startSystemWith } from '../helpers/http';

/**
 * From an objection to the accountable officers' decision, over HTTP and emailed links, with a
 * partnership file whose dispute deadlines are seconds long so the ladder climbs by itself.
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  system = await startSystemWith((partnership) => {
    partnership.policies.dispute = {
      earlyResolution: { due: 'PT4S', remindBefore: 'PT2S' },
      executiveBoard: { due: 'PT4S' },
      accountableOfficers: { due: 'PT2M', remindEvery: 'PT1M' },
    };
  });
  api = client(system);
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

test('objection → early resolution times out → the Board times out → the officers counter-propose and sign → the commission has its lead', async () => {
  const created = (
    await api.call<CommissionView>('POST', '/api/v1/commissions', {
      key: keys.council,
      json: { title: `Complex needs placements ${Date.now()}`, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 900_000 },
    })
  ).body;
  const [request] = await mailAbout(system, 'commissioner@nenc-icb.example', created.title);
  expect((await decideByLink(api, linkIn(request!), { decision: 'object', comment: 'Health needs dominate: the ICB should lead' })).status).toBe(200);

  const opened = await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${created.id}`, { key: keys.council }), (r) => r.body.history.some((e) => e.event === 'dispute-opened'));
  const disputeId = opened.body.history.find((e) => e.event === 'dispute-opened')!.detail!.split(' ')[1]!;
  const readDispute = () => api.call<DisputeView>('GET', `/api/v1/disputes/${disputeId}`, { key: keys.council });

  // Nobody answers at stage 1 or 2: the ladder climbs by itself.
  const atOfficers = await eventually(readDispute, (r) => r.body.stage === 'accountable-officers' && r.body.openTasks.length === 1, 60_000);
  expect(atOfficers.body.stages.map((s) => s.stage)).toEqual(['early-resolution', 'executive-board', 'accountable-officers']);
  expect(atOfficers.body.stages[0]!.waitedOn).toEqual(['NHS North East and North Cumbria ICB']);

  // A Board member at a partner outside this dispute may read it, so its tasks are no secret from
  // them: the officers' task reads, deciding it is refused (403, naming why), and only a task
  // that does not exist is 404.
  const boardMember = 'demo-key-lsc-director-nursing-001';
  const officersTask = atOfficers.body.openTasks[0]!.id;
  expect((await api.call('GET', `/api/v1/disputes/${disputeId}`, { key: boardMember })).status).toBe(200);
  expect((await api.call('GET', `/api/v1/tasks/${officersTask}`, { key: boardMember })).status).toBe(200);
  const refused = await api.call<{ detail: string }>('POST', `/api/v1/tasks/${officersTask}/decision`, { key: boardMember, json: { decision: 'propose', comment: 'Not mine to propose', data: { leadPartner: 'council' } } });
  expect(refused.status).toBe(403);
  expect(refused.body.detail).toContain('not one of the people this task is assigned to');
  expect((await api.call('GET', `/api/v1/tasks/${disputeId}.no-such-task`, { key: boardMember })).status).toBe(404);

  // The council's director proposes by email; the ICB's director counter-proposes; the council's signs.
  const [toCouncil] = await mailAbout(system, 'director.children@council.example', 'Propose the resolution');
  // The officers' resolution is high-stakes: the link's page asks the director to sign in first.
  const officersLink = linkIn(toCouncil!);
  const signedIn = await developmentSignIn(system, 'council-director-children', new URL(officersLink).pathname);
  expect((await decideByLink(api, officersLink, { decision: 'propose', comment: 'The council runs the service', 'data.leadPartner': 'council' }, { cookie: signedIn.cookie })).status).toBe(200);
  const round1 = await eventually(readDispute, (r) => r.body.openTasks[0]?.id.endsWith('officers.r1') ?? false);
  const counter = await api.call('POST', `/api/v1/tasks/${round1.body.openTasks[0]!.id}/decision`, {
    key: 'demo-key-nenc-director-nursing-01',
    json: { decision: 'counter-propose', comment: 'Health needs dominate', data: { leadPartner: 'nenc-icb' } },
  });
  expect(counter.status).toBe(200);
  const round2 = await eventually(readDispute, (r) => r.body.openTasks[0]?.id.endsWith('officers.r2') ?? false);
  const signed = await api.call('POST', `/api/v1/tasks/${round2.body.openTasks[0]!.id}/decision`, { key: 'demo-key-council-director-000001', json: { decision: 'accept' } });
  expect(signed.status).toBe(200);

  const resolved = await eventually(readDispute, (r) => r.body.stage === 'resolved');
  expect(resolved.body.outcome).toMatchObject({ status: 'resolved', stage: 'accountable-officers', leadPartner: 'nenc-icb', decidedBy: ['nenc-director-nursing', 'council-director-children'] });
  const commission = await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${created.id}`, { key: keys.council }), (r) => r.body.lead.status === 'decided');
  expect(commission.body.lead).toMatchObject({ status: 'decided', partner: 'nenc-icb' });
  expect(commission.body.stage).toBe('analyse');

  const timeline = await api.call<{ stages: { stage: string; hours: number; waitedOn: string[] }[] }>('GET', `/api/v1/disputes/${disputeId}/timeline`, { key: keys.council });
  expect(timeline.body.stages.map((s) => [s.stage, s.waitedOn])).toEqual([
    ['early-resolution', ['NHS North East and North Cumbria ICB']],
    ['executive-board', ['board-chair']],
    ['accountable-officers', []],
  ]);
  // Its deadlines are real seconds and it climbs three stages: 11 s alone, 44 s in a loaded suite,
  // and once past 120 s in a fresh clone's run (three workers on two cores).
}, 240_000);
