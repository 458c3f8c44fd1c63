import type { Browser } from 'playwright-core';
import type { CommissionView } from '../../domain/commission';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';
import { expectAccessible, launchBrowser, signedInAs } from '../helpers/browser';
import { client, eventually, keys } from '../helpers/http';

/**
 * The staff web service in Debian's Chromium, against the real API, worker, Temporal dev server,
 * SMTP server and record database. Every page visited is checked with axe.
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;
let browser: Browser;

beforeAll(async () => {
  [system, browser] = await Promise.all([startSystem(), launchBrowser()]);
  api = client(system);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

test('a commissioner and an ICB commissioner agree the lead partner in the browser; others see a 404 page', async () => {
  // The NENC ICB proposes itself as lead: the council and the LSC ICB are asked to agree.
  const title = `Community nursing for children ${Date.now()}`;
  const created = await api.call<CommissionView>('POST', '/api/v1/commissions', {
    key: keys.nenc,
    json: { title, partners: ['council', 'nenc-icb', 'lsc-icb'], proposedLead: 'nenc-icb', estimatedValue: 300_000 },
  });
  expect(created.status).toBe(201);
  const id = created.body.id;

  // The council's commissioner signs in, sees the task with its subject and partners by name, opens it.
  const council = await signedInAs(browser, system.baseUrl, 'Example Council Commissioner');
  let page = council.page;
  const rows = await eventually(
    async () => {
      await page.goto('/tasks');
      return page.getByRole('row').filter({ hasText: title }).count();
    },
    (n) => n === 1,
  );
  expect(rows).toBe(1);
  const row = page.getByRole('row').filter({ hasText: title });
  const rowText = (await row.textContent()) ?? '';
  expect(rowText).toContain('Cumberland Council');
  expect(rowText).toContain('NHS North East and North Cumbria ICB');
  expect(rowText).not.toContain('nenc-icb');
  await expect(page.getByRole('link', { name: /^Your tasks \(\d+\)$/ }).count()).resolves.toBe(1);
  await expectAccessible(page);
  await row.getByRole('link').click();
  await page.waitForURL(/\/tasks\/[^/]+$/);
  const taskUrl = page.url();
  await expect(page.getByText('Your decision is final').count()).resolves.toBe(1);
  await expectAccessible(page);

  // Objecting without a reason is refused with the rule, in an error summary; nothing is recorded.
  await page.getByRole('button', { name: 'Object' }).click();
  await expect(page.locator('.govuk-error-summary').textContent()).resolves.toMatch(/reason|comment/i);
  await expectAccessible(page);

  await page.getByLabel('Comment').fill('The ICB has the nursing contracts already');
  await page.getByRole('button', { name: 'Agree' }).click();
  await page.waitForURL(/decided=1/);
  await expect(page.locator('.govuk-notification-banner--success').textContent()).resolves.toContain('you chose "agree"');
  await expectAccessible(page);

  // The LSC ICB's commissioner agrees from their task list.
  const lsc = await signedInAs(browser, system.baseUrl, 'Example LSC Commissioner');
  page = lsc.page;
  await page.getByRole('row').filter({ hasText: title }).getByRole('link').click();
  await page.getByRole('button', { name: 'Agree' }).click();
  await page.waitForURL(/decided=1/);
  await expectAccessible(page);

  const agreed = (
    await eventually(
      () => api.call<CommissionView>('GET', `/api/v1/commissions/${id}`, { key: keys.nenc }),
      (c) => c.body.lead?.status === 'agreed',
    )
  ).body;
  expect(agreed.lead).toMatchObject({ status: 'agreed', partner: 'nenc-icb' });
  const decided = agreed.history.filter((e) => e.event === 'task-decided');
  expect(decided.map((e) => [e.by, e.channel])).toEqual(expect.arrayContaining([['council-commissioner', 'web'], ['lsc-commissioner', 'web']]));

  // A panel member of the council may not read this commission's tasks: a 404 page, no data.
  const outsider = await signedInAs(browser, system.baseUrl, 'Example Council Evaluator');
  const res = await outsider.page.goto(taskUrl);
  expect(res?.status()).toBe(404);
  await expect(outsider.page.content()).resolves.not.toContain(title);
  await expect(outsider.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Page not found');
  await expectAccessible(outsider.page);

  // Sign-out ends the session: the same cookie no longer signs anyone in.
  await outsider.page.goto('/tasks');
  await outsider.page.getByRole('button', { name: 'Sign out' }).click();
  await outsider.page.waitForURL(/\/sign-in\?signedOut=1/);
  await outsider.page.goto('/tasks');
  expect(new URL(outsider.page.url()).pathname).toBe('/sign-in');

  // A form posted from another site, or without its token, does nothing.
  const cookies = await council.context.cookies();
  const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const forged = await fetch(taskUrl, { method: 'POST', redirect: 'manual', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=agree' });
  expect(forged.status).toBe(403);
  await Promise.all([council.context.close(), lsc.context.close(), outsider.context.close()]);
}, 90_000);
