/**
 * The issue's "done when", walked: with the system started by `npm start` (embedded default), a
 * browser opens http://localhost:3000 ONCE and then does everything by clicking links and buttons
 * and filling forms, as several demonstration people (signing out and in as the next from the
 * development sign-in list). No address is typed after the first: page.goto is called once.
 *
 *   npm start &            # wait for "is ready"
 *   npx tsx scripts/walkThrough.ts [baseUrl]
 *
 * Prints each step with PASS or FAIL, and every page whose words show an id, an instant or an
 * internal code instead of names and dates in words (WORDS). Screenshots of the main pages go to
 * /tmp/walk/. Exit 1 when a step failed.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { loadPartnership } from '../config';
import { CHROMIUM_FLAGS, ensureChromium } from './lib/chromium';

const base = process.argv[2] ?? 'http://localhost:3000';
const shots = '/tmp/walk';
const partnership = loadPartnership();
const stamp = String(Date.now() % 1_000_000).padStart(6, '0');

const results: { step: string; ok: boolean; detail?: string }[] = [];
const wordings: string[] = [];
let page: Page;
let shotNo = 0;
let signedInAs: string | undefined;

function say(line: string): void {
  console.log(line);
}

/** One step of the walk: PASS or FAIL with why; a failure does not stop the walk (later steps may fail for it). */
async function step(name: string, fn: () => Promise<void>): Promise<boolean> {
  try {
    await fn();
    results.push({ step: name, ok: true });
    say(`PASS  ${name}`);
    return true;
  } catch (err) {
    const detail = (err as Error).message.split('\n')[0]!.slice(0, 300);
    results.push({ step: name, ok: false, detail });
    say(`FAIL  ${name}: ${detail}`);
    await shot(`FAIL-${name}`).catch(() => undefined);
    return false;
  }
}

function must(cond: unknown, why: string): asserts cond {
  if (!cond) throw new Error(why);
}

/** A screenshot of the page as it is, numbered in the order taken. */
async function shot(name: string): Promise<void> {
  shotNo += 1;
  const file = `${shots}/${String(shotNo).padStart(2, '0')}-${name.replace(/[^a-zA-Z0-9]+/g, '-').slice(0, 60)}.png`;
  await page.screenshot({ path: file, fullPage: true });
}

/**
 * Words a person should not have to read: people's and partners' ids (council-director-children,
 * nenc-icb), instants (2026-12-01T17:00:00.000Z), a word said twice ("resolved: resolved:"), and
 * internal codes (lead-partner-agreement). Looked for in the page's main text, each page once.
 */
const seen = new Set<string>();
const codes = new RegExp(
  [
    ...partnership.people.map((p) => p.id),
    ...partnership.partners.filter((p) => p.id.includes('-')).map((p) => p.id),
    '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}',
    '(?<![\\w-])\\d{4}-\\d{2}-\\d{2}(?![\\w-])',
    '\\b(\\w+): \\1:',
    '(?<![\\w-])[a-z]+(?:-[a-z0-9]+)+(?![\\w-])',
  ].join('|'),
  'g',
);
/** Words English hyphenates: not codes. */
const fineWords = /^(?:day-to-day|face-to-face|up-to-date|value-for-money|end-to-end|whole-life|co-production|light-touch|high-risk|short-breaks|counter-propose|non-[a-z]+|e-mail|self-[a-z]+|sign-in|sign-out|set-up|follow-up|in-house|make-or-buy|long-term|short-term|one-off|well-being|mid-range|lead-partner|co-commissions?)$/;
/** A subject's id: the records officer's reference for a record (the records pages are searched by it). */
const subjectId = /^(?:jc|jd|je|rf)-[a-z0-9]{5,}$/;

async function checkWords(): Promise<void> {
  const text = (await page.locator('main').innerText().catch(() => '')) ?? '';
  const heading = ((await page.locator('h1').first().textContent().catch(() => '')) ?? '').trim();
  const where = `${new URL(page.url()).pathname} (${heading})`;
  for (const m of text.matchAll(codes)) {
    if (fineWords.test(m[0]) || (subjectId.test(m[0]) && where.startsWith('/records'))) continue;
    const at = Math.max(0, m.index - 40);
    const key = `${where}|${m[0]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const line = `WORDS ${where}: "${m[0]}" in "…${text.slice(at, m.index + m[0].length + 40).replace(/\s+/g, ' ')}…"`;
    wordings.push(line);
    say(line);
  }
}

/** After a click that loads a page: its words checked. */
async function loaded(): Promise<void> {
  await page.waitForLoadState('load');
  await checkWords();
}

const h1 = async (): Promise<string> => ((await page.locator('h1').first().textContent()) ?? '').trim();

async function clickLink(name: string | RegExp, within = page.locator('body')): Promise<void> {
  await within.getByRole('link', { name, exact: typeof name === 'string' }).first().click();
  await loaded();
}

async function clickButton(name: string | RegExp): Promise<void> {
  await page.getByRole('button', { name, exact: typeof name === 'string' }).first().click();
  await loaded();
}

async function nav(name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: new RegExp(`^${name}`) }).click();
  await loaded();
}

/** Sign out (the header's button) and sign in as the next person from the development list. */
async function signIn(name: string): Promise<void> {
  if (signedInAs) {
    await clickButton('Sign out');
    must((await page.getByText('You have signed out.').count()) === 1, 'no "You have signed out." after signing out');
  }
  await page.getByRole('button', { name: `Sign in as ${name}`, exact: true }).click();
  await page.waitForURL('**/tasks');
  await loaded();
  must((await page.locator('.jco-signed-in__name').textContent())?.trim() === name, `the header does not name ${name}`);
  signedInAs = name;
}

/** The navigation's "Your tasks (n)", clicked until a task about `about` whose link matches shows (workflows answer in their own time). */
async function findTask(about: string, link: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await nav('Your tasks');
    const row = page.getByRole('row').filter({ hasText: about }).filter({ has: page.getByRole('link', { name: link }) });
    if ((await row.count()) > 0) {
      await row.first().getByRole('link', { name: link }).click();
      await loaded();
      return;
    }
    if (Date.now() > deadline) {
      const titles = await page.locator('main table a').allTextContents();
      throw new Error(`no task matching ${link} about "${about}" in Your tasks (has: ${titles.join(' | ') || 'none'})`);
    }
    await page.waitForTimeout(1000);
  }
}

/** Clicks `again` (a link or button that reloads the page) until `ok` holds. */
async function until(again: () => Promise<void>, ok: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(1000);
    await again();
  }
}

async function decided(): Promise<void> {
  await page.waitForURL(/decided=1/, { timeout: 15_000 });
  await loaded();
  must((await page.locator('.govuk-notification-banner--success').count()) === 1, 'no success banner after deciding');
}

const panelMembers = ['Example Council Evaluator', 'Example NENC Evaluator', 'Example Parent Carer'];

/** A date `days` from today, as a date field takes it (YYYY-MM-DD, UK). */
const inDays = (days: number): string => new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

const errorsShown = async (): Promise<string> => ((await page.locator('.govuk-error-summary').textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();

/** Commissions (navigation), then the commission by its title (a link in the list). */
async function openCommission(title: string): Promise<void> {
  await nav('Commissions');
  await until(() => nav('Commissions'), async () => (await page.getByRole('link', { name: title, exact: true }).count()) === 1, `"${title}" in Commissions`);
  await clickLink(title);
}

/** The people to try for a task that asks `asked` (a person's name, or a partner's: its people, the likeliest first). */
const rolesFirst = ['senior-manager', 'commissioner', 'procurement', 'legal', 'finance', 'accountable-officer', 'panel-member', 'rap-member'];
function candidatesFor(asked: string): string[] {
  const names: string[] = [];
  for (const part of asked.split(/[;,]\s*/)) {
    const person = partnership.people.find((x) => x.name === part.trim());
    if (person) names.push(person.name);
    const partner = partnership.partners.find((x) => x.name === part.trim());
    if (partner) {
      const people = partnership.people.filter((x) => x.partner === partner.id);
      for (const role of rolesFirst) for (const x of people) if (x.roles.includes(role as never) && !names.includes(x.name)) names.push(x.name);
    }
  }
  return names;
}

/** Fills a task's form as a person would (every field that is not optional) and presses its first option. */
async function decideTask(prefer: string[] = []): Promise<string> {
  const form = page.locator('form[action^="/tasks/"]');
  for (const el of await form.locator('textarea[name^="data."], input[name^="data."], select[name^="data."]').all()) {
    const id = await el.getAttribute('id');
    const label = ((await page.locator(`label[for="${id}"]`).textContent()) ?? '').trim();
    if (label.endsWith('(optional)')) continue;
    const tag = await el.evaluate((e) => e.tagName.toLowerCase());
    const type = await el.getAttribute('type');
    if (tag === 'select') await el.selectOption({ index: 1 });
    else if (type === 'date') await el.fill(inDays(20));
    else if ((await el.getAttribute('inputmode')) === 'numeric') await el.fill('3');
    else await el.fill(`Walked in the browser: ${label.toLowerCase()}`);
  }
  await form.locator('#comment').fill('Walked through in the browser');
  const buttons = form.locator('.govuk-button-group button');
  const labels = (await buttons.allTextContents()).map((t) => t.trim());
  const chosen = prefer.find((x) => labels.includes(x));
  const first = chosen ? buttons.nth(labels.indexOf(chosen)) : buttons.first();
  const option = ((await first.textContent()) ?? '').trim();
  await first.click();
  await page.waitForLoadState('load');
  if (!/decided=1/.test(page.url())) throw new Error(`"${option}" was refused: ${await errorsShown()}`);
  await checkWords();
  return option;
}

/** Signs in as each candidate in turn until one has the task in Your tasks; opens it and decides. */
async function doTask(about: string, taskTitle: string, asked: string, prefer: string[] = [], answered: string[] = []): Promise<string> {
  // A task asking several partners: those whose people answered already are not asked again.
  const answeredPartners = new Set(answered.map((n) => partnership.people.find((x) => x.name === n)?.partner));
  const candidates = candidatesFor(asked).filter((n) => !answeredPartners.has(partnership.people.find((x) => x.name === n)?.partner) || !partnership.people.find((x) => x.name === n)?.partner);
  if (!candidates.length) throw new Error(`nobody to sign in as for "${asked}"`);
  for (const who of candidates) {
    if (signedInAs !== who) await signIn(who);
    await nav('Your tasks');
    const row = page.getByRole('row').filter({ hasText: about }).filter({ has: page.getByRole('link', { name: taskTitle, exact: true }) });
    if ((await row.count()) === 0) continue;
    await row.first().getByRole('link', { name: taskTitle, exact: true }).click();
    await loaded();
    const option = await decideTask(prefer);
    answered.push(who);
    return `${who} chose "${option}"`;
  }
  throw new Error(`none of ${candidates.join(', ')} has "${taskTitle}" in Your tasks`);
}

/**
 * The commission's open tasks, one after another, as the commission's page lists them (and the
 * evaluation panel's page while the panel sits): whoever is asked signs in, finds it in Your tasks and decides.
 * Stops where nothing is open for long: what the commission waits on then is time (standstill).
 */
async function walkCommission(title: string): Promise<void> {
  const done = new Set<string>();
  for (let round = 0; round < 40; round++) {
    let next: { title: string; asked: string } | undefined;
    let where = '';
    const deadline = Date.now() + 20_000;
    while (!next && Date.now() < deadline) {
      if (signedInAs !== 'Example Council Commissioner') await signIn('Example Council Commissioner');
      await openCommission(title);
      where = ((await page.locator('#where-it-stands + p').textContent()) ?? '').replace(/\s+/g, ' ').trim();
      for (const row of await page.locator('#open-tasks + table tbody tr').all()) {
        const t = ((await row.locator('td').first().locator('a').textContent().catch(() => null)) ?? (await row.locator('td').first().evaluate((td) => td.childNodes[0]?.textContent ?? ''))).trim();
        const asked = ((await row.locator('td').nth(1).textContent()) ?? '').trim();
        if (!done.has(`${t}|${asked}`)) {
          next = { title: t, asked };
          break;
        }
      }
      if (!next && (await page.getByRole('link', { name: "The evaluation panel's page" }).count())) {
        await clickLink("The evaluation panel's page");
        for (const li of await page.locator('h2:text("Open tasks") + ul li').all()) {
          const t = ((await li.locator('a').textContent()) ?? '').trim();
          const asked = ((await li.locator('span').textContent()) ?? '').replace(/^\(asks /, '').replace(/, by .*$/, '').trim();
          if (!done.has(`${t}|${asked}`)) {
            next = { title: t, asked };
            break;
          }
        }
      }
      if (!next) await page.waitForTimeout(1500);
    }
    if (!next) {
      say(`INFO  the commission waits on time now: ${where}`);
      await openCommission(title);
      await shot('commission-waiting-on-time');
      return;
    }
    const task = next;
    done.add(`${task.title}|${task.asked}`);
    await step(`commission task "${task.title}" (asks ${task.asked})`, async () => {
      say(`      ${await doTask(title, task.title, task.asked)}`);
    });
  }
}

/**
 * A dispute's or a referral's open tasks, as its page lists them (links, then "asks …" or "Asked of …"),
 * decided one after another by whoever is asked; `open` reaches the page by clicking, as `who`.
 */
async function walkOpenTasks(what: string, about: string, who: string, open: () => Promise<void>, prefer: string[], rounds = 12, skip?: (title: string) => boolean): Promise<void> {
  const done = new Set<string>();
  const answered = new Map<string, string[]>();
  for (let round = 0; round < rounds; round++) {
    let next: { title: string; asked: string } | undefined;
    const deadline = Date.now() + 15_000;
    while (!next && Date.now() < deadline) {
      if (signedInAs !== who) await signIn(who);
      await open();
      for (const li of await page.locator('main ul.govuk-list li').filter({ has: page.locator('a[href^="/tasks/"]') }).all()) {
        const t = ((await li.locator('a').first().textContent()) ?? '').trim();
        const asked = ((await li.locator('span').last().textContent()) ?? '').replace(/^\(asks |^Asked of /, '').replace(/(, by |; due ).*$/s, '').trim();
        // Done when every party it asks has answered (the page lists whom it asks, not who is left).
        const parties = asked.split(';').length;
        if (!done.has(`${t}|${asked}`) && (answered.get(`${t}|${asked}`)?.length ?? 0) < parties && !skip?.(t)) {
          next = { title: t, asked };
          break;
        }
      }
      if (!next) await page.waitForTimeout(1500);
    }
    if (!next) return;
    const task = next;
    const key = `${task.title}|${task.asked}`;
    if (!answered.has(key)) answered.set(key, []);
    const ok = await step(`${what} task "${task.title}" (asks ${task.asked})`, async () => {
      say(`      ${await doTask(about, task.title, task.asked, prefer, answered.get(key))}`);
    });
    if (!ok) done.add(key);
  }
}

async function main(): Promise<void> {
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: ensureChromium().path, args: CHROMIUM_FLAGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => say(`PAGE ERROR ${page.url()}: ${e.message}`));
  page.setDefaultTimeout(15_000);
  const commissionTitle = `Walked speech and language therapy ${stamp}`;

  await step('open http://localhost:3000 (the only address typed): the sign-in page', async () => {
    await page.goto(base);
    await loaded();
    must((await h1()) === 'Sign in', `heading is "${await h1()}"`);
    await shot('sign-in');
  });

  // ---- A commissioner starts a commission.
  await step('the council commissioner signs in from the development list: Your tasks', async () => {
    await signIn('Example Council Commissioner');
    must((await h1()) === 'Your tasks', `heading is "${await h1()}"`);
    await shot('your-tasks');
  });

  await step('Commissions (navigation) → Start a commission → the form', async () => {
    await nav('Commissions');
    must((await h1()) === 'Commissions', `heading is "${await h1()}"`);
    await clickButton('Start a commission');
    await shot('start-a-commission');
  });

  await step('fill the form, Continue → check your answers (plan and timetable)', async () => {
    await page.getByLabel('Title').fill(commissionTitle);
    await page.getByRole('group', { name: 'Partners' }).getByLabel('Cumberland Council').check();
    await page.getByRole('group', { name: 'Partners' }).getByLabel('NHS North East and North Cumbria ICB').check();
    await page.getByRole('group', { name: 'Proposed lead partner' }).getByLabel('Cumberland Council').check();
    await page.getByLabel('Estimated value').fill('£150,000');
    await clickButton('Continue');
    must((await h1()) === 'Check your answers before starting the commission', `heading is "${await h1()}"`);
    await shot('check-your-answers');
  });

  await step('Start the commission → its page with the success banner', async () => {
    await clickButton('Start the commission');
    must((await h1()) === commissionTitle, `heading is "${await h1()}"`);
    must((await page.locator('.govuk-notification-banner--success').count()) === 1, 'no success banner');
    await shot('commission-started');
  });

  await step('back to Commissions: the new one is in the list; open it from there; its timeline', async () => {
    await nav('Commissions');
    await until(() => nav('Commissions'), async () => (await page.getByRole('link', { name: commissionTitle }).count()) === 1, 'the commission in the list');
    await shot('commissions-list');
    await clickLink(commissionTitle);
    must((await h1()) === commissionTitle, `heading is "${await h1()}"`);
    must((await page.locator('.moj-timeline__item').count()) > 0, 'no timeline items');
  });

  // ---- The other partner's commissioner agrees the lead partner from Your tasks.
  await step('the NENC commissioner finds the lead-partner task in Your tasks (count in the navigation) and agrees', async () => {
    await signIn('Example NENC Commissioner');
    const navText = (await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: /^Your tasks/ }).textContent()) ?? '';
    must(/Your tasks \(\d+\)/.test(navText), `navigation says "${navText}"`);
    await findTask(commissionTitle, /lead/i);
    await shot('lead-partner-task');
    await clickButton('Agree');
    await decided();
  });

  await step('the lead commissioner sets up the evaluation panel from the commission page', async () => {
    await signIn('Example Council Commissioner');
    await openCommission(commissionTitle);
    await clickLink('Set up the evaluation panel');
    await shot('evaluation-set-up');
    await page.locator('#criteria-0-name').fill('Quality');
    await page.locator('#criteria-0-weight').fill('60');
    await page.getByLabel('Bidders, one a line').fill('Acme Care\nNorth Support');
    for (const name of panelMembers) await page.getByLabel(name).check();
    await page.getByLabel('Scoring closes on').fill(inDays(30));
    await clickButton('Set up the panel');
    must((await page.locator('.govuk-notification-banner--success').count()) === 1, `no success banner (${await errorsShown()})`);
    await shot('evaluation-set-up-done');
  });

  if (!process.env['WALK_QUICK']) await walkCommission(commissionTitle);

  // ---- A dispute raised from the commission, seen in the disputes list, and its ladder walked.
  const matter = `Who leads the walked therapies ${stamp}`;
  let disputeTitle = '';
  await step('the council commissioner raises a dispute from the commission page', async () => {
    await signIn('Example Council Commissioner');
    await openCommission(commissionTitle);
    await clickLink('raise a dispute about this commission');
    await shot('raise-a-dispute');
    const partners = page.getByRole('group', { name: 'Partners in the dispute' });
    for (const name of ['Cumberland Council', 'NHS North East and North Cumbria ICB']) if (!(await partners.getByLabel(name).isChecked())) await partners.getByLabel(name).check();
    await page.getByLabel('What the disagreement is about').fill(matter);
    await page.getByLabel('The outcome you propose').fill('The council leads; the ICB funds 40%');
    await clickButton('Raise the dispute');
    must(/\/disputes\/[^/?]+/.test(page.url()), `not on a dispute's page but ${page.url()}: ${await errorsShown()}`);
    disputeTitle = await h1();
    await shot('dispute-raised');
  });

  const openDispute = async (): Promise<void> => {
    await nav('Disputes');
    await until(() => nav('Disputes'), async () => (await page.getByRole('link', { name: new RegExp(matter) }).count()) > 0, 'the dispute in the list');
    await clickLink(new RegExp(matter));
  };
  await step('Disputes (navigation): the dispute is in the list; open it', async () => {
    await nav('Disputes');
    await until(() => nav('Disputes'), async () => (await page.getByRole('link', { name: new RegExp(matter) }).count()) > 0, 'the dispute in the list');
    await shot('disputes-list');
    await clickLink(new RegExp(matter));
    must((await h1()).includes(matter) || disputeTitle.includes(matter), `heading is "${await h1()}"`);
  });
  // Early resolution escalated, the Board records that a final decision is required, the officers decide.
  await walkOpenTasks('dispute', matter, 'Example Council Commissioner', openDispute, ['Escalate', 'Final decision required', 'Propose', 'Agree', 'Accept']);
  await step('the dispute page shows where it ended (its stages and outcome)', async () => {
    if (signedInAs !== 'Example Council Commissioner') await signIn('Example Council Commissioner');
    await openDispute();
    await shot('dispute-after-the-ladder');
    say(`      ${((await page.locator('main dl').first().innerText()) ?? '').replace(/\s+/g, ' ').slice(0, 300)}`);
  });

  // ---- A referral to the Resource Allocation Panel.
  const caseRef = `WLK-${stamp.slice(-5)}`;
  await step('a RAP member refers a case (Referrals → Refer a case → the form) and sees its page', async () => {
    await signIn('Example Council RAP Member');
    await nav('Referrals');
    await clickButton('Refer a case');
    await page.getByLabel('Case reference').fill(caseRef);
    await page.getByLabel('Locality').selectOption('Keswick');
    await page.getByLabel('Health').check();
    await page.getByLabel('Social care').check();
    await page.getByLabel('The package').fill('Overnight short breaks and a personal assistant');
    await page.getByLabel('Annual cost').fill('120,000');
    await page.getByLabel('Cumberland Council share').fill('60');
    await page.getByLabel('NHS North East and North Cumbria ICB share').fill('40');
    await shot('refer-a-case');
    await clickButton('Refer the case');
    must(/\/referrals\/rf-/.test(page.url()), `not on the referral's page: ${await errorsShown()}`);
    await shot('referral');
  });
  const caseShown = caseRef.replace('-', '');
  const openReferral = async (): Promise<void> => {
    await nav('Referrals');
    await until(() => nav('Referrals'), async () => (await page.getByRole('link', { name: new RegExp(caseShown) }).count()) > 0, 'the referral in the list');
    await clickLink(new RegExp(caseShown));
  };
  await step('Referrals (navigation): the referral is in the list', async () => {
    await openReferral();
    must((await h1()).includes(caseShown), `heading is "${await h1()}"`);
  });
  await walkOpenTasks('referral', caseShown, 'Example Council RAP Member', openReferral, ['Agree'], 6, (t) => /panel's decision/i.test(t));
  await step("the RAP chair finds it on the panel's agenda and opens its decision task", async () => {
    await signIn('Example RAP Chair');
    await nav('Referrals');
    await clickButton("The panel's agenda");
    await until(
      async () => {
        await nav('Referrals');
        await clickButton("The panel's agenda");
      },
      async () => (await page.getByText(new RegExp(`Referral ${caseShown}`)).count()) > 0,
      'the referral on the agenda',
    );
    await shot('panel-agenda');
    await clickButton(`Record the panel's decision on ${caseShown}`);
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await loaded();
    const refused = await errorsShown();
    // The monthly panel has not met: the Meeting rule refuses a decision before its meeting (time, not a click).
    must(/decided=1/.test(page.url()) || /Meeting rule/.test(refused), `neither decided nor refused by the Meeting rule: ${refused}`);
    say(`      ${/decided=1/.test(page.url()) ? 'approved' : `refused as expected before the meeting: ${refused.slice(0, 200)}`}`);
    await shot('panel-decision');
  });

  // ---- Delegation: set, see, revoke.
  await step('an accountable officer sets a deputy (Your deputy) and revokes it', async () => {
    await signIn('Example Director for Children and Families');
    await nav('Your deputy');
    await page.getByLabel('Deputy').selectOption({ label: 'Example Executive Board Chair' });
    await page.getByLabel('First day of cover').fill(inDays(0));
    await page.getByLabel('Last day of cover').fill(inDays(7));
    await clickButton('Set deputy');
    must((await page.locator('.govuk-notification-banner--success').count()) === 1, `no success banner: ${await errorsShown()}`);
    await shot('deputy-set');
    await clickButton('Revoke this delegation');
    must((await page.getByText('You have no deputy now.').count()) === 1, 'not revoked');
    await shot('deputy-revoked');
  });

  // ---- Records.
  await step('a records officer searches the record, opens a subject and places a legal hold', async () => {
    await signIn('Example Council Records Officer');
    await nav('Records');
    await shot('records');
    await clickButton('Search');
    await shot('records-search');
    const first = page.locator('main table tbody a').first();
    must((await first.count()) === 1, 'no subject listed');
    await first.click();
    await loaded();
    await page.getByLabel('Place a legal hold').fill(`Freedom of Information request FOI-${stamp}`);
    await clickButton('Place hold');
    must((await page.locator('.govuk-notification-banner--success').count()) === 1, `no success banner: ${await errorsShown()}`);
    await shot('record-on-hold');
  });

  await step('sign out: the sign-in page says so', async () => {
    await clickButton('Sign out');
    must((await page.getByText('You have signed out.').count()) === 1, 'no "You have signed out."');
    signedInAs = undefined;
  });

  say('\n---- summary');
  const failed = results.filter((r) => !r.ok);
  say(`${results.length - failed.length} of ${results.length} steps PASS; ${wordings.length} places in words to fix`);
  for (const f of failed) say(`FAIL  ${f.step}: ${f.detail}`);
  await browser.close();
  process.exitCode = failed.length ? 1 : 0;
}

void main();
