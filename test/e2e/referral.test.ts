import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReferralView } from '../../domain/referral';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';
import { client, decideByLink, eventually, keys, linkIn, mailAbout } from '../helpers/http';

/**
 * A referral to the Resource Allocation Panel over HTTP and emailed links, against the real
 * processes: refused identifiers, positions by link, the quorum refusing the chair, approval.
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;

const rap = { council: 'demo-key-council-rap-member-0001', nenc: 'demo-key-nenc-rap-member-000001', chair: 'demo-key-council-rap-chair-00001' };

beforeAll(async () => {
  // The chair records the panel's decision once the panel has met (the Meeting rule, by UK date).
  // Real time cannot wait two working days, so here an urgent panel meets five minutes on, the
  // same day (positions are due by then); the rule at the panel's date is proven on the
  // time-skipping server (test/workflow/referral.test.ts).
  const bundled = readFileSync(join(__dirname, '../../config/cumberland-send.yaml'), 'utf8');
  if (!bundled.includes('urgentWithin: "2 working days"')) throw new Error('the bundled partnership no longer sets urgentWithin as this test expects');
  const config = join(mkdtempSync(join(tmpdir(), 'jco-referral-')), 'partnership.yaml');
  writeFileSync(config, bundled.replace('urgentWithin: "2 working days"', 'urgentWithin: "PT5M"'));
  system = await startSystem({ env: { JCO_CONFIG: config } });
  api = client(system);
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

const caseRef = `RAP-${String(Date.now() % 100_000).padStart(5, '0')}`;
const body = (overrides: Record<string, unknown> = {}) => ({
  caseRef,
  locality: 'Keswick',
  needs: ['health', 'education'],
  packageDescription: 'Overnight nursing care and a specialist school place',
  annualCost: 210_000,
  proposedSplit: { council: 50, 'nenc-icb': 50 },
  urgent: true,
  ...overrides,
});
/** Opens the emailed page and posts its form with extra inputs (the page's data fields). */
async function decideByLinkWith(link: string, fields: Record<string, string>) {
  const formToken = /name="form" value="([^"]+)"/.exec((await api.call('GET', link)).text)![1]!;
  return api.call('POST', link, { form: { comment: '', ...fields, form: formToken } });
}

const refer = (json: unknown, key = rap.council) => api.call<{ detail: string; errors?: { path: string; message: string }[] }>('POST', '/api/v1/referrals', { key, json });

test('anything that looks like personal data is refused as a case reference; the split must sum to 100; the locality decides the ICB', async () => {
  for (const [ref, why] of [
    ['Jane Smith', 'looks like a name'],
    ['04/03/2015', 'looks like a date of birth'],
    ['943 476 5919', 'looks like an NHS number'],
  ]) {
    const res = await refer(body({ caseRef: ref }));
    // 422, not 400: the document allows any short text; the personal-data rule refuses it.
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain(why);
    expect(res.body.errors).toEqual([{ path: 'caseRef', message: res.body.detail }]);
  }
  const sum = await refer(body({ proposedSplit: { council: 50, 'nenc-icb': 40 } }));
  expect(sum.status).toBe(422);
  expect(sum.body.errors).toEqual([{ path: 'proposedSplit', message: 'Split rule: the percentages must sum to exactly 100' }]);
  const millom = await refer(body({ locality: 'Millom' }));
  expect(millom.status).toBe(422);
  expect(millom.body.detail).toBe('Locality rule: Millom is served by lsc-icb, so nenc-icb cannot fund this package.');
  expect((await refer(body(), 'demo-key-lsc-rap-member-0000001')).status).toBe(403);
});

test('referred, positions by emailed link, the chair refused without a quorum, then approved; the timeline shows where it waited', async () => {
  const created = await api.call<ReferralView>('POST', '/api/v1/referrals', { key: rap.council, json: body() });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe(`/api/v1/referrals/${created.body.id}`);
  expect(created.body).toMatchObject({ caseRef: caseRef.replace('-', ''), icb: 'nenc-icb', fundingPartners: ['council', 'nenc-icb'], status: 'positions' });
  // A retried request names the same referral; a different one for an open case is a conflict.
  const retried = await api.call<ReferralView>('POST', '/api/v1/referrals', { key: rap.council, json: body() });
  expect([retried.status, retried.body.id]).toEqual([201, created.body.id]);
  const again = await api.call('POST', '/api/v1/referrals', { key: rap.council, json: body({ annualCost: 1 }) });
  expect(again.status).toBe(409);
  expect(again.headers.get('link')).toBe(`</api/v1/referrals/${created.body.id}>; rel="duplicate"`);

  const read0 = () => api.call<ReferralView>('GET', `/api/v1/referrals/${created.body.id}`, { key: rap.chair });
  // The emails name the case reference only: not the needs, the package or the locality.
  const title = `Referral ${created.body.caseRef}`;
  const [toCouncil] = await mailAbout(system, 'rap@council.example', title);
  const [toNenc] = await mailAbout(system, 'rap@nenc-icb.example', title);
  const [toChair] = await mailAbout(system, 'rap.chair@council.example', title);
  for (const mail of [toCouncil!, toNenc!, toChair!]) {
    expect(mail.subject).toContain('A referral needs your decision');
    for (const secret of ['Overnight', 'nursing', 'school', 'Keswick', 'health', 'education']) expect(`${mail.subject} ${mail.text}`).not.toContain(secret);
  }

  // The panel's members see their task in the inbox.
  const inbox = await eventually(
    () => api.call<{ tasks: { subject: { id: string }; kind: string }[] }>('GET', '/api/v1/tasks', { key: rap.nenc }),
    (r) => r.body.tasks.some((t) => t.subject.id === created.body.id),
  );
  expect(inbox.body.tasks.find((t) => t.subject.id === created.body.id)!.kind).toBe('referral-position');

  // Through the API, the quorum rule is a 422 naming the partners still missing.
  const panelTask = created.body.openTasks.find((t) => t.kind === 'referral-panel-decision') ?? (await eventually(read0, (r) => r.body.openTasks.length === 2)).body.openTasks.find((t) => t.kind === 'referral-panel-decision')!;
  const refused = await api.call<{ detail: string }>('POST', `/api/v1/tasks/${panelTask.id}/decision`, { key: rap.chair, json: { decision: 'approve' } });
  expect(refused.status).toBe(422);
  expect(refused.body.detail).toBe(
    'Quorum rule: the panel can decide only when a RAP member of each funding partner has recorded a position; still missing: Cumberland Council, NHS North East and North Cumbria ICB.',
  );

  // The chair follows the link too early: the quorum rule refuses, naming who is missing.
  const early = await decideByLink(api, linkIn(toChair!), { decision: 'approve' });
  expect(early.status).toBe(422);
  expect(early.text).toContain('Quorum rule');
  expect(early.text).toContain('NHS North East and North Cumbria ICB');

  expect((await decideByLink(api, linkIn(toNenc!), { decision: 'agree' })).status).toBe(200);
  // The page asks for each partner's share; proposing without them says what is missing.
  const page = await api.call('GET', linkIn(toCouncil!));
  expect(page.text).toContain('NHS North East and North Cumbria ICB share (%)');
  const bare = await decideByLink(api, linkIn(toCouncil!), { decision: 'propose', comment: 'Education needs dominate' });
  expect(bare.status).toBe(422);
  expect(bare.text).toContain('proposing another split needs each partner&#39;s share');
  const proposed = await decideByLinkWith(linkIn(toCouncil!), { decision: 'propose', comment: 'Education needs dominate', 'data.split.council': '60', 'data.split.nenc-icb': '40' });
  expect(proposed.status).toBe(200);

  // Positions differ, side by side; the ICB is asked about the council's proposal.
  const read = () => api.call<ReferralView>('GET', `/api/v1/referrals/${created.body.id}`, { key: rap.chair });
  const differ = await eventually(read, (r) => r.body.positionsDiffer);
  expect(differ.body.positions.map((p) => [p.partner, p.stance, p.split])).toEqual([
    ['council', 'propose', { council: 60, 'nenc-icb': 40 }],
    ['nenc-icb', 'agree', { council: 50, 'nenc-icb': 50 }],
  ]);
  const [, round2] = await mailAbout(system, 'rap@nenc-icb.example', title, 2);
  expect(round2!.subject).toContain('council 60%, nenc-icb 40%');
  expect((await decideByLink(api, linkIn(round2!), { decision: 'agree' })).status).toBe(200);
  await eventually(read, (r) => r.body.agreedSplit !== undefined);
  const approved = await decideByLink(api, linkIn(toChair!), { decision: 'approve' });
  expect(approved.status).toBe(200);

  const done = await eventually(read, (r) => r.body.status === 'approved');
  expect(done.body.decision).toMatchObject({ outcome: 'approve', by: 'council-rap-chair', split: { council: 60, 'nenc-icb': 40 } });
  expect(done.body.positionsDiffer).toBe(false);

  const timeline = await api.call<{ referredAt: string; decidedAt: string; hoursToDecision: number; stages: { stage: string; hours: number }[]; items: { event: string; channel?: string }[] }>(
    'GET',
    `/api/v1/referrals/${created.body.id}/timeline`,
    { key: keys.nenc },
  );
  expect(timeline.status).toBe(200);
  expect(Date.parse(timeline.body.decidedAt)).toBeGreaterThanOrEqual(Date.parse(timeline.body.referredAt));
  expect(timeline.body.hoursToDecision).toBeGreaterThanOrEqual(0);
  expect(timeline.body.stages.map((s) => s.stage)).toEqual(['positions', 'panel']);
  expect(timeline.body.items.filter((i) => i.event === 'task-decided').map((i) => i.channel)).toEqual(['email', 'email', 'email', 'email']);

  // Only the panel and the funding partners' commissioners may see it.
  expect((await api.call('GET', `/api/v1/referrals/${created.body.id}`, { key: keys.lsc })).status).toBe(404);
  expect((await api.call('GET', `/api/v1/referrals/${created.body.id}`, { key: keys.councilFinance })).status).toBe(404);
  const listed = await eventually(
    () => api.call<{ items: { id: string; status: string }[] }>('GET', '/api/v1/referrals?status=approved', { key: keys.council }),
    (r) => r.body.items.some((i) => i.id === created.body.id),
  );
  expect(listed.body.items.find((i) => i.id === created.body.id)!.status).toBe('approved');
}, 120_000);
