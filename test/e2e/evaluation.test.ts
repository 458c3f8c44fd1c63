import type { CommissionView } from '../../domain/commission';
import type { EvaluationView } from '../../domain/evaluation';
import type { Task } from '../../domain/task';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';
import { answerOpenTasks, client, decideByLink, eventually, keys, linkIn, mailAbout } from '../helpers/http';

/**
 * A joint evaluation panel over HTTP: the set-up's rules refused by name, conflicts declared,
 * three members scoring through the API and one, who has no API key, through the emailed link,
 * blind until all have scored, then moderation and the result matrix on the commission's record.
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;

const member = {
  council: 'demo-key-council-panel-member-001',
  nenc: 'demo-key-nenc-panel-member-00001',
  parent: 'demo-key-parent-carer-rep-000001',
};

beforeAll(async () => {
  system = await startSystem();
  api = client(system);
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

const criteria = [
  { id: 'quality', name: 'Quality of service', kind: 'quality', weight: 60, guidance: '5: exceeds every outcome in the specification' },
  { id: 'price', name: 'Price', kind: 'price', weight: 30 },
  { id: 'social', name: 'Social value', kind: 'social-value', weight: 10 },
];
const bidders = [
  { id: 'acme', name: 'Acme Care' },
  { id: 'north', name: 'North Support' },
];
const members = ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep', 'young-person-rep'];
const scoringDue = new Date(Date.now() + 30 * 86_400_000).toISOString();

const grid = (acmeQuality: number) => ({
  scores: {
    acme: { quality: { score: acmeQuality, reason: 'Staffing plan judged against the guidance' }, price: { score: 3, reason: 'Mid-range price' }, social: { score: 3, reason: 'Local jobs pledged' } },
    north: { quality: { score: 4, reason: 'Strong outcomes evidence' }, price: { score: 4, reason: 'Lowest price' }, social: { score: 2, reason: 'Little local commitment' } },
  },
});

test('a panel is set up under its rules, scores blind by API and by emailed link, is moderated, and its matrix joins the commission record', async () => {
  const created = (
    await api.call<CommissionView>('POST', '/api/v1/commissions', {
      key: keys.council,
      json: { title: `Therapies for children ${Date.now()}`, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 600_000 },
    })
  ).body;
  const base = `/api/v1/commissions/${created.id}/evaluation`;
  const setup = { criteria, bidders, members, scoringDue, socialValueJustification: 'Social value is secured through the contract KPIs instead, agreed by both partners.' };

  // The lead is not settled yet: the panel waits for it.
  const early = await api.call('PUT', base, { key: keys.council, json: setup });
  expect(early.status).toBe(409);
  expect(early.text).toContain('once the lead partner is settled');
  const leadTask = (await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${created.id}`, { key: keys.nenc }), (r) => r.body.openTasks.length === 1)).body.openTasks[0]!;
  expect((await api.call('POST', `/api/v1/tasks/${leadTask.id}/decision`, { key: keys.nenc, json: { decision: 'agree' } })).status).toBe(200);
  await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${created.id}`, { key: keys.council }), (r) => r.body.lead.status === 'agreed');

  // Each rule refuses by name.
  const refused = async (json: object) => {
    const r = await api.call<{ detail: string; errors: { path: string }[] }>('PUT', base, { key: keys.council, json });
    expect(r.status).toBe(422);
    return r.body;
  };
  expect((await refused({ ...setup, criteria: [{ ...criteria[0], weight: 50 }, criteria[1], criteria[2]] })).detail).toMatch(/^The panel breaks the rule weights-sum-to-100: The criteria's weights add up to 90/);
  expect((await refused({ ...setup, socialValueJustification: undefined })).detail).toContain('social-value-minimum: Social value carries 10%');
  expect((await refused({ ...setup, members: ['council-panel-member', 'council-commissioner'] })).errors.map((e) => e.path)).toEqual(['minimum-members', 'joint-panel']);
  expect((await refused({ ...setup, members: [...members.slice(0, 3), 'lsc-commissioner'] })).detail).toContain('members-from-the-partnership');
  expect((await api.call('PUT', base, { key: keys.nenc, json: setup })).status).toBe(403);

  // Set up while the commission is still in Analyse: the panel waits for the evaluation step.
  const early2 = await api.call<{ status: string }>('PUT', base, { key: keys.council, json: setup });
  expect(early2.status).toBe(202);
  expect(early2.body.status).toBe('requested');
  expect((await api.call('PUT', base, { key: keys.council, json: setup })).status).toBe(409);
  const waiting = await api.call<{ detail: string }>('GET', base, { key: keys.council });
  expect(waiting.status).toBe(404);
  expect(waiting.body.detail).toContain('starts when the commission reaches evaluation');
  await answerOpenTasks(api, created.id, (v) => v.lifecycle?.steps.find((s) => s.id === 'evaluation')?.status === 'open');
  const made = await eventually(() => api.call<EvaluationView>('GET', base, { key: keys.council }), (r) => r.status === 200);
  expect(made.body.socialValue).toEqual({ weight: 10, minimum: 20, justification: setup.socialValueJustification });
  // Only the panel and the participating partners' commissioners see it.
  expect((await api.call('GET', base, { key: keys.councilFinance })).status).toBe(404);
  expect((await api.call('GET', base, { key: keys.lsc })).status).toBe(404);

  // Declarations: three through the API (from their inboxes), one through the emailed link.
  const id = made.body.id;
  for (const key of Object.values(member)) {
    const inbox = await eventually(() => api.call<{ tasks: Task[] }>('GET', '/api/v1/tasks', { key }), (r) => r.body.tasks.some((t) => t.subject.id === id));
    const declaration = inbox.body.tasks.find((t) => t.subject.id === id)!;
    expect(declaration.kind).toBe('evaluation-conflict-declaration');
    expect((await api.call('POST', `/api/v1/tasks/${declaration.id}/decision`, { key, json: { decision: 'declare' } })).status).toBe(200);
  }
  const [declareMail] = (await mailAbout(system, 'young.person@forum.example', created.title)).filter((m) => m.subject?.includes('Declare'));
  expect((await decideByLink(api, linkIn(declareMail!), { decision: 'declare', 'data.conflicts.acme': '', 'data.conflicts.north': '' })).status).toBe(200);

  // Scoring: blind until everyone has scored.
  const score = (person: string, key: string, acmeQuality: number) => api.call('POST', `/api/v1/tasks/${id}.score-${person}/decision`, { key, json: { decision: 'submit', data: grid(acmeQuality) } });
  const missingReason = grid(3) as { scores: Record<string, Record<string, { reason?: string }>> };
  delete missingReason.scores['north']!['price']!.reason;
  const bad = await api.call<{ detail: string }>('POST', `/api/v1/tasks/${id}.score-council-panel-member/decision`, { key: member.council, json: { decision: 'submit', data: missingReason } });
  expect(bad.status).toBe(422);
  expect(bad.body.detail).toContain('scores.north.price.reason: North Support: reason for the Price score is required');
  await eventually(() => score('council-panel-member', member.council, 2), (r) => r.status === 200);
  await eventually(() => score('nenc-panel-member', member.nenc, 4), (r) => r.status === 200);
  const blind = await api.call<EvaluationView>('GET', base, { key: member.nenc });
  expect(blind.body.phase).toBe('scoring');
  expect(new Set(blind.body.scores.map((s) => s.member))).toEqual(new Set(['nenc-panel-member']));
  const othersTask = await api.call<Task>('GET', `/api/v1/tasks/${id}.score-council-panel-member`, { key: member.nenc });
  expect(othersTask.body.status).toBe('decided');
  expect(othersTask.body.decision?.data).toBeUndefined();
  expect((await score('parent-carer-rep', member.parent, 3)).status).toBe(200);

  // The fourth member has no API key: the emailed page shows a score and a reason for every cell.
  const [scoreMail] = (await mailAbout(system, 'young.person@forum.example', created.title, 2)).filter((m) => m.subject?.includes('Score'));
  const page = await api.call('GET', linkIn(scoreMail!));
  const inputs = [...page.text.matchAll(/name="(data\.[^"]+)"/g)].map((m) => m[1]);
  expect(inputs).toHaveLength(12);
  expect(page.text).toContain('5: exceeds every outcome in the specification');
  const fields: Record<string, string> = {};
  for (const [bidder, byCriterion] of Object.entries(grid(3).scores)) {
    for (const [criterion, s] of Object.entries(byCriterion)) {
      fields[`data.scores.${bidder}.${criterion}.score`] = String(s.score);
      fields[`data.scores.${bidder}.${criterion}.reason`] = `${s.reason} (young person)`;
    }
  }
  const half = await decideByLink(api, linkIn(scoreMail!), { decision: 'submit', ...fields, 'data.scores.acme.price.score': '7' });
  expect(half.status).toBe(422);
  expect(half.text).toContain('must be a whole number from 0 to 5');
  expect(half.text).toContain('(young person)');
  expect((await decideByLink(api, linkIn(scoreMail!), { decision: 'submit', ...fields })).status).toBe(200);

  // Acme's quality ran from 2 to 4: moderation. Everything else within 1 point: none.
  const moderating = await eventually(() => api.call<EvaluationView>('GET', base, { key: member.nenc }), (r) => r.body.openTasks.length > 0);
  expect(moderating.body.phase).toBe('moderating');
  expect(moderating.body.scores).toHaveLength(4 * 6);
  expect(moderating.body.openTasks.map((t) => t.key)).toEqual(['moderate-acme-quality']);
  const noRationale = await api.call('POST', `/api/v1/tasks/${id}.moderate-acme-quality/decision`, { key: keys.council, json: { decision: 'record', data: { score: 3 } } });
  expect(noRationale.status).toBe(422);
  expect(
    (await api.call('POST', `/api/v1/tasks/${id}.moderate-acme-quality/decision`, { key: keys.council, json: { decision: 'record', data: { score: 3 }, comment: 'Consensus at the moderation meeting.' } })).status,
  ).toBe(200);

  const done = await eventually(() => api.call<EvaluationView>('GET', base, { key: keys.nenc }), (r) => r.body.phase === 'complete');
  // Acme: 3/5×60 + 3/5×30 + 3/5×10 = 60. North: 4/5×60 + 4/5×30 + 2/5×10 = 76.
  expect(done.body.result!.ranking.map((r) => [r.bidder, r.total])).toEqual([
    ['north', 76],
    ['acme', 60],
  ]);
  const cell = done.body.result!.matrix.find((c) => c.bidder === 'acme' && c.criterion === 'quality')!;
  expect(cell.scores.map((s) => [s.member, s.score])).toEqual([
    ['council-panel-member', 2],
    ['nenc-panel-member', 4],
    ['parent-carer-rep', 3],
    ['young-person-rep', 3],
  ]);
  expect(cell.moderated).toMatchObject({ score: 3, rationale: 'Consensus at the moderation meeting.', by: 'council-commissioner' });

  const commission = await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${created.id}`, { key: keys.council }), (r) => r.body.evaluation?.status === 'complete');
  expect(commission.body.evaluation).toMatchObject({ status: 'complete', recommended: 'north' });
  // The commission moves on: gate 4 (over £500k), then the award names the panel's recommendation.
  const award = await answerOpenTasks(api, created.id, (v) => v.openTasks.some((t) => t.kind === 'commission-award'));
  expect(award.lifecycle!.steps.find((s) => s.id === 'gate-4')!.status).toBe('done');
  expect(award.openTasks.find((t) => t.kind === 'commission-award')!.title).toBe('Award the contract to north');
  const record = commission.body.history.map((e) => e.detail ?? '');
  expect(record.some((d) => d.startsWith('[evaluation] Social value carries 10%') && d.includes(setup.socialValueJustification))).toBe(true);
  expect(record.some((d) => d.startsWith('[evaluation] Acme Care, Quality of service: members scored'))).toBe(true);
  expect(record.some((d) => d.includes('young person'))).toBe(true);
}, 180_000);
