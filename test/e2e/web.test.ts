import type { Browser } from 'playwright-core';
import type { CommissionView } from '../../domain/commission';
import type { RunningSystem } from '../../scripts/lib/system';
import { expectAccessible, systemInBrowser, signedInAs, watchedPage } from '../helpers/browser';
import { answerOpenTasks, client, eventually, keys, linkIn, mailAbout } from '../helpers/http';
import { startOidcProvider, type SignedInAtProvider } from '../helpers/oidcProvider';

/**
 * The staff web service in Debian's Chromium, against the real API, worker, Temporal dev server,
 * SMTP server and record database. Every page visited is checked with axe.
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;
let browser: Browser;
let provider: Awaited<ReturnType<typeof startOidcProvider>>;
/** Whom the test's OpenID Connect provider signs in next. */
let ssoPerson: SignedInAtProvider = { email: 'commissioner@lsc-icb.example', sub: 'lsc-commissioner-sub' };
/** The LSC commissioner's Entra ID tenant and object id, as the bundled partnership file records them. */
const lscCommissionerAtEntra = { tid: '0b7c5d1e-0000-4000-8000-0000000000e5', oid: '4f0c6a52-0000-4000-8000-00000000c35c' };

systemInBrowser({
  env: async () => {
    provider = await startOidcProvider({ clientId: 'jco-web', person: () => ssoPerson });
    const sso = { OIDC_ISSUER: provider.issuer, OIDC_AUDIENCE: 'jco-web', OIDC_JWKS_URL: `${provider.issuer}/jwks`, OIDC_CLIENT_ID: 'jco-web' };
    return sso;
  },
  started: (running) => ({ system, browser, api } = running),
});

afterAll(async () => {
  await provider?.close();
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
  await expect(page.locator('.govuk-notification-banner--success').textContent()).resolves.toContain('you chose "Agree"');
  await expectAccessible(page);

  // The LSC ICB's commissioner agrees from their task list, in a browser without JavaScript.
  const lsc = await signedInAs(browser, system.baseUrl, 'Example LSC Commissioner', { javaScript: false });
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

test('the keyboard alone: skip link, sign in, a task from the list, a refusal whose error summary leads to its field, and a decision', async () => {
  const title = `Speech and language therapy ${Date.now()}`;
  const created = await api.call<CommissionView>('POST', '/api/v1/commissions', { key: keys.nenc, json: { title, partners: ['council', 'nenc-icb'], proposedLead: 'nenc-icb', estimatedValue: 80_000 } });
  expect(created.status).toBe(201);
  const context = await browser.newContext({ baseURL: system.baseUrl });
  const page = await watchedPage(context);
  // What has focus, and the table row it is in (a task's link is its title; the row names the subject).
  const focused = async () => {
    const at = page.locator(':focus');
    if (!(await at.count())) return { tag: '', text: '', row: '' };
    return at.evaluate((e) => ({ tag: e.tagName, text: (e.textContent ?? '').replace(/\s+/g, ' ').trim(), row: e.closest('tr')?.textContent ?? '' }));
  };
  /** Tab until what has focus matches: what a keyboard user does to reach it. */
  const tabTo = async (matches: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string) => {
    for (let presses = 0; presses < 80; presses++) {
      await page.keyboard.press('Tab');
      if (matches(await focused())) return;
    }
    throw new Error(`Tab never reached ${what}`);
  };

  await page.goto('/sign-in');
  // The first Tab reaches GOV.UK's skip link.
  await page.keyboard.press('Tab');
  await expect(focused()).resolves.toMatchObject({ tag: 'A', text: 'Skip to main content' });
  await tabTo((f) => f.tag === 'BUTTON' && f.text === 'Sign in as Example Council Commissioner', "the council commissioner's sign-in");
  await page.keyboard.press('Enter');
  await page.waitForURL('**/tasks');
  await eventually(
    async () => {
      await page.reload();
      return page.getByRole('row').filter({ hasText: title }).count();
    },
    (n) => n === 1,
  );
  await tabTo((f) => f.tag === 'A' && f.row.includes(title), 'the task in the list');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/tasks\/[^/]+$/);

  // Objecting without a reason: the error summary's link leads to the field.
  await tabTo((f) => f.tag === 'BUTTON' && f.text === 'Object', 'Object');
  await page.keyboard.press('Enter');
  await page.waitForLoadState();
  await tabTo((f) => f.tag === 'A' && /reason|comment/i.test(f.text), "the error summary's link");
  await page.keyboard.press('Enter');
  await expect(focused()).resolves.toMatchObject({ tag: 'TEXTAREA' });
  await page.keyboard.type('Agreed at the joint commissioning board');
  await tabTo((f) => f.tag === 'BUTTON' && f.text === 'Agree', 'Agree');
  await page.keyboard.press('Enter');
  await page.waitForURL(/decided=1/);
  await expect(page.locator('.govuk-notification-banner--success').textContent()).resolves.toContain('you chose "Agree"');
  await context.close();
}, 90_000);

test("an emailed link's page decides in a real browser (its form posts with our Origin), on the same templates; a stage gate's link asks its person to sign in and brings them back to decide", async () => {
  const title = `Short breaks ${Date.now()}`;
  // Over the sourcing strategy threshold: stage gates apply.
  const created = await api.call<CommissionView>('POST', '/api/v1/commissions', {
    key: keys.council,
    json: { title, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 700_000 },
  });
  expect(created.status).toBe(201);
  const link = linkIn((await mailAbout(system, 'commissioner@nenc-icb.example', title))[0]!);
  const context = await browser.newContext();
  const page = await watchedPage(context);
  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Agree Cumberland Council as lead partner');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Agree' }).click();
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Your decision is recorded');
  await expectAccessible(page);

  // A stage gate is high-stakes: its link's page asks for sign-in, then returns to the same decision.
  await answerOpenTasks(api, created.body.id, (v) => v.openTasks.some((t) => t.kind === 'commission-stage-gate'));
  const gateLink = linkIn((await mailAbout(system, 'senior.manager@council.example', title)).find((m) => m.subject?.includes('Approve'))!);
  await page.goto(gateLink);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in to make this decision');
  await expect(page.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign in as Example Council Senior Manager', exact: true }).click();
  await page.waitForURL(gateLink);
  // The same decision page as above (checked with axe there), now signed in.
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(/^Approve /);
  await page.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Your decision is recorded');
  await context.close();
}, 60_000);

test('single sign-on (authorization code with PKCE) signs a person in by the identity recorded for them, never by an email alone; someone not in the partnership is refused', async () => {
  ssoPerson = { email: 'renamed@lsc-icb.example', sub: 'lsc-commissioner-sub', ...lscCommissionerAtEntra };
  const known = await browser.newContext({ baseURL: system.baseUrl });
  const page = await known.newPage();
  await page.goto('/tasks');
  await page.getByRole('button', { name: "Sign in with your organisation's account" }).click();
  await page.waitForURL('**/tasks');
  await expect(page.locator('.jco-signed-in__name').textContent()).resolves.toBe('Example LSC Commissioner');
  await expectAccessible(page);
  // Signing out ends the session here and at the organisation's provider, which sends the browser back.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/sign-in?signedOut=1');
  expect(provider.signOuts).toEqual([{ clientId: 'jco-web', postLogoutRedirectUri: `${system.baseUrl}/sign-in?signedOut=1` }]);
  await page.goto('/tasks');
  expect(new URL(page.url()).pathname).toBe('/sign-in');

  // Someone not in the partnership, whose account (in another organisation's directory) has an email
  // claim saying the commissioner's, verified or not: Entra ID lets a directory's administrators set it.
  ssoPerson = { email: 'Commissioner@LSC-ICB.example', email_verified: true, sub: 'impostor-sub', tid: '0b7c5d1e-0000-4000-8000-0000000bad00', oid: lscCommissionerAtEntra.oid };
  const stranger = await (await browser.newContext({ baseURL: system.baseUrl })).newPage();
  await stranger.goto('/sign-in');
  await stranger.getByRole('button', { name: "Sign in with your organisation's account" }).click();
  await stranger.waitForLoadState();
  await expect(stranger.getByText('not as a person of this partnership').count()).resolves.toBe(1);
  await expectAccessible(stranger);
  await stranger.goto('/tasks');
  expect(new URL(stranger.url()).pathname).toBe('/sign-in');
  await Promise.all([known.close(), stranger.context().close()]);
}, 60_000);

test('nothing a browser or anyone else sends makes a page fail: odd filters, ids, bodies and sign-in requests get pages that say what to do', async () => {
  const { context } = await signedInAs(browser, system.baseUrl, 'Example Council Finance Officer');
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  await context.close();
  const send = async (method: string, path: string, opts: { body?: string; signedIn?: boolean; headers?: Record<string, string> } = {}) => {
    const res = await fetch(`${system.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(opts.signedIn === false ? {} : { cookie }), ...(opts.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...opts.headers },
      body: opts.body,
    });
    const text = await res.text();
    expect({ path, status: res.status < 500, stack: /\n\s+at .+:\d+:\d+/.test(text) }).toEqual({ path, status: true, stack: false });
    return { status: res.status, text, location: res.headers.get('location') };
  };
  const odd = await send('GET', `/tasks?page=-4&sort=sideways&kind=${encodeURIComponent('<script>alert(1)</script>')}&due=yesterday`);
  expect(odd.status).toBe(200);
  expect(odd.text).toContain('Some filters were not understood');
  expect(odd.text).not.toContain('<script>alert(1)</script>');
  expect((await send('GET', `/tasks/${'x'.repeat(300)}`)).status).toBe(404);
  expect((await send('GET', '/tasks/jc-nothing%00.c0.lead')).status).toBe(404);
  expect((await send('POST', '/tasks/jc-nothing.c0.lead', { body: 'decision=agree' })).status).toBe(403);
  expect((await send('POST', '/tasks/jc-nothing.c0.lead', { body: `comment=${'a'.repeat(100_000)}` })).status).toBe(413);
  expect((await send('POST', '/tasks/jc-nothing.c0.lead', { body: 'decision=agree', signedIn: false })).location).toMatch(/^\/sign-in\?returnTo=/);
  expect((await send('POST', '/sign-in/development', { body: 'person=board-chair', signedIn: false })).status).toBe(403);
  expect((await send('GET', '/sign-in/oidc/callback?code=abc&state=def', { signedIn: false })).status).toBe(400);
  const away = await send('GET', '/sign-in?returnTo=%2F%2Fevil.example%2F', { signedIn: true });
  expect(away.location).toBe('/tasks');
});
