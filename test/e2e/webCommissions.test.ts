import type { Browser } from 'playwright-core';
import type { RunningSystem } from '../../scripts/lib/system';
import { expectAccessible, systemInBrowser, signedInAs } from '../helpers/browser';
import { client, eventually, keys } from '../helpers/http';

/**
 * The staff web service's Commissions pages in Debian's Chromium, against the real API, worker,
 * Temporal dev server and record database: the list, starting one through the form and "check
 * your answers", and a commission's page with its timeline. Every page visited is checked with axe.
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;
let browser: Browser;

systemInBrowser({ started: (running) => ({ system, browser, api } = running) });

interface ListReply {
  items: { id: string; title: string }[];
}

test('a commissioner starts a commission in the browser (plan and timetable first, once however often submitted); an ICB commissioner agrees; its timeline shows it; others get a 404 page', async () => {
  const stamp = Date.now();
  const council = await signedInAs(browser, system.baseUrl, 'Example Council Commissioner');
  const page = council.page;

  // From the navigation to the list, and on to the form.
  await page.getByRole('link', { name: 'Commissions', exact: true }).click();
  await page.waitForURL('**/commissions');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Commissions');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Start a commission' }).click();
  await page.waitForURL('**/commissions/new');
  await expectAccessible(page);

  // Continuing with nothing filled in: the API's rules, in words, each linked to its field.
  await page.getByRole('button', { name: 'Continue' }).click();
  const summary = page.locator('.govuk-error-summary');
  await expect(summary.textContent()).resolves.toContain('Enter a title for the commission');
  await expect(summary.textContent()).resolves.toContain('Choose two or more partners');
  await expect(summary.getByRole('link', { name: 'Enter the estimated whole-life value in pounds, such as 250000' }).getAttribute('href')).resolves.toBe('#estimatedValue');
  await expectAccessible(page);

  // The council proposes itself with the LSC ICB: over £500,000 and high risk, so a legal review and gates 1 to 4.
  await page.getByLabel('Title').fill(`Speech therapy draft ${stamp}`);
  await page.getByRole('group', { name: 'Partners' }).getByLabel('Cumberland Council').check();
  await page.getByRole('group', { name: 'Partners' }).getByLabel('NHS Lancashire and South Cumbria ICB').check();
  await page.getByRole('group', { name: 'Proposed lead partner' }).getByLabel('Cumberland Council').check();
  await page.getByLabel('Estimated value').fill('£750,000');
  await page.getByLabel('Business-critical').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Check your answers before starting the commission');
  const plan = (await page.locator('main').textContent()) ?? '';
  expect(plan).toContain('Gate 1, Gate 2, Gate 3, Gate 4');
  expect(plan).toContain('legal review, with at least 15 working days allowed');
  const timetable = page.getByRole('table', { name: 'Timetable' });
  await expect(timetable.getByRole('row').filter({ hasText: 'Legal review' }).count()).resolves.toBe(1);
  await expect(timetable.getByRole('row').filter({ hasText: 'Standstill' }).count()).resolves.toBe(1);
  await expect(timetable.getByRole('row').filter({ hasText: 'Sign the contract' }).count()).resolves.toBe(1);
  await expectAccessible(page);

  // "Change" goes back to the form with every answer kept; the new title is on the check page.
  await page.getByRole('button', { name: 'Change the title' }).click();
  await expect(page.getByLabel('Title').inputValue()).resolves.toBe(`Speech therapy draft ${stamp}`);
  await expect(page.getByLabel('Business-critical').isChecked()).resolves.toBe(true);
  const title = `Speech and language therapy ${stamp}`;
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.locator('.govuk-summary-list').first().textContent()).resolves.toContain(title);

  // Start it; then the same form once more, as a second press or a resent request would: the same commission.
  const fields = await page.locator('form[action="/commissions"] input').evaluateAll((els) => els.map((e): [string, string] => [e.getAttribute('name') ?? '', e.getAttribute('value') ?? '']));
  const form = new URLSearchParams(fields).toString();
  await page.getByRole('button', { name: 'Start the commission' }).click();
  await page.waitForURL(/\/commissions\/jc-[a-z0-9]{10}\?started=1$/);
  const commissionUrl = page.url().replace(/\?.*$/, '');
  const id = new URL(commissionUrl).pathname.split('/').pop()!;
  await expect(page.locator('.govuk-notification-banner--success').textContent()).resolves.toContain('The commission has started');
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(title);
  await expectAccessible(page);
  const again = await council.context.request.post('/commissions', { headers: { origin: system.baseUrl, 'content-type': 'application/x-www-form-urlencoded' }, data: form, maxRedirects: 0 });
  expect(again.status()).toBe(303);
  expect(again.headers()['location']).toBe(`/commissions/${id}?started=1`);
  const listed = await api.call<ListReply>('GET', `/api/v1/commissions?title=${encodeURIComponent(String(stamp))}`, { key: keys.council });
  expect(listed.body.items.map((c) => c.id)).toEqual([id]);

  // The list shows it, by name, with what it waits on; a filter that excludes it says so.
  await page.goto(`/commissions?title=${stamp}&stage=lead-agreement`);
  const row = page.getByRole('row').filter({ hasText: title });
  await expect(row.count()).resolves.toBe(1);
  await expect(row.textContent()).resolves.toMatch(/NHS Lancashire and South Cumbria ICB[\s\S]*Lead-partner agreement[\s\S]*Agree Cumberland Council as lead partner/);
  await expectAccessible(page);
  await page.goto(`/commissions?title=${stamp}&stage=review`);
  await expect(page.getByText('No commissions match these filters').count()).resolves.toBe(1);

  // The LSC ICB's commissioner agrees the lead partner from their task list, without JavaScript.
  const lsc = await signedInAs(browser, system.baseUrl, 'Example LSC Commissioner', { javaScript: false });
  const taskRow = await eventually(
    async () => {
      await lsc.page.goto('/tasks');
      return lsc.page.getByRole('row').filter({ hasText: title }).count();
    },
    (n) => n === 1,
  );
  expect(taskRow).toBe(1);
  await lsc.page.getByRole('row').filter({ hasText: title }).getByRole('link').click();
  // The task leads to its commission's page (found missing by scripts/walkThrough.ts: only the address would get there).
  await expect(lsc.page.getByRole('link', { name: /^See the commission/ }).getAttribute('href')).resolves.toBe(new URL(commissionUrl).pathname);
  await lsc.page.getByRole('button', { name: 'Agree' }).click();
  await lsc.page.waitForURL(/decided=1/);

  // The lead is agreed; the council's commissioner sets up the evaluation panel early (it waits for the evaluation step).
  await eventually(
    () => api.call<{ lead: { status: string } }>('GET', `/api/v1/commissions/${id}`, { key: keys.council }),
    (r) => r.body.lead?.status === 'agreed',
  );
  const setup = {
    criteria: [
      { id: 'quality', name: 'Quality', kind: 'quality', weight: 60 },
      { id: 'price', name: 'Price', kind: 'price', weight: 20 },
      { id: 'social', name: 'Social value', kind: 'social-value', weight: 20 },
    ],
    bidders: [{ id: 'acme', name: 'Acme Therapy' }],
    members: ['council-panel-member', 'lsc-finance', 'parent-carer-rep', 'young-person-rep'],
    scoringDue: '40 working days',
  };
  expect((await api.call('PUT', `/api/v1/commissions/${id}/evaluation`, { key: keys.council, json: setup })).status).toBe(202);

  // The commission's page: the lead agreed, the panel (its commissioners see it), and the timeline says who decided, for which partner, through the web.
  await page.goto(commissionUrl);
  await expect(page.locator('.govuk-summary-list').first().textContent()).resolves.toContain('Cumberland Council (agreed)');
  await expect(page.getByRole('heading', { name: 'Evaluation panel', exact: true }).count()).resolves.toBe(1);
  const decided = page.locator('.moj-timeline__item').filter({ hasText: 'Example LSC Commissioner' }).filter({ hasText: 'through the web service' });
  await expect(decided.count()).resolves.toBe(1);
  await expect(decided.locator('.moj-timeline__byline').textContent()).resolves.toContain('Example LSC Commissioner for NHS Lancashire and South Cumbria ICB');
  // A task whoever of its people answers first ("anyone") names them, not "anyone".
  const livedExperience = await eventually(
    async () => {
      await page.goto(commissionUrl);
      const row = page.locator('#open-tasks + table tbody tr').filter({ hasText: 'lived experience' });
      return (await row.count()) ? row.locator('td').nth(1).textContent() : null;
    },
    (asks) => asks !== null,
  );
  expect(livedExperience?.trim()).toBe('Example Council Commissioner');
  await expectAccessible(page);
  const timeline = await api.call<{ items: { who?: string; channel?: string; event: string }[] }>('GET', `/api/v1/commissions/${id}/timeline`, { key: keys.lsc });
  expect(timeline.body.items.filter((i) => i.event === 'task-decided').map((i) => [i.who, i.channel])).toEqual([['lsc-commissioner', 'web']]);

  // The council's finance officer follows the commission, but the evaluation panel is its commissioners' and members' only.
  const finance = await signedInAs(browser, system.baseUrl, 'Example Council Finance Officer');
  expect((await finance.page.goto(commissionUrl))?.status()).toBe(200);
  await expect(finance.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(title);
  await expect(finance.page.getByRole('heading', { name: 'Evaluation panel', exact: true }).count()).resolves.toBe(0);
  await finance.context.close();

  // A panel member of the council may not see this commission: the 404 page, none of its data.
  const outsider = await signedInAs(browser, system.baseUrl, 'Example Council Evaluator');
  const res = await outsider.page.goto(commissionUrl);
  expect(res?.status()).toBe(404);
  await expect(outsider.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Page not found');
  await expect(outsider.page.content()).resolves.not.toContain(title);
  await expectAccessible(outsider.page);
  await Promise.all([council.context.close(), lsc.context.close(), outsider.context.close()]);
}, 90_000);

test('odd filters, ids and form bodies on the Commissions pages get pages that say what to do, never a failure', async () => {
  const { context } = await signedInAs(browser, system.baseUrl, 'Example NENC Commissioner');
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const csrf = await (async () => {
    const page = await context.newPage();
    await page.goto('/commissions/new');
    return page.locator('input[name="csrf"]').first().getAttribute('value');
  })();
  await context.close();
  const send = async (method: string, path: string, body?: string) => {
    const res = await fetch(`${system.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: { cookie, origin: system.baseUrl, ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    const text = await res.text();
    expect({ path, failed: res.status >= 500, stack: /\n\s+at .+:\d+:\d+/.test(text) }).toEqual({ path, failed: false, stack: false });
    return { status: res.status, text };
  };
  const odd = await send('GET', `/commissions?stage=sideways&title=${encodeURIComponent('<script>alert(1)</script>')}&cursor=%%%`);
  expect(odd.status).toBe(200);
  expect(odd.text).toContain('Some filters were not understood');
  expect(odd.text).not.toContain('<script>alert(1)</script>');
  expect((await send('GET', '/commissions?title=%3Cb%3E')).text).toContain('Some filters were not understood');
  expect((await send('GET', `/commissions/jc-${'x'.repeat(300)}`)).status).toBe(404);
  expect((await send('GET', '/commissions/jc-nothing000')).status).toBe(404);
  // The form's rules, whatever is sent: refused beside the fields, nothing started.
  const form = (fields: Record<string, string | string[]>) => {
    const q = new URLSearchParams({ csrf: csrf ?? '' });
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) q.append(k, x);
    return q.toString();
  };
  const refused = await send('POST', '/commissions', form({ title: 'x'.repeat(5000), partners: ['council', 'council', 'nowhere'], proposedLead: 'nowhere', estimatedValue: '1e9', highRiskFactors: 'made-up' }));
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('There is a problem');
  expect(refused.text).toContain('Enter the estimated value as an amount in pounds');
  // Partners that leave out the person's own organisation: the API's rule, in words.
  const notTheirs = await send('POST', '/commissions/new', form({ title: 'Respite care', partners: ['council', 'lsc-icb'], proposedLead: 'council', estimatedValue: '1000' }));
  expect(notTheirs.status).toBe(400);
  expect(notTheirs.text).toContain('Include your own organisation, NHS North East and North Cumbria ICB, among the partners');
  // Without the form's token, nothing.
  expect((await send('POST', '/commissions', 'title=Respite+care')).status).toBe(403);
  // A person who is not a commissioner is not offered the form.
  const finance = await signedInAs(browser, system.baseUrl, 'Example Council Finance Officer');
  expect((await finance.page.goto('/commissions/new'))?.status()).toBe(403);
  await expect(finance.page.getByText('Only commissioners can start a commission').count()).resolves.toBe(1);
  await expectAccessible(finance.page);
  await finance.page.goto('/commissions');
  await expect(finance.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Commissions');
  await expect(finance.page.getByRole('button', { name: 'Start a commission' }).count()).resolves.toBe(0);
  await finance.context.close();
}, 60_000);
