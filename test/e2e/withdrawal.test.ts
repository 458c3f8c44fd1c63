import type { CommissionView } from '../../domain/commission';
import type { DisputeView } from '../../domain/dispute';
import type { ReferralView } from '../../domain/referral';
import type { Task } from '../../domain/task';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';
import { client, eventually, keys, mailAbout } from '../helpers/http';

/**
 * Withdrawing a commission, a dispute or a referral over HTTP, on the real processes: those the
 * rule names may (2xx, the subject shows withdrawn, its tasks leave the inbox, those asked are
 * emailed); others are refused naming the rule (403); the reason is required and bounded (422);
 * a second withdrawal conflicts (409).
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;

const seniorNenc = 'demo-key-nenc-senior-manager-001';
const rap = { council: 'demo-key-council-rap-member-0001', nenc: 'demo-key-nenc-rap-member-000001' };

beforeAll(async () => {
  system = await startSystem();
  api = client(system);
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

jest.setTimeout(120_000);

type Problem = { detail: string; errors?: { path: string; message: string }[] };
const withdraw = <T = Problem>(path: string, key: string, json: unknown) => api.call<T>('POST', `${path}/withdrawal`, { key, json });
const inboxOf = (key: string) => api.call<{ tasks: Task[] }>('GET', '/api/v1/tasks', { key });

test('a commission: a partner not named is refused naming the rule; the reason is required and bounded; its creator withdraws it, the task leaves the inbox and the partner asked is told; a second time conflicts', async () => {
  const title = `Withdrawn breaks ${Date.now()}`;
  const started = await api.call<CommissionView>('POST', '/api/v1/commissions', {
    key: keys.council,
    json: { title, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 300_000 },
  });
  expect(started.status).toBe(201);
  const path = `/api/v1/commissions/${started.body.id}`;
  await eventually(() => inboxOf(keys.nenc), (r) => r.body.tasks.some((t) => t.subject.id === started.body.id));

  const refused = await withdraw(path, keys.nenc, { reason: 'Not ours to end' });
  expect(refused.status).toBe(403);
  expect(refused.body.detail).toContain("the commission's creator, or a commissioner or senior manager of its lead partner");
  expect((await withdraw(path, keys.council, { reason: '  ' })).status).toBe(422);
  const tooLong = await withdraw(path, keys.council, { reason: 'x'.repeat(2001) });
  expect(tooLong.status).toBe(422);
  expect(tooLong.body.errors?.[0]?.path).toBe('reason');
  expect((await withdraw(path, keys.council, {})).status).toBe(400);

  const done = await withdraw<CommissionView>(path, keys.council, { reason: 'The service is no longer needed' });
  expect(done.status).toBe(200);
  expect(done.body.stage).toBe('withdrawn');
  expect(done.body.withdrawn).toMatchObject({ by: 'council-commissioner', reason: 'The service is no longer needed' });
  expect(done.body.openTasks).toEqual([]);
  const shown = await api.call<CommissionView>('GET', path, { key: keys.nenc });
  expect(shown.body.history.some((e) => e.event === 'withdrawn' && e.reason === 'The service is no longer needed')).toBe(true);
  const inbox = await inboxOf(keys.nenc);
  expect(inbox.body.tasks.filter((t) => t.subject.id === started.body.id)).toEqual([]);
  const [told] = await mailAbout(system, 'commissioner@nenc-icb.example', `Withdrawn, no decision needed: ${title}`);
  expect(told!.text).toContain('The service is no longer needed');

  expect((await withdraw(path, keys.council, { reason: 'Once more' })).status).toBe(409);
});

test('a dispute: a senior manager of a party may withdraw it; a commissioner who did not raise it may not', async () => {
  const commission = await api.call<CommissionView>('POST', '/api/v1/commissions', {
    key: keys.council,
    json: { title: `Therapies ${Date.now()}`, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 300_000 },
  });
  const matter = `Funding share ${Date.now()}`;
  const raised = await api.call<DisputeView>('POST', '/api/v1/disputes', {
    key: keys.council,
    json: { subject: { type: 'commission', id: commission.body.id }, partners: ['council', 'nenc-icb'], matter, desiredOutcome: '50/50' },
  });
  expect(raised.status).toBe(201);
  const id = raised.headers.get('location')!.split('/').pop()!;
  const path = `/api/v1/disputes/${id}`;
  await eventually(() => api.call<DisputeView>('GET', path, { key: keys.council }), (r) => r.body.openTasks.length === 1);

  const refused = await withdraw(path, keys.nenc, { reason: 'Not mine to end' });
  expect(refused.status).toBe(403);
  expect(refused.body.detail).toContain('the person who raised the dispute, or a senior manager of a partner it involves');
  const done = await withdraw<DisputeView>(path, seniorNenc, { reason: 'Agreed at the partnership meeting' });
  expect(done.status).toBe(200);
  expect(done.body.stage).toBe('withdrawn');
  expect(done.body.outcome).toMatchObject({ status: 'withdrawn', reason: 'Agreed at the partnership meeting', decidedBy: ['nenc-senior-manager'] });
  expect((await inboxOf(keys.nenc)).body.tasks.filter((t) => t.subject.id === id)).toEqual([]);
  await mailAbout(system, 'commissioner@nenc-icb.example', `Withdrawn, no decision needed: Dispute: ${matter}`);
  expect((await withdraw(path, keys.council, { reason: 'Once more' })).status).toBe(409);
});

test('a referral: a commissioner of a funding partner withdraws it; a RAP member who did not refer it may not', async () => {
  const caseRef = `WDR-${String(Date.now() % 100_000).padStart(5, '0')}`;
  const referred = await api.call<ReferralView>('POST', '/api/v1/referrals', {
    key: rap.council,
    json: { caseRef, locality: 'Keswick', needs: ['health', 'education'], packageDescription: 'Short breaks', annualCost: 90_000, proposedSplit: { council: 50, 'nenc-icb': 50 }, urgent: false },
  });
  expect(referred.status).toBe(201);
  const id = referred.headers.get('location')!.split('/').pop()!;
  const path = `/api/v1/referrals/${id}`;
  await eventually(() => api.call<ReferralView>('GET', path, { key: rap.council }), (r) => r.body.openTasks.length === 2);

  const refused = await withdraw(path, rap.nenc, { reason: 'Not mine to end' });
  expect(refused.status).toBe(403);
  expect(refused.body.detail).toContain('the person who made the referral, or a commissioner of one of its funding partners');
  const done = await withdraw<ReferralView>(path, keys.nenc, { reason: 'The family moved out of area' });
  expect(done.status).toBe(200);
  expect(done.body.status).toBe('withdrawn');
  expect(done.body.openTasks).toEqual([]);
  expect((await inboxOf(rap.nenc)).body.tasks.filter((t) => t.subject.id === id)).toEqual([]);
  await mailAbout(system, 'rap@nenc-icb.example', `Withdrawn, no decision needed: Referral ${caseRef.replace('-', '')}`);
  expect((await withdraw(path, keys.nenc, { reason: 'Once more' })).status).toBe(409);
});
