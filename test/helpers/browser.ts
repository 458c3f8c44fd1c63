import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { accessibilityViolations } from '../../scripts/lib/accessibility';
import { CHROMIUM_FLAGS, ensureChromium } from '../../scripts/lib/chromium';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';
import { client } from './http';

/** Debian's Chromium, driven by Playwright by its path (provisioned by `npm run provision`). */
export async function launchBrowser(): Promise<Browser> {
  const { path } = ensureChromium();
  return chromium.launch({ executablePath: path, args: CHROMIUM_FLAGS, headless: true });
}

/** Pages already checked in this test file: the same page in the same state is checked once (axe takes 1.5 to 4 s a page). */
const checked = new Set<string>();

/** A page and its state: its path with ids and tokens left out, its heading, an error summary or a banner. */
async function pageState(page: Page): Promise<string> {
  const url = new URL(page.url());
  const path = url.pathname.replace(/\/tasks\/[^/]+/, '/tasks/:id').replace(/\/a\/[^/]+/, '/a/:token');
  const heading = (await page.locator('h1').first().textContent().catch(() => '')) ?? '';
  const flags = await page.locator('.govuk-error-summary, .govuk-notification-banner, .govuk-panel').evaluateAll((els) => els.map((e) => e.className).join(' '));
  return `${path} | ${heading.trim()} | ${flags}`;
}

/**
 * Every page a browser test visits is checked with axe (WCAG 2.0, 2.1 and 2.2, A and AA, and
 * axe's best practices): the test fails on any violation, naming the rule and the elements.
 */
export async function expectAccessible(page: Page): Promise<void> {
  const state = await pageState(page);
  if (checked.has(state)) return;
  checked.add(state);
  const found = await accessibilityViolations(page);
  expect({ url: page.url(), violations: found }).toEqual({ url: page.url(), violations: [] });
}

/** What the browser reported as wrong on a page (a script error, a blocked resource, a CSP refusal): should be nothing. */
export const browserComplaints: string[] = [];

/** A new page whose errors, CSP refusals and failed loads are collected in browserComplaints. */
export async function watchedPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => {
    // A page answered with its own status (404, 422) is logged as a failed load of the page itself: that is the page, not a fault.
    const ownStatus = m.text().startsWith('Failed to load resource') && m.location().url === page.url();
    if (m.type() === 'error' && !ownStatus) browserComplaints.push(`${page.url()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => browserComplaints.push(`${page.url()}: ${e.message}`));
  return page;
}

/** A person's own browser (own cookies), signed in through the development sign-in; `javaScript: false` for one without it. */
export async function signedInAs(browser: Browser, baseUrl: string, name: string, opts: { javaScript?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, javaScriptEnabled: opts.javaScript ?? true });
  const page = await watchedPage(context);
  await page.goto('/');
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  await expectAccessible(page);
  await page.getByRole('button', { name: `Sign in as ${name}`, exact: true }).click();
  await page.waitForURL('**/tasks');
  return { context, page };
}

export interface SystemInBrowser {
  system: RunningSystem;
  browser: Browser;
  api: ReturnType<typeof client>;
}

/**
 * A browser test file's set-up: the whole system (with `env`, worked out first, so a test can start
 * what the system needs to know of) and Chromium, started once before its tests and stopped after;
 * after each test, no script error, blocked resource or content security policy refusal on any page.
 */
export function systemInBrowser(opts: { env?: () => NodeJS.ProcessEnv | Promise<NodeJS.ProcessEnv>; started: (running: SystemInBrowser) => void }): void {
  let running: Partial<SystemInBrowser> = {};
  beforeAll(async () => {
    const env = await opts.env?.();
    const [system, browser] = await Promise.all([startSystem(env ? { env } : {}), launchBrowser()]);
    running = { system, browser, api: client(system) };
    opts.started(running as SystemInBrowser);
  }, 180_000);
  afterEach(() => {
    expect(browserComplaints.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await running.browser?.close();
    await running.system?.stop();
  });
}
