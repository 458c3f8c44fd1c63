import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { accessibilityViolations } from './lib/accessibility';
import { CHROMIUM_FLAGS, ensureChromium } from './lib/chromium';
import { projectRoot } from './lib/provision';
import { startSystem } from './lib/system';

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
  } finally {
    await browser.close();
    await system.stop();
  }
  if (violations.length) throw new Error(`axe found ${violations.length} violation(s):\n${violations.join('\n')}`);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
