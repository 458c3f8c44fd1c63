import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ReferralView } from '../../domain/referral';
import type { RunningSystem } from '../../scripts/lib/system';
import { expectAccessible, systemInBrowser, signedInAs } from '../helpers/browser';
import { client, eventually } from '../helpers/http';

/**
 * The Resource Allocation Panel, delegation and the decision record in Debian's Chromium, against
 * the real API, worker, Temporal dev server and record database. Every page visited is checked with axe.
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;
let browser: Browser;

const rap = { council: 'demo-key-council-rap-member-0001', nenc: 'demo-key-nenc-rap-member-000001', chair: 'demo-key-council-rap-chair-00001' };
const n = String(Date.now() % 100_000).padStart(5, '0');
/** Referred in the browser, urgent: its panel meets minutes later, today. */
const urgentRef = `WEB-${n}`;
/** Referred through the API, not urgent: its panel is weeks away, so the Meeting rule refuses a decision now. */
const laterRef = `LAT-${n}`;

systemInBrowser({
  env: () => {
    // As test/e2e/referral.test.ts: an urgent panel meets five minutes on, the same UK day, so the
    // chair may record its decision; a referral for the monthly panel cannot be decided yet.
    const bundled = readFileSync(join(__dirname, '../../config/cumberland-send.yaml'), 'utf8');
    if (!bundled.includes('urgentWithin: "2 working days"')) throw new Error('the bundled partnership no longer sets urgentWithin as this test expects');
    const config = join(mkdtempSync(join(tmpdir(), 'jco-web-referrals-')), 'partnership.yaml');
    writeFileSync(config, bundled.replace('urgentWithin: "2 working days"', 'urgentWithin: "PT5M"'));
    return { JCO_CONFIG: config };
  },
  started: (running) => ({ system, browser, api } = running),
});

const errorSummary = (page: Page) => page.locator('.govuk-error-summary').textContent();

/** Each funding partner's RAP member agrees the split through the API (their position task). */
async function bothAgree(id: string): Promise<void> {
  const read = () => api.call<ReferralView>('GET', `/api/v1/referrals/${id}`, { key: rap.chair });
  const positions = (await eventually(read, (r) => r.body.openTasks?.some((t) => t.kind === 'referral-position'))).body.openTasks.find((t) => t.kind === 'referral-position')!;
  for (const key of [rap.council, rap.nenc]) {
    const res = await api.call('POST', `/api/v1/tasks/${positions.id}/decision`, { key, json: { decision: 'agree' } });
    expect(res.status).toBe(200);
  }
  await eventually(read, (r) => r.body.agreedSplit !== undefined && r.body.positions.length === 2);
}

test('a RAP member refers a case in the browser (a name refused first), positions are given, and the chair approves it from the agenda; a panel not yet met is refused inline', async () => {
  // A second referral, for the monthly panel, through the API, while the browser refers the first.
  const laterReferral = api.call<ReferralView>('POST', '/api/v1/referrals', {
    key: rap.council,
    json: { caseRef: laterRef, locality: 'Carlisle', needs: ['social-care'], packageDescription: 'A residential short-breaks package', annualCost: 95_000, proposedSplit: { council: 70, 'nenc-icb': 30 } },
  });
  const member = await signedInAs(browser, system.baseUrl, 'Example Council RAP Member');
  let page = member.page;
  await page.getByRole('link', { name: 'Referrals', exact: true }).click();
  await page.waitForURL('**/referrals');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Refer a case' }).click();
  await page.waitForURL('**/referrals/new');
  await expectAccessible(page);

  // A name as the case reference: refused beside the field, nothing referred.
  await page.getByLabel('Case reference').fill('Jane Smith');
  await page.getByLabel('Locality').selectOption('Keswick');
  await page.getByLabel('Health').check();
  await page.getByLabel('Education').check();
  await page.getByLabel('The package').fill('Overnight nursing care and a specialist school place');
  await page.getByLabel('Annual cost').fill('180,000');
  await page.getByLabel('Cumberland Council share').fill('50');
  await page.getByLabel('NHS North East and North Cumbria ICB share').fill('50');
  await page.getByRole('checkbox', { name: /^Urgent/ }).check();
  await page.getByRole('button', { name: 'Refer the case' }).click();
  await expect(errorSummary(page)).resolves.toContain('This looks like a name');
  await expect(page.locator('#caseRef-error').textContent()).resolves.toContain('never personal data');
  await expect(page.getByLabel('The package').inputValue()).resolves.toBe('Overnight nursing care and a specialist school place');
  await expectAccessible(page);
  expect((await api.call<{ items: { caseRef: string }[] }>('GET', '/api/v1/referrals', { key: rap.chair })).body.items.map((i) => i.caseRef).filter((c) => c !== laterRef.replace('-', ''))).toEqual([]);

  await page.getByLabel('Case reference').fill(urgentRef);
  await page.getByRole('button', { name: 'Refer the case' }).click();
  await page.waitForURL(/\/referrals\/rf-[a-z0-9]+\?referred=1$/);
  const id = new URL(page.url()).pathname.split('/').pop()!;
  expect(id).toBe(`rf-${urgentRef.replace('-', '').toLowerCase()}`);
  await expect(page.locator('.govuk-notification-banner--success').textContent()).resolves.toContain('is referred');
  await expect(page.getByRole('table', { name: "The funding partners' positions" }).textContent()).resolves.toContain('No position yet');
  await expectAccessible(page);

  // Both referrals get the partners' agreement through the API (the second one, for the monthly panel, was referred there).
  const later = await laterReferral;
  expect(later.status).toBe(201);
  await Promise.all([bothAgree(id), bothAgree(later.body.id)]);

  // The referral's page: positions side by side, and the timeline (the API's own timeline items).
  await page.goto(`/referrals/${id}`);
  const positions = (await page.getByRole('table', { name: "The funding partners' positions" }).textContent()) ?? '';
  expect(positions).not.toContain('No position yet');
  expect(positions.match(/Agrees/g)).toHaveLength(2);
  const timeline = await api.call<{ items: { what: string }[] }>('GET', `/api/v1/referrals/${id}/timeline`, { key: rap.chair });
  const shown = await page.locator('.moj-timeline__title').allTextContents();
  // The same events, newest first, each with its verb (details name partners and people by name here).
  const verb = (t: string) => t.trim().split(':')[0]!.toLowerCase();
  expect(shown.map(verb)).toEqual(timeline.body.items.map((i) => verb(i.what)).reverse());
  expect(shown.join(' ')).not.toMatch(/nenc-icb|council-rap-chair/);
  await expectAccessible(page);
  await member.context.close();

  // The chair: the agenda lists the next panel (today) with the quorum, then the monthly one.
  const chair = await signedInAs(browser, system.baseUrl, 'Example RAP Chair');
  page = chair.page;
  await page.getByRole('link', { name: 'Referrals', exact: true }).click();
  await page.getByRole('button', { name: "The panel's agenda" }).click();
  await page.waitForURL('**/referrals/agenda');
  const headings = await page.getByRole('heading', { level: 2 }).allTextContents();
  expect(headings[0]).toMatch(/^Next panel: /);
  const item = page.locator('section').filter({ hasText: `Referral ${urgentRef.replace('-', '')}` });
  await expect(item.textContent()).resolves.toContain('Every funding partner has a position');
  await expect(item.locator('.govuk-tag', { hasText: /^\s*Quorate\s*$/ }).count()).resolves.toBe(1);
  await expectAccessible(page);

  // Not yet met: the Meeting rule, at the decision buttons and in the error summary.
  await page.getByRole('button', { name: `Record the panel's decision on ${laterRef.replace('-', '')}` }).click();
  await page.waitForURL(/\/tasks\/[^/]+$/);
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(errorSummary(page)).resolves.toContain('Meeting rule');
  await expect(page.locator('#decision .govuk-error-message').textContent()).resolves.toContain('it has not met yet');
  // The meeting's day in words, as the heading says it too (not 2027-01-12).
  await expect(errorSummary(page)).resolves.not.toMatch(/\d{4}-\d{2}-\d{2}/);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.not.toMatch(/\d{4}-\d{2}-\d{2}/);
  await expect(page.locator('.govuk-error-summary a').getAttribute('href')).resolves.toBe('#decision');
  await expectAccessible(page);

  // Today's panel: approved from the agenda, through the web service.
  await page.goto('/referrals/agenda');
  await page.getByRole('button', { name: `Record the panel's decision on ${urgentRef.replace('-', '')}` }).click();
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await page.waitForURL(/decided=1/);
  await expect(page.locator('.govuk-notification-banner--success').textContent()).resolves.toContain('you chose "Approve"');
  const approved = await eventually(
    () => api.call<ReferralView>('GET', `/api/v1/referrals/${id}`, { key: rap.chair }),
    (r) => r.body.status === 'approved',
  );
  expect(approved.body.decision).toMatchObject({ outcome: 'approve', by: 'council-rap-chair', split: { council: 50, 'nenc-icb': 50 } });
  expect(approved.body.history.filter((e) => e.event === 'task-decided' && e.by === 'council-rap-chair').map((e) => e.channel)).toEqual(['web']);
  await page.goto(`/referrals/${id}`);
  await expect(page.locator('.moj-timeline').textContent()).resolves.toContain("Recorded the panel's decision");
  await expect(page.locator('.moj-timeline').textContent()).resolves.toContain('Through the web service');
  await chair.context.close();
}, 120_000);

test('a person sets a deputy in the browser (someone without a shared role refused first) and revokes it', async () => {
  const { context, page } = await signedInAs(browser, system.baseUrl, 'Example Director for Children and Families');
  await page.getByRole('link', { name: 'Your deputy' }).click();
  await page.waitForURL('**/delegation');
  await expectAccessible(page);
  const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
  const week = new Date(Date.now() + 7 * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
  await page.getByLabel('Deputy').selectOption({ label: 'Example Council Lawyer' });
  await page.getByLabel('First day of cover').fill(today);
  await page.getByLabel('Last day of cover').fill(week);
  await page.getByRole('button', { name: 'Set deputy' }).click();
  await expect(errorSummary(page)).resolves.toContain('Delegation rule: your deputy must be from your own partner and hold at least one of your roles');
  await expect(page.locator('#deputy-error').count()).resolves.toBe(1);
  await expectAccessible(page);

  await page.getByLabel('Deputy').selectOption({ label: 'Example Executive Board Chair' });
  // The form as the browser sends it, to send it a second time below (a second press, or "resend" after a lost answer).
  const form = new URLSearchParams(
    await page.locator('form[action="/delegation"] [name]').evaluateAll((els) => els.map((e): [string, string] => [e.getAttribute('name') ?? '', (e as unknown as { value: string }).value])),
  ).toString();
  await page.getByRole('button', { name: 'Set deputy' }).click();
  await page.waitForURL(/done=set/);
  const again = await context.request.post('/delegation', { headers: { origin: system.baseUrl, 'content-type': 'application/x-www-form-urlencoded' }, data: form, maxRedirects: 0 });
  expect([again.status(), again.headers()['location']]).toEqual([303, '/delegation?done=set']);
  await page.reload();
  // One delegation, not one replaced by its double.
  await expect(page.getByRole('table').getByRole('row').count()).resolves.toBe(2);
  await expect(page.locator('.govuk-notification-banner--success').textContent()).resolves.toContain('Your deputy is set');
  await expect(page.locator('.govuk-inset-text').textContent()).resolves.toContain('Example Executive Board Chair is your deputy');
  await expectAccessible(page);
  const set = await api.call<{ delegation: { deputy: string } | null }>('GET', '/api/v1/people/me/delegation', { key: 'demo-key-council-director-000001' });
  expect(set.body.delegation?.deputy).toBe('board-chair');

  await page.getByRole('button', { name: 'Revoke this delegation' }).click();
  await page.waitForURL(/done=revoked/);
  await expect(page.getByText('You have no deputy now.').count()).resolves.toBe(1);
  await expect(page.getByRole('table').textContent()).resolves.toContain('Revoked');
  await expectAccessible(page);
  expect((await api.call<{ delegation: unknown }>('GET', '/api/v1/people/me/delegation', { key: 'demo-key-council-director-000001' })).body.delegation).toBeNull();
  await context.close();
}, 60_000);

test('a records officer searches the record and places a hold (a hold without a reason refused first); others get the 404 page', async () => {
  const { context, page } = await signedInAs(browser, system.baseUrl, 'Example Council Records Officer');
  await page.getByRole('link', { name: 'Records', exact: true }).click();
  await page.waitForURL('**/records');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/\/records\?/);
  const subject = `rf-${urgentRef.replace('-', '').toLowerCase()}`;
  await expect(page.getByRole('link', { name: subject }).count()).resolves.toBeGreaterThan(0);
  await expectAccessible(page);
  // The download is the API's CSV.
  const csv = await page.request.get((await page.getByRole('link', { name: /Download every event/ }).getAttribute('href'))!);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toContain('text/csv');
  expect((await csv.text()).split('\n')[0]).toContain('subject_id,subject_type,instance,seq');

  await page.getByRole('link', { name: subject }).first().click();
  await page.waitForURL(`**/records/${subject}`);
  await expect(page.getByText('Chain intact').count()).resolves.toBe(1);
  // What happened in words, with names and dates: not the record's codes (task-opened), ids or instants.
  const events = (await page.locator('table.jco-record').first().textContent()) ?? '';
  expect(events).toContain('A task was opened');
  expect(events).not.toMatch(/task-opened|referral-created|\d{4}-\d{2}-\d{2}T|council-rap-member/);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Place hold' }).click();
  await expect(errorSummary(page)).resolves.toContain('Give the reason for the hold');
  await expectAccessible(page);
  await page.getByLabel('Place a legal hold').fill('Freedom of Information request FOI-2026-118');
  const holdForm = new URLSearchParams(
    await page.locator('form[action$="/holds"] [name]').evaluateAll((els) => els.map((e): [string, string] => [e.getAttribute('name') ?? '', (e as unknown as { value: string }).value])),
  ).toString();
  await page.getByRole('button', { name: 'Place hold' }).click();
  await page.waitForURL(/done=held/);
  // The same form sent again places no second hold (the record below has one).
  const again = await context.request.post(`/records/${subject}/holds`, { headers: { origin: system.baseUrl, 'content-type': 'application/x-www-form-urlencoded' }, data: holdForm, maxRedirects: 0 });
  expect([again.status(), again.headers()['location']]).toEqual([303, `/records/${subject}?done=held`]);
  await page.reload();
  await expect(page.locator('.govuk-notification-banner--success').textContent()).resolves.toContain('legal hold is placed');
  await expect(page.getByText('On hold', { exact: true }).count()).resolves.toBe(1);
  await expectAccessible(page);
  const record = await api.call<{ holds: { reason: string; active: boolean; placedBy: string }[] }>('GET', `/api/v1/records/${subject}`, { key: 'demo-key-council-records-officer-01' });
  expect(record.body.holds).toEqual([expect.objectContaining({ reason: 'Freedom of Information request FOI-2026-118', active: true, placedBy: 'council-records-officer' })]);
  await context.close();

  // Someone without the right: the record, the agenda and the referral are the 404 page, with no data.
  const outsider = await signedInAs(browser, system.baseUrl, 'Example Council Finance Officer');
  await expect(outsider.page.getByRole('link', { name: 'Records', exact: true }).count()).resolves.toBe(0);
  for (const path of ['/records', `/records/${subject}`, '/referrals/agenda', `/referrals/${subject}`]) {
    const res = await outsider.page.goto(path);
    expect([path, res?.status()]).toEqual([path, 404]);
    await expect(outsider.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Page not found');
    await expect(outsider.page.content()).resolves.not.toContain('FOI-2026-118');
  }
  await expectAccessible(outsider.page);
  await outsider.context.close();
}, 60_000);
