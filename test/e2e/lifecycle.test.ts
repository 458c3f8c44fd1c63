import { loadPartnership } from '../../config';
import type { CommissionView } from '../../domain/commission';
import type { EvaluationView } from '../../domain/evaluation';
import type { RunningSystem } from '../../scripts/lib/system';
import { answerFor } from '../helpers/answer';
import { answerOpenTasks, client, decideByLink, eventually, keys, linkIn, mailAbout, startSystemWith } from '../helpers/http';

/**
 * A commission from creation to contract signature over HTTP: the plan shown up front, the
 * procurement service's 5-day response escalating by itself (shortened here to seconds), the
 * panel, the award, and the signature through the emailed link.
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;
const partnership = loadPartnership();
const keyOf = new Map(partnership.people.flatMap((p) => (p.apiKey ? [[p.id, p.apiKey] as const] : [])));

beforeAll(async () => {
  system = await startSystemWith((p) => (p.policies.lifecycle = { ...p.policies.lifecycle, procurementResponse: 'PT3S' }));
  api = client(system);
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

test('creation → plan → gates (with an escalated procurement response) → panel → award → signature by emailed link', async () => {
  const request = { value: 700_000, socialCareService: true, highRiskFactors: ['statutory-or-sensitive-data'] };
  const plan = await api.call<{ proportionality: { regime: string; standstill: string; gates: number[]; legalReview: boolean }; timetable: { step: string; earliest: string }[] }>(
    'GET',
    `/api/v1/commissions/plan?value=${request.value}&socialCareService=true&highRiskFactors=${request.highRiskFactors.join(',')}`,
    { key: keys.council },
  );
  expect(plan.status).toBe(200);
  expect(plan.body.proportionality).toMatchObject({ regime: 'light-touch', standstill: 'none', gates: [1, 2, 3, 4], legalReview: true });
  expect(plan.body.timetable.map((t) => t.step)).not.toContain('standstill');
  expect((await api.call('GET', '/api/v1/commissions/plan?value=-1&highRiskFactors=sunspots', { key: keys.council })).status).toBe(400);

  const created = (
    await api.call<CommissionView>('POST', '/api/v1/commissions', {
      key: keys.council,
      json: { title: `Residential short breaks ${Date.now()}`, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: request.value, socialCareService: true, highRiskFactors: request.highRiskFactors },
    })
  ).body;
  const id = created.id;

  const atGate2 = await answerOpenTasks(api, id, (v) => v.openTasks.some((t) => t.kind === 'commission-procurement-response'));
  expect(atGate2.stage).toBe('plan');
  expect(atGate2.lifecycle!.steps.filter((s) => s.status === 'done').map((s) => s.id)).toEqual(['lived-experience', 'gate-1', 'market-engagement-notice', 'market-engagement']);
  // Nobody in procurement answers within its (shortened) time: the lead partner's senior manager is asked too.
  const escalated = await eventually(
    () => api.call<CommissionView>('GET', `/api/v1/commissions/${id}`, { key: keys.council }),
    (r) => r.body.openTasks.find((t) => t.kind === 'commission-procurement-response')?.assignees.includes('council-senior-manager') ?? false,
  );
  expect(escalated.body.history.some((e) => e.event === 'escalated' && e.detail?.includes('council-senior-manager'))).toBe(true);
  expect(escalated.body.lifecycle!.waitingFor).toMatchObject({ what: 'Gate 2: procurement request form' });
  expect(escalated.body.lifecycle!.waitingFor!.who).toEqual(expect.arrayContaining(['council-procurement', 'council-senior-manager']));
  const response = escalated.body.openTasks.find((t) => t.kind === 'commission-procurement-response')!;
  expect((await api.call('POST', `/api/v1/tasks/${response.id}/decision`, { key: keyOf.get('council-senior-manager')!, json: { decision: 'accept' } })).status).toBe(200);

  // On to evaluation; the lead commissioner sets up the panel, which starts at once.
  await answerOpenTasks(api, id, (v) => v.lifecycle?.steps.find((s) => s.id === 'evaluation')?.status === 'open');
  const base = `/api/v1/commissions/${id}/evaluation`;
  const panel = await api.call<EvaluationView>('PUT', base, {
    key: keys.council,
    json: {
      criteria: [
        { id: 'quality', name: 'Quality', kind: 'quality', weight: 70 },
        { id: 'social', name: 'Social value', kind: 'social-value', weight: 30 },
      ],
      bidders: [{ id: 'acme', name: 'Acme Care' }],
      members: ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep'],
      scoringDue: '5 working days',
    },
  });
  expect(panel.status).toBe(201);
  for (const deadline = Date.now() + 60_000; ; ) {
    const v = (await api.call<EvaluationView>('GET', base, { key: keys.council })).body;
    if (v.phase === 'complete') break;
    if (Date.now() > deadline) throw new Error(`the panel did not complete: ${v.phase}, open ${v.openTasks.map((t) => t.id).join(', ')}`);
    const task = v.openTasks[0];
    const a = task && answerFor(task, { canAct: (p) => keyOf.has(p), values: (f) => (f.type === 'integer' ? 4 : undefined) });
    if (!task || !a) {
      await new Promise((r) => setTimeout(r, 150));
      continue;
    }
    const { by, ...json } = a;
    await api.call('POST', `/api/v1/tasks/${task.id}/decision`, { key: keyOf.get(by)!, json });
  }

  // Gate 4 and the award, then (light touch, no standstill) straight to signing.
  const atSigning = await answerOpenTasks(api, id, (v) => v.lifecycle?.steps.find((s) => s.id === 'signing')?.status === 'open');
  expect(atSigning.lifecycle!.steps.find((s) => s.id === 'award')).toMatchObject({ status: 'done', detail: 'awarded to acme' });
  const challenge = await api.call<{ detail: string }>('POST', `/api/v1/commissions/${id}/challenges`, { key: keys.nenc, json: { from: 'North Support', grounds: 'We were not invited to tender' } });
  expect(challenge.status).toBe(409);
  expect(challenge.body.detail).toBe('Challenges are recorded during standstill; this commission is not in standstill.');

  const [signMail] = await mailAbout(system, 'commissioner@council.example', 'Sign the contract');
  const signed = await decideByLink(api, linkIn(signMail!), { decision: 'recorded', 'data.start': '2027-04-01', 'data.end': '2030-03-31', 'data.extensionMonths': '24' });
  expect(signed.status).toBe(200);

  const inReview = await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${id}`, { key: keys.nenc }), (r) => r.body.stage === 'review' && r.body.openTasks.length > 0);
  const life = inReview.body.lifecycle!;
  expect(life.contract).toMatchObject({ start: '2027-04-01', end: '2030-03-31', extensionAllowedMonths: 24, extendedMonths: 0 });
  // Light touch: the contract details notice is due within 120 days of signing.
  expect(Date.parse(life.contract!.detailsNoticeDueAt) - Date.parse(life.contract!.signedAt)).toBe(120 * 86_400_000);
  expect(life.waitingFor!.what).toBe('Publish the contract details notice (within 120 days of signing)');
  expect(life.nextEventAt).toBeDefined();
  const timeline = await api.call<{ items: { event: string; what: string; text: string }[] }>('GET', `/api/v1/commissions/${id}/timeline`, { key: keys.council });
  const stages = timeline.body.items.filter((i) => i.event === 'stage-entered').map((i) => i.what.split(': ')[1]);
  expect(stages).toEqual(['Plan', 'Secure services', 'Review']);
  expect(timeline.body.items.find((i) => i.event === 'task-decided' && i.text.includes('Sign the contract'))!.text).toMatch(/Example Council Commissioner \(Cumberland Council\), by emailed link: decided: Sign the contract: recorded/);
}, 180_000);
