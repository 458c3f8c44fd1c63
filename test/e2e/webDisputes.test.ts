import type { Browser, Page } from 'playwright-core';
import type { CommissionView } from '../../domain/commission';
import type { DisputeView } from '../../domain/dispute';
import type { EvaluationView } from '../../domain/evaluation';
import type { Task } from '../../domain/task';
import type { RunningSystem } from '../../scripts/lib/system';
import { expectAccessible, systemInBrowser, signedInAs } from '../helpers/browser';
import { answerOpenTasks, client, eventually, keys } from '../helpers/http';

/**
 * The evaluation panel and the dispute ladder in Debian's Chromium, against the whole system:
 * a lead commissioner sets a panel up and a member declares and scores in the browser (blind until
 * scoring closes, then the result matrix); an objection becomes a dispute that the Executive Board
 * and both accountable officers settle in the browser. Every page visited is checked with axe.
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;
let browser: Browser;

const member = { nenc: 'demo-key-nenc-panel-member-00001', parent: 'demo-key-parent-carer-rep-000001' };

systemInBrowser({ started: (running) => ({ system, browser, api } = running) });

/** A commission between the council (proposed lead) and the NENC ICB, under £25k so it has few steps. */
async function commission(title: string): Promise<CommissionView> {
  const created = await api.call<CommissionView>('POST', '/api/v1/commissions', {
    key: keys.council,
    json: { title, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 20_000 },
  });
  expect(created.status).toBe(201);
  return created.body;
}

/** Reloads a page until `ok` holds of it (the workflows answer in their own time). */
async function reloadUntil(page: Page, path: string, ok: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(path);
    if (await ok()) return;
    if (Date.now() > deadline) throw new Error(`${path} did not reach the expected state`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const grid = (reason: string, score = 3) => ({
  scores: {
    'acme-care': { quality: { score, reason: `${reason}: staffing plan` }, price: { score: 3, reason: `${reason}: mid-range price` }, social: { score: 3, reason: `${reason}: local jobs` } },
    'north-support': { quality: { score: 4, reason: `${reason}: outcomes evidence` }, price: { score: 4, reason: `${reason}: lowest price` }, social: { score: 2, reason: `${reason}: little local commitment` } },
  },
});

test('the lead commissioner sets up a panel in the browser; a member declares and scores there, blind until scoring closes, then sees the result matrix', async () => {
  const title = `Speech and language therapy ${Date.now()}`;
  const c = await commission(title);
  const lead = await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${c.id}`, { key: keys.nenc }), (r) => r.body.openTasks?.length === 1);
  expect((await api.call('POST', `/api/v1/tasks/${lead.body.openTasks[0]!.id}/decision`, { key: keys.nenc, json: { decision: 'agree' } })).status).toBe(200);
  await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${c.id}`, { key: keys.council }), (r) => r.body.lead.status === 'agreed');

  // The council's commissioner sets the panel up; the social value rule is explained beside the weights.
  const commissioner = await signedInAs(browser, system.baseUrl, 'Example Council Commissioner');
  let page = commissioner.page;
  // From the commission's page, as a commissioner finds it (no address typed).
  await page.goto(`/commissions/${c.id}`);
  await page.getByRole('link', { name: 'Set up the evaluation panel' }).click();
  await page.waitForURL(`**/commissions/${c.id}/evaluation`);
  await expect(page.locator('#weights-rule').textContent()).resolves.toContain('Social value carries at least 20%');
  await expectAccessible(page);
  await page.locator('#criteria-0-name').fill('Quality');
  await page.locator('#criteria-0-weight').fill('50');
  await page.locator('#criteria-2-name').fill('Social');
  await page.getByLabel('Bidders, one a line').fill('Acme Care\nNorth Support');
  for (const name of ['Example Council Evaluator', 'Example NENC Evaluator', 'Example Parent Carer']) await page.getByLabel(name).check();
  const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('Scoring closes on').fill(due);
  await page.getByRole('button', { name: 'Set up the panel' }).click();
  // The API's rule, in its words, against the weights.
  await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain("The criteria's weights add up to 90; they must add up to 100.");
  await expect(page.locator('#criteria-0-weight').inputValue()).resolves.toBe('50');
  await expectAccessible(page);
  await page.locator('#criteria-0-weight').fill('60');
  await page.getByRole('button', { name: 'Set up the panel' }).click();
  await page.waitForURL(/setUp=1/);
  await expect(page.locator('.govuk-notification-banner--success').textContent()).resolves.toContain('starts when the commission reaches evaluation');
  await expectAccessible(page);

  // The commission reaches evaluation (through the API): the panel starts.
  await answerOpenTasks(api, c.id, (v) => v.evaluation?.status === 'running');
  const base = `/api/v1/commissions/${c.id}/evaluation`;
  const started = await eventually(() => api.call<EvaluationView>('GET', base, { key: keys.council }), (r) => r.status === 200 && r.body.openTasks.length === 3);
  expect(started.body.criteria.map((x) => [x.id, x.weight])).toEqual([['quality', 60], ['price', 20], ['social', 20]]);
  const panelId = started.body.id;

  // The NENC evaluator declares and scores through the API first.
  expect((await api.call('POST', `/api/v1/tasks/${panelId}.declare-nenc-panel-member/decision`, { key: member.nenc, json: { decision: 'declare' } })).status).toBe(200);
  await eventually(() => api.call('POST', `/api/v1/tasks/${panelId}.score-nenc-panel-member/decision`, { key: member.nenc, json: { decision: 'submit', data: grid('NENC') } }), (r) => r.status === 200);

  // The council's evaluator declares in the browser, from their task list.
  const evaluator = await signedInAs(browser, system.baseUrl, 'Example Council Evaluator');
  page = evaluator.page;
  await reloadUntil(page, '/tasks', async () => (await page.getByRole('link', { name: /^Declare any conflict of interest/ }).count()) === 1);
  await expectAccessible(page);
  await page.getByRole('link', { name: /^Declare any conflict of interest/ }).click();
  await expect(page.getByLabel('Any interest in Acme Care (optional)').count()).resolves.toBe(1);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Declare' }).click();
  await page.waitForURL(/decided=1/);
  await expectAccessible(page);

  // Scoring: a fieldset per bidder, a score and a reason for every criterion.
  await reloadUntil(page, '/tasks', async () => (await page.getByRole('link', { name: /^Score 2 bids independently/ }).count()) === 1);
  await page.getByRole('link', { name: /^Score 2 bids independently/ }).click();
  await expect(page.getByRole('link', { name: /^See the evaluation panel/ }).getAttribute('href')).resolves.toBe(`/commissions/${c.id}/evaluation`);
  await expect(page.locator('legend').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('Acme Care'), expect.stringContaining('North Support')]));
  await expect(page.locator('input[name^="data.scores."]').count()).resolves.toBe(6);
  await expect(page.locator('textarea[name^="data.scores."]').count()).resolves.toBe(6);
  const fill = async (values: ReturnType<typeof grid>) => {
    for (const [bidder, byCriterion] of Object.entries(values.scores)) {
      for (const [criterion, s] of Object.entries(byCriterion)) {
        await page.locator(`[name="data.scores.${bidder}.${criterion}.score"]`).fill(String(s.score));
        await page.locator(`[name="data.scores.${bidder}.${criterion}.reason"]`).fill(s.reason);
      }
    }
  };
  await fill(grid('Council'));
  // A score off the scale is refused with the rule; what was typed stays.
  await page.locator('[name="data.scores.acme-care.price.score"]').fill('7');
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('must be a whole number from 0 to 5');
  await expect(page.locator('[name="data.scores.north-support.social.reason"]').inputValue()).resolves.toBe('Council: little local commitment');
  await expectAccessible(page);
  await page.locator('[name="data.scores.acme-care.price.score"]').fill('3');
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.waitForURL(/decided=1/);
  await expect(page.locator('.govuk-notification-banner--success').textContent()).resolves.toContain('you chose "Submit"');
  await expectAccessible(page);

  // Blind: the panel page shows who has declared and scored, not the others' scores.
  await page.goto(`/commissions/${c.id}/evaluation`);
  const members = page.getByRole('table', { name: /Panel members/ });
  await expect(members.getByRole('row').filter({ hasText: 'Example Council Evaluator' }).textContent()).resolves.toContain('Scored');
  await expect(members.getByRole('row').filter({ hasText: 'Example Parent Carer' }).textContent()).resolves.toContain('Not yet');
  await expect(page.getByText('Scoring is blind').count()).resolves.toBe(1);
  expect(await page.content()).not.toContain('NENC: staffing plan');
  await expectAccessible(page);

  // The last member declares and scores; scoring closes, everything within a point: the result.
  expect((await api.call('POST', `/api/v1/tasks/${panelId}.declare-parent-carer-rep/decision`, { key: member.parent, json: { decision: 'declare' } })).status).toBe(200);
  await eventually(() => api.call('POST', `/api/v1/tasks/${panelId}.score-parent-carer-rep/decision`, { key: member.parent, json: { decision: 'submit', data: grid('Parent', 4) } }), (r) => r.status === 200);
  await reloadUntil(page, `/commissions/${c.id}/evaluation`, async () => (await page.getByRole('heading', { name: 'Result matrix' }).count()) === 1);
  // North: 4/5×60 + 4/5×20 + 2/5×20 = 72. Acme: (3+3+4)/3/5×60 + 3/5×20 + 3/5×20 = 64.
  await expect(page.getByRole('table', { name: /Ranking/ }).textContent()).resolves.toMatch(/North Support\s*Recommended\s*72/);
  const acme = page.getByRole('table', { name: 'Acme Care' });
  await expect(acme.getByRole('row').filter({ hasText: 'Quality' }).textContent()).resolves.toContain('Example NENC Evaluator: 3, “NENC: staffing plan”');
  await expectAccessible(page);

  // Someone neither on the panel nor a commissioner of its partners: the 404 page.
  const finance = await signedInAs(browser, system.baseUrl, 'Example Council Finance Officer');
  expect((await finance.page.goto(`/commissions/${c.id}/evaluation`))?.status()).toBe(404);
  await expect(finance.page.content()).resolves.not.toContain('Acme Care');
  await Promise.all([commissioner.context.close(), evaluator.context.close(), finance.context.close()]);
}, 120_000);

test('an objection becomes a dispute that the Executive Board and both accountable officers settle in the browser; its page shows the outcome', async () => {
  const title = `Short breaks for disabled children ${Date.now()}`;
  const c = await commission(title);
  const lead = await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${c.id}`, { key: keys.nenc }), (r) => r.body.openTasks?.length === 1);
  expect((await api.call('POST', `/api/v1/tasks/${lead.body.openTasks[0]!.id}/decision`, { key: keys.nenc, json: { decision: 'object', comment: 'Health needs dominate: the ICB should lead' } })).status).toBe(200);
  const opened = await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${c.id}`, { key: keys.council }), (r) => r.body.history.some((e) => e.event === 'dispute-opened'));
  const disputeId = opened.body.history.find((e) => e.event === 'dispute-opened')!.detail!.split(' ')[1]!;
  // Early resolution: a lead escalates at once (through the API), with a reason.
  const early = await eventually(() => api.call<DisputeView>('GET', `/api/v1/disputes/${disputeId}`, { key: keys.council }), (r) => r.body.openTasks?.length === 1);
  const asked = early.body.openTasks[0]!.parties!.find((p) => !p.decision)!.partner!;
  const escalated = await api.call('POST', `/api/v1/tasks/${early.body.openTasks[0]!.id}/decision`, { key: asked === 'council' ? keys.council : keys.nenc, json: { decision: 'escalate', comment: 'We cannot agree between us' } });
  expect(escalated.status).toBe(200);

  // The Board chair finds it among the disputes and records that a final decision is required.
  const chair = await signedInAs(browser, system.baseUrl, 'Example Executive Board Chair');
  let page = chair.page;
  await page.getByRole('link', { name: 'Disputes', exact: true }).click();
  await page.waitForURL('**/disputes');
  await expectAccessible(page);
  await page.locator(`a[href="/disputes/${disputeId}"]`).click();
  await reloadUntil(page, `/disputes/${disputeId}`, async () => (await page.getByRole('link', { name: /^Record the Executive Board/ }).count()) === 1);
  await expect(page.locator('dl').first().textContent()).resolves.toContain('Stage 2: the Local Area SEND Executive Board');
  await expectAccessible(page);
  await page.getByRole('link', { name: /^Record the Executive Board/ }).click();
  // The task's page leads back to the dispute's.
  await expect(page.getByRole('link', { name: /^See the dispute/ }).getAttribute('href')).resolves.toBe(`/disputes/${disputeId}`);
  await page.getByLabel('Comment').fill('The Board could not agree: the officers must decide');
  await page.getByRole('button', { name: 'Final decision required' }).click();
  await page.waitForURL(/decided=1/);
  await expectAccessible(page);

  // The council's accountable officer proposes the ICB as lead: a choice among the dispute's partners.
  const council = await signedInAs(browser, system.baseUrl, 'Example Director for Children and Families');
  page = council.page;
  await reloadUntil(page, '/tasks', async () => (await page.getByRole('link', { name: /^Propose the resolution/ }).count()) === 1);
  await page.getByRole('link', { name: /^Propose the resolution/ }).click();
  await expectAccessible(page);
  // Proposing without the partner is refused: the choice is what the commission needs back.
  await page.getByLabel('Comment').fill('Health needs dominate');
  await page.getByRole('button', { name: 'Propose' }).click();
  await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('the partner who leads');
  await expectAccessible(page);
  await page.getByLabel('The partner who leads (optional)').selectOption({ label: 'NHS North East and North Cumbria ICB' });
  await page.getByRole('button', { name: 'Propose' }).click();
  await page.waitForURL(/decided=1/);
  await expectAccessible(page);

  // The ICB's officer signs the same resolution.
  const nenc = await signedInAs(browser, system.baseUrl, 'Example Director of Nursing');
  page = nenc.page;
  await reloadUntil(page, '/tasks', async () => (await page.getByRole('link', { name: /^Sign "/ }).count()) === 1);
  await page.getByRole('link', { name: /^Sign "/ }).click();
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('NHS North East and North Cumbria ICB leads');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.waitForURL(/decided=1/);
  await expectAccessible(page);

  // The dispute's page: the outcome, its three stages, the proposals and the timeline.
  await reloadUntil(page, `/disputes/${disputeId}`, async () => (await page.locator('#outcome').count()) === 1);
  const outcome = (await page.locator('#outcome').textContent()) ?? '';
  expect(outcome).toContain('Lead partner');
  expect(outcome).toContain('NHS North East and North Cumbria ICB');
  expect(outcome).toContain('Example Director for Children and Families, Example Director of Nursing');
  await expect(page.getByRole('table', { name: /stages/ }).getByRole('row').count()).resolves.toBe(4);
  // The officer's decision in the timeline: who, for which partner, and through the web service.
  const signed = page.locator('.moj-timeline__item').filter({ hasText: 'by Example Director of Nursing for NHS North East and North Cumbria ICB' }).filter({ hasText: 'Through the web service.' });
  await expect(signed.count()).resolves.toBeGreaterThan(0);
  await expectAccessible(page);

  // Every decision on the ladder after the escalation was made in the browser; the commission has its lead.
  const done = await api.call<DisputeView>('GET', `/api/v1/disputes/${disputeId}`, { key: keys.council });
  const decisions = done.body.tasks.filter((t: Task) => t.kind !== 'dispute-early-resolution').flatMap((t) => t.decisions ?? (t.decision ? [t.decision] : []));
  expect(decisions.map((d) => [d.by, d.channel])).toEqual([
    ['board-chair', 'web'],
    ['council-director-children', 'web'],
    ['nenc-director-nursing', 'web'],
  ]);
  const settled = await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${c.id}`, { key: keys.council }), (r) => r.body.lead.status === 'decided');
  expect(settled.body.lead).toMatchObject({ status: 'decided', partner: 'nenc-icb' });
  await Promise.all([chair.context.close(), council.context.close(), nenc.context.close()]);
}, 120_000);

test('a commissioner raises a dispute from a commission in the browser; raising it twice finds the same dispute; others see a 404 page', async () => {
  const c = await commission(`Autism assessment pathway ${Date.now()}`);
  const nenc = await signedInAs(browser, system.baseUrl, 'Example NENC Commissioner');
  const page = nenc.page;
  await page.goto(`/commissions/${c.id}`);
  await page.getByRole('link', { name: 'raise a dispute about this commission' }).click();
  await page.waitForURL(`**/commissions/${c.id}/disputes/new`);
  await expectAccessible(page);
  // Only their own partner ticked: a dispute is between two or more.
  await page.getByLabel('What the disagreement is about').fill('Who pays for the assessments');
  await page.getByLabel('The outcome you propose').fill('An even split between the partners');
  await page.getByRole('button', { name: 'Raise the dispute' }).click();
  await expect(page.locator('.govuk-error-summary').textContent()).resolves.toContain('A dispute is between two or more partners');
  await expectAccessible(page);
  await page.getByLabel('Cumberland Council').check();
  await page.getByRole('button', { name: 'Raise the dispute' }).click();
  await page.waitForURL(/\/disputes\/jd-[a-z0-9]+\?raised=1$/);
  const disputeUrl = new URL(page.url()).pathname;
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Who pays for the assessments');
  await expectAccessible(page);

  // The same matter again: the same dispute, not a second one.
  await page.goto(`/commissions/${c.id}/disputes/new`);
  await page.getByLabel('Cumberland Council').check();
  await page.getByLabel('What the disagreement is about').fill('who pays for the ASSESSMENTS');
  await page.getByLabel('The outcome you propose').fill('Again');
  await page.getByRole('button', { name: 'Raise the dispute' }).click();
  await page.waitForURL(/raised=again/);
  expect(new URL(page.url()).pathname).toBe(disputeUrl);
  await expectAccessible(page);

  // The LSC ICB takes no part: neither the form nor the dispute is theirs to see.
  const lsc = await signedInAs(browser, system.baseUrl, 'Example LSC Commissioner');
  expect((await lsc.page.goto(`/commissions/${c.id}/disputes/new`))?.status()).toBe(404);
  expect((await lsc.page.goto(disputeUrl))?.status()).toBe(404);
  await lsc.page.goto('/disputes');
  await expect(lsc.page.content()).resolves.not.toContain('Who pays for the assessments');
  await expectAccessible(lsc.page);
  await Promise.all([nenc.context.close(), lsc.context.close()]);
}, 60_000);
