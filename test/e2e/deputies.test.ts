import type { CommissionView } from '../../domain/commission';
import type { EvaluationView } from '../../domain/evaluation';
import type { Task } from '../../domain/task';
import type { RunningSystem } from '../../scripts/lib/system';
import { answerOpenTasks, client, eventually, keys, startSystemWith } from '../helpers/http';

/**
 * Deputies at the moment of decision, over HTTP (issue 14): a delegation set after a task opened
 * shows the task in the deputy's inbox and lets them decide it; a revoked one refuses them with
 * 403 naming the rule. Panel members are asked by name, so a deputy is not asked in their own right.
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;

const deputyKey = { council: 'demo-key-council-panel-deputy-0001', nenc: 'demo-key-nenc-panel-deputy-000001' };
const memberKey = { council: 'demo-key-council-panel-member-001', nenc: 'demo-key-nenc-panel-member-00001' };

beforeAll(async () => {
  system = await startSystemWith((p) => {
    p.people.push(
      { id: 'council-panel-deputy', name: 'Example Council Deputy Evaluator', email: 'deputy.evaluator@council.example', partner: 'council', roles: ['panel-member'], apiKey: deputyKey.council },
      { id: 'nenc-panel-deputy', name: 'Example NENC Deputy Evaluator', email: 'deputy.evaluator@nenc-icb.example', partner: 'nenc-icb', roles: ['panel-member'], apiKey: deputyKey.nenc },
    );
  });
  api = client(system);
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

const setup = {
  criteria: [
    { id: 'quality', name: 'Quality of service', kind: 'quality', weight: 60 },
    { id: 'price', name: 'Price', kind: 'price', weight: 30 },
    { id: 'social', name: 'Social value', kind: 'social-value', weight: 10 },
  ],
  bidders: [
    { id: 'acme', name: 'Acme Care' },
    { id: 'north', name: 'North Support' },
  ],
  members: ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep', 'young-person-rep'],
  scoringDue: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  socialValueJustification: 'Social value is secured through the contract KPIs instead, agreed by both partners.',
};

const inbox = (key: string) => api.call<{ tasks: Task[] }>('GET', '/api/v1/tasks', { key });

test('a delegation set after a task opened lets the deputy see and decide it; a revoked one refuses the deputy naming the rule', async () => {
  const created = (
    await api.call<CommissionView>('POST', '/api/v1/commissions', {
      key: keys.council,
      json: { title: `Therapies for children ${Date.now()}`, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 600_000 },
    })
  ).body;
  const leadTask = (await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${created.id}`, { key: keys.nenc }), (r) => r.body.openTasks.length === 1)).body.openTasks[0]!;
  // Extensions name their rule: only the lead commissioner (or an asked partner's senior manager), and within the policy.
  const notLead = await api.call<{ detail: string }>('POST', `/api/v1/tasks/${leadTask.id}/extension`, { key: keys.nenc, json: { extendBy: '5 working days', reason: 'Our board meets later' } });
  expect(notLead.status).toBe(403);
  expect(notLead.body.detail).toMatch(/^Extension rule: only the lead commissioner/);
  const tooFar = await api.call<{ detail: string }>('POST', `/api/v1/tasks/${leadTask.id}/extension`, { key: keys.council, json: { dueAt: new Date(Date.parse(leadTask.dueAt) + 61 * 86_400_000).toISOString(), reason: 'Summer recess' } });
  expect(tooFar.status).toBe(422);
  expect(tooFar.body.detail).toContain("Extension rule: a task's deadline may move by 60 days in all");
  expect((await api.call('POST', `/api/v1/tasks/${leadTask.id}/decision`, { key: keys.nenc, json: { decision: 'agree' } })).status).toBe(200);
  await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${created.id}`, { key: keys.council }), (r) => r.body.lead.status === 'agreed');
  const base = `/api/v1/commissions/${created.id}/evaluation`;
  expect((await api.call('PUT', base, { key: keys.council, json: setup })).status).toBe(202);
  await answerOpenTasks(api, created.id, (v) => v.lifecycle?.steps.find((s) => s.id === 'evaluation')?.status === 'open', 90_000);
  const panel = (await eventually(() => api.call<EvaluationView>('GET', base, { key: keys.council }), (r) => r.status === 200)).body;

  // The declarations are open, asking the members by name; nobody covers for them yet.
  const declarationOf = async (key: string) => (await eventually(() => inbox(key), (r) => r.body.tasks.some((t) => t.subject.id === panel.id))).body.tasks.find((t) => t.subject.id === panel.id)!;
  const councils = await declarationOf(memberKey.council);
  const nencs = await declarationOf(memberKey.nenc);
  expect((await inbox(deputyKey.council)).body.tasks).toEqual([]);

  // The council member names a deputy after the task opened: the deputy sees it and decides it.
  const window = { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 7 * 86_400_000).toISOString() };
  expect((await api.call('PUT', '/api/v1/people/me/delegation', { key: memberKey.council, json: { deputy: 'council-panel-deputy', ...window } })).status).toBe(200);
  expect((await inbox(deputyKey.council)).body.tasks.map((t) => t.id)).toEqual([councils.id]);
  expect((await api.call('GET', `/api/v1/tasks/${councils.id}`, { key: deputyKey.council })).status).toBe(200);
  const decided = await api.call<{ task: Task }>('POST', `/api/v1/tasks/${councils.id}/decision`, { key: deputyKey.council, json: { decision: 'declare' } });
  expect(decided.status).toBe(200);
  expect(decided.body.task.decision).toMatchObject({ by: 'council-panel-deputy', actingFor: 'council-panel-member', decision: 'declare' });

  // The NENC member names a deputy, then revokes: the deputy no longer sees the task, and is refused.
  expect((await api.call('PUT', '/api/v1/people/me/delegation', { key: memberKey.nenc, json: { deputy: 'nenc-panel-deputy', ...window } })).status).toBe(200);
  expect((await inbox(deputyKey.nenc)).body.tasks.map((t) => t.id)).toEqual([nencs.id]);
  const revoked = await api.call<{ delegation: { revokedAt: string } }>('DELETE', '/api/v1/people/me/delegation', { key: memberKey.nenc });
  expect(revoked.status).toBe(200);
  expect((await inbox(deputyKey.nenc)).body.tasks).toEqual([]);
  const refused = await api.call<{ detail: string }>('POST', `/api/v1/tasks/${nencs.id}/decision`, { key: deputyKey.nenc, json: { decision: 'declare' } });
  expect(refused.status).toBe(403);
  expect(refused.body.detail).toContain(`Delegation rule: your cover for nenc-panel-member ended on ${revoked.body.delegation.revokedAt}`);
  // The member still decides for themselves.
  expect((await api.call('POST', `/api/v1/tasks/${nencs.id}/decision`, { key: memberKey.nenc, json: { decision: 'declare' } })).status).toBe(200);
});
