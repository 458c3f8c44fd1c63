import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { accessibilityViolations } from './lib/accessibility';
import { CHROMIUM_FLAGS, ensureChromium } from './lib/chromium';
import { projectRoot } from './lib/provision';
import { startSystem } from './lib/system';
import { answerFor } from '../test/helpers/answer';
import type { Browser } from 'playwright-core';
import type { Task } from '../domain/task';

/**
 * `npx tsx scripts/screenshots.ts`: screenshots of the staff web service's main pages, taken from
 * the whole system on loopback (the same one the end-to-end tests start) with demonstration data,
 * into docs/screenshots/, each page checked with axe as it is taken (the script fails on any
 * violation, after taking every page). Re-run it after changing a page.
 */
const out = path.join(projectRoot, 'docs', 'screenshots');
const key = { nenc: 'demo-key-nenc-commissioner-00001', council: 'demo-key-council-commissioner-0001' };

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  // The dev mailbox page reads the messages from a folder, as under `npm start`.
  const mailDir = mkdtempSync(path.join(os.tmpdir(), 'jco-screenshots-mail-'));
  const system = await startSystem({ env: { JCO_DEV_MAIL_DIR: mailDir } });
  const violations: string[] = [];
  const browser = await chromium.launch({ executablePath: ensureChromium().path, args: CHROMIUM_FLAGS, headless: true });
  try {
    const post = async (json: unknown, bearer: string) => {
      const res = await fetch(`${system.baseUrl}/api/v1/commissions`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
      if (res.status !== 201) throw new Error(`starting a commission: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    await post({ title: 'Community nursing for children with complex needs', partners: ['council', 'nenc-icb', 'lsc-icb'], proposedLead: 'nenc-icb', estimatedValue: 300_000 }, key.nenc);
    await post({ title: 'Short breaks for disabled children', partners: ['council', 'nenc-icb'], proposedLead: 'nenc-icb', estimatedValue: 450_000 }, key.nenc);
    await post({ title: 'Speech and language therapy', partners: ['council', 'lsc-icb', 'nenc-icb'], proposedLead: 'lsc-icb', estimatedValue: 120_000 }, 'demo-key-lsc-commissioner-000001');

    const context = await browser.newContext({ baseURL: system.baseUrl, viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    const shot = async (p: Page, name: string) => {
      await p.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
      const found = await accessibilityViolations(p);
      violations.push(...found.map((v) => `${name}: ${v}`));
      console.log(`docs/screenshots/${name}.png  ${p.url().replace(system.baseUrl, '')}  axe: ${found.length ? found.join('; ') : 'no violations'}`);
    };
    await page.goto('/');
    await shot(page, '01-sign-in');
    await page.getByRole('button', { name: 'Sign in as Example Council Commissioner', exact: true }).click();
    await page.waitForURL('**/tasks');
    // The read model catches up with the workflows within a moment.
    for (let i = 0; i < 50 && (await page.getByRole('row').count()) < 4; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await page.reload();
    }
    await shot(page, '02-your-tasks');
    await page.getByRole('row').filter({ hasText: 'Community nursing' }).getByRole('link').click();
    await shot(page, '03-a-task');
    await page.getByRole('button', { name: 'Object' }).click();
    await shot(page, '04-a-task-refused');
    await page.getByLabel('Comment').fill('The ICB already holds the community nursing contracts.');
    await page.getByRole('button', { name: 'Agree' }).click();
    await page.waitForURL(/decided=1/);
    await shot(page, '05-decided');
    await page.goto('/tasks/jc-doesnotexist.c00000000.lead');
    await shot(page, '06-not-found');
    await page.goto('/tasks?due=overdue');
    await shot(page, '07-your-tasks-filtered');
    await context.close();
    // The page behind an emailed link, on the same templates.
    const mail = await (async () => {
      // Up to a minute: on a busy machine the worker sends it some seconds after the commission starts.
      for (let i = 0; i < 300; i++) {
        const found = (await system.mailbox.parsed()).find((m) => m.subject?.includes('Short breaks') && JSON.stringify(m.to).includes('commissioner@council.example'));
        if (found) return found;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('no mail for the council commissioner about Short breaks');
    })();
    const link = /https?:\/\/\S+/.exec(mail.text ?? '')![0];
    const linkPage = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
    await linkPage.goto(link);
    await shot(linkPage, '08-emailed-link');
    // The API's own page and the dev mailbox, on the same templates.
    await linkPage.goto(`${system.baseUrl}/api/v1/docs`);
    await shot(linkPage, '09-api-docs');
    system.mailbox.messages.forEach((raw, i) => writeFileSync(path.join(mailDir, `${String(i).padStart(4, '0')}.eml`), raw));
    await linkPage.goto(`${system.baseUrl}/dev/mail`);
    await shot(linkPage, '10-dev-mailbox');
    await linkPage.getByRole('link', { name: /Short breaks/ }).first().click();
    await shot(linkPage, '11-dev-mail-message');
    // Commissions: the list, starting one (the form, check your answers), a commission's page and its timeline.
    const commissions = await browser.newContext({ baseURL: system.baseUrl, viewport: { width: 1100, height: 800 } });
    const cpage = await commissions.newPage();
    await cpage.goto('/');
    await cpage.getByRole('button', { name: 'Sign in as Example Council Commissioner', exact: true }).click();
    await cpage.waitForURL('**/tasks');
    await cpage.getByRole('link', { name: 'Commissions', exact: true }).click();
    await shot(cpage, '12-commissions');
    await cpage.getByRole('button', { name: 'Start a commission' }).click();
    await cpage.getByLabel('Title').fill('Autism assessment');
    await cpage.getByRole('button', { name: 'Continue' }).click();
    await shot(cpage, '13-start-a-commission-refused');
    await cpage.getByRole('group', { name: 'Partners' }).getByLabel('Cumberland Council').check();
    await cpage.getByRole('group', { name: 'Partners' }).getByLabel('NHS North East and North Cumbria ICB').check();
    await cpage.getByRole('group', { name: 'Proposed lead partner' }).getByLabel('Cumberland Council').check();
    await cpage.getByLabel('Estimated value').fill('£750,000');
    await cpage.getByLabel('Business-critical').check();
    await cpage.getByRole('button', { name: 'Continue' }).click();
    await shot(cpage, '14-check-your-answers');
    await cpage.getByRole('button', { name: 'Start the commission' }).click();
    await cpage.waitForURL(/started=1/);
    await shot(cpage, '15-a-commission-started');
    await cpage.goto('/commissions');
    await cpage.getByRole('link', { name: 'Community nursing for children with complex needs' }).click();
    await shot(cpage, '16-a-commission');
    await commissions.close();

    // The Resource Allocation Panel, delegation and the decision record.
    const signedIn = async (name: string) => {
      const c = await browser.newContext({ baseURL: system.baseUrl, viewport: { width: 1100, height: 800 } });
      const p = await c.newPage();
      await p.goto('/sign-in');
      await p.getByRole('button', { name: `Sign in as ${name}`, exact: true }).click();
      await p.waitForURL('**/tasks');
      return p;
    };
    const rap = await signedIn('Example Council RAP Member');
    await rap.goto('/referrals/new');
    await rap.getByLabel('Case reference').fill('Jane Smith');
    await rap.getByLabel('Locality').selectOption('Keswick');
    await rap.getByLabel('Health').check();
    await rap.getByLabel('Education').check();
    await rap.getByLabel('The package').fill('Overnight nursing care and a specialist school place');
    await rap.getByLabel('Annual cost').fill('210000');
    await rap.getByLabel('Cumberland Council share').fill('50');
    await rap.getByLabel('NHS North East and North Cumbria ICB share').fill('50');
    await rap.getByRole('button', { name: 'Refer the case' }).click();
    await shot(rap, '17-refer-a-case-refused');
    await rap.getByLabel('Case reference').fill('CYP-48213');
    await rap.getByRole('button', { name: 'Refer the case' }).click();
    await rap.waitForURL(/referred=1/);
    const referral = new URL(rap.url()).pathname.split('/').pop()!;
    // The council's RAP member proposes another split through the API: the positions differ, side by side.
    const view = (await (await fetch(`${system.baseUrl}/api/v1/referrals/${referral}`, { headers: { authorization: 'Bearer demo-key-council-rap-member-0001' } })).json()) as { openTasks: { id: string; kind: string }[] };
    const position = view.openTasks.find((t) => t.kind === 'referral-position')!;
    await fetch(`${system.baseUrl}/api/v1/tasks/${position.id}/decision`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-key-council-rap-member-0001', 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'propose', comment: 'Education needs dominate', data: { split: { council: 60, 'nenc-icb': 40 } } }),
    });
    for (let i = 0; i < 50; i++) {
      await rap.goto(`/referrals/${referral}`);
      if ((await rap.getByText('Proposes another split').count()) > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await shot(rap, '18-a-referral');
    const chair = await signedIn('Example RAP Chair');
    await chair.goto('/referrals/agenda');
    await shot(chair, '19-panel-agenda');
    await chair.goto('/referrals');
    await shot(chair, '20-referrals');
    const director = await signedIn('Example Director for Children and Families');
    await director.goto('/delegation');
    await director.getByLabel('Deputy').selectOption({ label: 'Example Executive Board Chair' });
    await director.getByLabel('First day of cover').fill(new Date().toISOString().slice(0, 10));
    await director.getByLabel('Last day of cover').fill(new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10));
    await director.getByRole('button', { name: 'Set deputy' }).click();
    await director.waitForURL(/done=set/);
    await shot(director, '21-your-deputy');
    const officer = await signedIn('Example Council Records Officer');
    await officer.goto('/records');
    await officer.getByRole('button', { name: 'Search' }).click();
    await officer.waitForURL(/\/records\?/);
    await shot(officer, '22-records-search');
    await officer.goto(`/records/${referral}`);
    await officer.getByLabel('Place a legal hold').fill('Freedom of Information request FOI-2026-118');
    await officer.getByRole('button', { name: 'Place hold' }).click();
    await officer.waitForURL(/done=held/);
    await shot(officer, '23-a-record-on-hold');

    await evaluationAndDisputes(system.baseUrl, browser, shot);
  } finally {
    await browser.close();
    await system.stop();
  }
  if (violations.length) throw new Error(`axe found ${violations.length} violation(s):\n${violations.join('\n')}`);
}

/** A person's API key from the bundled partnership, by id (the demonstration's people). */
const apiKeys: Record<string, string> = {
  'council-commissioner': 'demo-key-council-commissioner-0001',
  'nenc-commissioner': 'demo-key-nenc-commissioner-00001',
  'council-senior-manager': 'demo-key-council-senior-manager-0001',
  'nenc-senior-manager': 'demo-key-nenc-senior-manager-001',
  'nenc-panel-member': 'demo-key-nenc-panel-member-00001',
  'parent-carer-rep': 'demo-key-parent-carer-rep-000001',
};

/**
 * The evaluation panel (20 to 23) and the dispute ladder (24 to 29): a panel set up in the
 * browser and scored, and an objection the Board and the accountable officers settle.
 */
async function evaluationAndDisputes(baseUrl: string, browser: Browser, shot: (p: Page, name: string) => Promise<void>): Promise<void> {
  const call = async <T>(method: string, url: string, bearer: string, json?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${baseUrl}${url}`, { method, headers: { authorization: `Bearer ${bearer}`, ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : undefined });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
  };
  const until = async <T>(what: string, fn: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 300; i++) {
      const v = await fn();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  type View = { id: string; openTasks: Task[]; lead: { status: string }; evaluation?: { status: string }; history: { event: string; detail?: string }[] };
  const read = async (id: string) => (await call<View>('GET', `/api/v1/commissions/${id}`, apiKeys['council-commissioner']!)).body;
  const signIn = async (name: string) => {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1100, height: 800 } });
    const p = await context.newPage();
    await p.goto('/sign-in');
    await p.getByRole('button', { name: `Sign in as ${name}`, exact: true }).click();
    await p.waitForURL('**/tasks');
    return p;
  };
  const start = async (title: string) => (await call<{ id: string }>('POST', '/api/v1/commissions', apiKeys['council-commissioner']!, { title, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 20_000 })).body.id;
  const leadTask = async (id: string) => until('the lead partner task', async () => (await read(id)).openTasks[0]);

  // An evaluation panel: set up in the browser once the lead is agreed.
  const panelCommission = await start('Speech and language therapy for children');
  await call('POST', `/api/v1/tasks/${(await leadTask(panelCommission)).id}/decision`, apiKeys['nenc-commissioner']!, { decision: 'agree' });
  await until('the lead agreed', async () => ((await read(panelCommission)).lead.status === 'agreed' ? true : undefined));
  const commissioner = await signIn('Example Council Commissioner');
  await commissioner.goto(`/commissions/${panelCommission}/evaluation`);
  await commissioner.getByLabel('Bidders, one a line').fill('Acme Care\nNorth Support');
  for (const name of ['Example Council Evaluator', 'Example NENC Evaluator', 'Example Parent Carer']) await commissioner.getByLabel(name).check();
  await commissioner.getByLabel('Scoring closes on').fill(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
  await shot(commissioner, '24-evaluation-set-up');
  await commissioner.getByRole('button', { name: 'Set up the panel' }).click();
  await commissioner.waitForURL(/setUp=1/);
  // The commission walks on to evaluation, its steps answered as a willing participant would.
  await until('the panel to start', async () => {
    const v = await read(panelCommission);
    if (v.evaluation?.status === 'running') return true;
    const answer = v.openTasks[0] && answerFor(v.openTasks[0], { canAct: (p) => p in apiKeys });
    if (answer) {
      const { by, ...json } = answer;
      await call('POST', `/api/v1/tasks/${v.openTasks[0]!.id}/decision`, apiKeys[by]!, json);
    }
    return undefined;
  });
  const panelId = `je-${panelCommission.slice(3)}`;
  const grid = (who: string, q: number) => ({
    scores: Object.fromEntries(
      ['acme-care', 'north-support'].map((b, i) => [b, { 'quality-of-service': { score: q - i, reason: `${who}: the staffing plan against the guidance` }, price: { score: 3, reason: `${who}: a mid-range price` }, 'social-value': { score: 3 + i, reason: `${who}: local jobs pledged` } }]),
    ),
  });
  for (const person of ['nenc-panel-member', 'parent-carer-rep']) {
    await until('a declaration', async () => ((await call('POST', `/api/v1/tasks/${panelId}.declare-${person}/decision`, apiKeys[person]!, { decision: 'declare' })).status === 200 ? true : undefined));
  }
  await until('a score', async () => ((await call('POST', `/api/v1/tasks/${panelId}.score-nenc-panel-member/decision`, apiKeys['nenc-panel-member']!, { decision: 'submit', data: grid('NENC', 4) })).status === 200 ? true : undefined));
  const evaluator = await signIn('Example Council Evaluator');
  await until('the declaration task', async () => ((await evaluator.reload(), await evaluator.getByRole('link', { name: /^Declare/ }).count()) ? true : undefined));
  await evaluator.getByRole('link', { name: /^Declare/ }).click();
  await evaluator.getByRole('button', { name: 'Declare' }).click();
  await evaluator.waitForURL(/decided=1/);
  await until('the scoring task', async () => ((await evaluator.goto('/tasks'), await evaluator.getByRole('link', { name: /^Score/ }).count()) ? true : undefined));
  await evaluator.getByRole('link', { name: /^Score/ }).click();
  for (const [bidder, byCriterion] of Object.entries(grid('Council', 3).scores)) {
    for (const [criterion, s] of Object.entries(byCriterion)) {
      await evaluator.locator(`[name="data.scores.${bidder}.${criterion}.score"]`).fill(String(s.score));
      await evaluator.locator(`[name="data.scores.${bidder}.${criterion}.reason"]`).fill(s.reason);
    }
  }
  await shot(evaluator, '25-scoring-task');
  await evaluator.getByRole('button', { name: 'Submit' }).click();
  await evaluator.waitForURL(/decided=1/);
  await evaluator.goto(`/commissions/${panelCommission}/evaluation`);
  await shot(evaluator, '26-evaluation-panel-blind');
  await until('the last score', async () => ((await call('POST', `/api/v1/tasks/${panelId}.score-parent-carer-rep/decision`, apiKeys['parent-carer-rep']!, { decision: 'submit', data: grid('Parent carer', 4) })).status === 200 ? true : undefined));
  await until('the result', async () => ((await evaluator.reload(), await evaluator.getByRole('heading', { name: 'Result matrix' }).count()) ? true : undefined));
  await shot(evaluator, '27-evaluation-result');

  // A dispute: an objection to the lead, escalated by the council, then the Board and the officers in the browser.
  const disputed = await start('Short breaks: a second provider');
  await call('POST', `/api/v1/tasks/${(await leadTask(disputed)).id}/decision`, apiKeys['nenc-commissioner']!, { decision: 'object', comment: 'Health needs dominate: the ICB should lead' });
  const disputeId = await until('the dispute', async () => (await read(disputed)).history.find((e) => e.event === 'dispute-opened')?.detail?.split(' ')[1]);
  await commissioner.goto(`/commissions/${panelCommission}/disputes/new`);
  await commissioner.getByLabel('NHS North East and North Cumbria ICB').check();
  await commissioner.getByLabel('What the disagreement is about').fill('Who pays for the assessments');
  await commissioner.getByLabel('The outcome you propose').fill('An even split between the partners');
  await shot(commissioner, '28-raise-a-dispute');
  const early = await until('the early resolution task', async () => (await call<{ openTasks: Task[] }>('GET', `/api/v1/disputes/${disputeId}`, apiKeys['council-commissioner']!)).body.openTasks?.[0]);
  const asked = early.parties?.find((p) => !p.decision)?.partner === 'council' ? 'council-commissioner' : 'nenc-commissioner';
  const escalated = await call('POST', `/api/v1/tasks/${early.id}/decision`, apiKeys[asked]!, { decision: 'escalate', comment: 'We cannot agree between us' });
  if (escalated.status !== 200) throw new Error(`escalating: ${escalated.status} ${JSON.stringify(escalated.body)}`);
  const chair = await signIn('Example Executive Board Chair');
  await until('the Board task', async () => ((await chair.goto(`/disputes/${disputeId}`), await chair.getByRole('link', { name: /^Record the Executive Board/ }).count()) ? true : undefined));
  await shot(chair, '29-dispute-at-the-board');
  await chair.goto('/disputes');
  await shot(chair, '30-disputes');
  await chair.goto(`/disputes/${disputeId}`);
  await chair.getByRole('link', { name: /^Record the Executive Board/ }).click();
  await chair.getByLabel('Comment').fill('The Board could not agree: the officers must decide');
  await shot(chair, '31-board-task');
  await chair.getByRole('button', { name: 'Final decision required' }).click();
  await chair.waitForURL(/decided=1/);
  const director = await signIn('Example Director for Children and Families');
  await until('the officers task', async () => ((await director.goto('/tasks'), await director.getByRole('link', { name: /^Propose the resolution/ }).count()) ? true : undefined));
  await director.getByRole('link', { name: /^Propose the resolution/ }).click();
  await director.getByLabel('The partner who leads (optional)').selectOption({ label: 'NHS North East and North Cumbria ICB' });
  await director.getByLabel('Comment').fill('Health needs dominate');
  await shot(director, '32-officers-propose');
  await director.getByRole('button', { name: 'Propose' }).click();
  await director.waitForURL(/decided=1/);
  const nursing = await signIn('Example Director of Nursing');
  await until('the signing task', async () => ((await nursing.goto('/tasks'), await nursing.getByRole('link', { name: /^Sign "/ }).count()) ? true : undefined));
  await nursing.getByRole('link', { name: /^Sign "/ }).click();
  await nursing.getByRole('button', { name: 'Accept' }).click();
  await nursing.waitForURL(/decided=1/);
  await until('the outcome', async () => ((await nursing.goto(`/disputes/${disputeId}`), await nursing.locator('#outcome').count()) ? true : undefined));
  await shot(nursing, '33-dispute-resolved');
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
