import type { CommissionView } from '../../domain/commission';
import { createLinkSigner } from '../../activities/links';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';
import { answerOpenTasks, client, decideByLink, developmentSignIn, eventually, keys, linkIn, mailAbout } from '../helpers/http';

/** Emailed decisions against the real processes and a real SMTP server on loopback. */
const OLD_KEY = 'retired-signing-key-from-last-year-0123456789';
let system: RunningSystem;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  system = await startSystem({ env: { LINK_SIGNING_KEYS_PREVIOUS: OLD_KEY } });
  api = client(system);
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

async function createCommission(partners = ['council', 'nenc-icb', 'lsc-icb'], estimatedValue = 120_000): Promise<CommissionView> {
  const res = await api.call<CommissionView>('POST', '/api/v1/commissions', {
    key: keys.council,
    json: { title: `Speech and language therapy ${Date.now()}`, partners, proposedLead: 'council', estimatedValue },
  });
  expect(res.status).toBe(201);
  return res.body;
}
const commission = (id: string) => api.call<CommissionView>('GET', `/api/v1/commissions/${id}`, { key: keys.council });

test('each recipient gets a clear email with exactly one link of their own; a scanner opening every link decides nothing', async () => {
  const created = await createCommission();
  const [nenc] = await mailAbout(system, 'commissioner@nenc-icb.example', created.title);
  const [lsc] = await mailAbout(system, 'commissioner@lsc-icb.example', created.title);
  for (const mail of [nenc!, lsc!]) {
    expect(mail.subject).toMatch(/^Decision needed by \w{3}, \d{1,2} \w{3} \d{4}: Speech and language therapy \d+: Agree Cumberland Council as lead partner$/);
    expect(mail.text).toContain('Partners asked: NHS North East and North Cumbria ICB, NHS Lancashire and South Cumbria ICB');
    expect(mail.text).toContain('If nobody answers: Each partner that has not answered by the deadline is escalated to its senior manager');
    expect(typeof mail.html).toBe('string');
    expect(mail.messageId).toMatch(/^<jc-[a-z0-9]{10}\.c[0-9a-f]{8}\.lead\.[a-z-]+\.request-1@/);
  }
  expect(linkIn(nenc!)).not.toBe(linkIn(lsc!));

  // A mail scanner follows every link, twice.
  for (const link of [linkIn(nenc!), linkIn(lsc!)]) {
    for (let i = 0; i < 2; i++) expect((await api.call('GET', link)).status).toBe(200);
    expect((await api.call('HEAD', link)).status).toBe(200);
  }
  const view = await commission(created.id);
  expect(view.body.openTasks[0]!.decisions).toEqual([]);
  expect(view.body.history.filter((e) => e.event === 'task-decided')).toHaveLength(0);
});

test('forged, expired, reused and someone else\'s links, and forms not from our page, are refused with pages that say what to do', async () => {
  const created = await createCommission(['council', 'nenc-icb']);
  const [mail] = await mailAbout(system, 'commissioner@nenc-icb.example', created.title);
  const link = linkIn(mail!);
  const token = link.split('/a/')[1]!;
  const [kid, payload, signature] = token.split('.');

  const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), person: 'council-commissioner' })).toString('base64url');
  const forged = await api.call('GET', `/a/${kid}.${forgedPayload}.${signature}`);
  expect(forged.status).toBe(403);
  expect(forged.text).toContain('not valid');
  expect((await api.call('GET', '/a/nonsense')).status).toBe(403);
  const unknownKey = createLinkSigner('a-key-this-deployment-never-had-0123456789').sign({ id: 'u', task: `${created.id}.lead`, person: 'nenc-commissioner', exp: Date.now() + 60_000 });
  expect((await api.call('GET', `/a/${unknownKey}`)).status).toBe(403);

  const signer = createLinkSigner(system.env['LINK_SIGNING_KEY']!);
  const taskId = `${created.id}.lead`;
  const expired = await api.call('GET', `/a/${signer.sign({ id: 'x1', task: taskId, person: 'nenc-commissioner', exp: Date.now() - 1000 })}`);
  expect(expired.status).toBe(410);
  expect(expired.text).toContain('expired');

  const someoneElses = signer.sign({ id: 'x2', task: taskId, person: 'lsc-commissioner', exp: Date.now() + 3_600_000 });
  const refused = await api.call('GET', `/a/${someoneElses}`);
  expect(refused.status).toBe(403);
  expect(refused.text).toContain('not for you');

  // A form posted without the token our page carries, or from another site, does nothing.
  expect((await api.call('POST', link, { form: { decision: 'agree' } })).status).toBe(403);
  const formToken = /name="form" value="([^"]+)"/.exec((await api.call('GET', link)).text)![1]!;
  const crossSite = await api.call('POST', link, { form: { decision: 'agree', form: formToken }, headers: { origin: 'https://evil.example' } });
  expect(crossSite.status).toBe(403);
  expect((await commission(created.id)).body.openTasks).toHaveLength(1);

  expect((await decideByLink(api, link, { decision: 'object' })).status).toBe(422);
  const ok = await decideByLink(api, link, { decision: 'object', comment: 'The ICB should lead this one' });
  expect(ok.status).toBe(200);
  const reused = await api.call('POST', link, { form: { decision: 'agree', form: formToken } });
  expect(reused.status).toBe(409);
  expect(reused.text).toContain('Example NENC Commissioner');

  // After expiry, within the grace period, the page still says who decided.
  const expiredButDecided = await api.call('GET', `/a/${signer.sign({ id: 'x3', task: taskId, person: 'nenc-commissioner', exp: Date.now() - 1000 })}`);
  expect(expiredButDecided.status).toBe(409);

  const done = await eventually(() => commission(created.id), (r) => r.body.lead.status !== 'proposed');
  expect(done.body.lead).toMatchObject({ status: 'disputed', reason: 'NHS North East and North Cumbria ICB objected: The ICB should lead this one' });
  expect(done.body.history.find((e) => e.event === 'task-decided')).toMatchObject({ by: 'nenc-commissioner', channel: 'email' });
});

test("a stage gate by emailed link needs the person it was sent to signed in: the page says so and brings them back to it; someone else signed in is refused; other decisions stay one click", async () => {
  // Over the sourcing strategy threshold, so stage gates apply.
  const created = await createCommission(['council', 'nenc-icb'], 700_000);
  const [leadMail] = await mailAbout(system, 'commissioner@nenc-icb.example', created.title);
  expect((await decideByLink(api, linkIn(leadMail!), { decision: 'agree' })).status).toBe(200);
  await answerOpenTasks(api, created.id, (v) => v.openTasks.some((t) => t.kind === 'commission-stage-gate'));
  const gateMail = (await mailAbout(system, 'senior.manager@council.example', created.title)).find((m) => m.subject?.includes('Approve'))!;
  const link = linkIn(gateMail);
  const path = new URL(link).pathname;

  // Holding the link is not enough: the page asks them to sign in, and carries no form.
  const anonymous = await api.call('GET', link);
  expect(anonymous.status).toBe(200);
  expect(anonymous.text).toContain('Sign in to make this decision');
  expect(anonymous.text).toContain('Example Council Senior Manager');
  expect(anonymous.text).toContain(`/sign-in?returnTo=${encodeURIComponent(path)}`);
  expect(anonymous.text).not.toContain('name="form"');
  // A post with a valid form token (worked out here with the signing key) is refused all the same.
  const token = path.split('/a/')[1]!;
  const forced = await api.call('POST', link, { form: { decision: 'approve', comment: '', form: createLinkSigner(system.env['LINK_SIGNING_KEY']!).formToken(token) } });
  expect(forced.status).toBe(403);
  expect(forced.text).toContain('Sign in to make this decision');

  // Someone else signed in (the email forwarded to a colleague): refused, saying who is who.
  const colleague = await developmentSignIn(system, 'nenc-senior-manager', path);
  const wrong = await api.call('GET', link, { headers: { cookie: colleague.cookie } });
  expect(wrong.status).toBe(403);
  expect(wrong.text).toContain('You are signed in as Example NENC Senior Manager');
  expect(wrong.text).toContain('sent to Example Council Senior Manager');
  expect(wrong.text).not.toContain('name="form"');
  expect((await commission(created.id)).body.openTasks.find((t) => t.kind === 'commission-stage-gate')!.decisions).toEqual([]);

  // The person it was sent to signs in and is brought back to the same decision, and decides.
  const own = await developmentSignIn(system, 'council-senior-manager', path);
  expect(own.location).toBe(path);
  const decided = await decideByLink(api, link, { decision: 'approve' }, { cookie: own.cookie });
  expect(decided.status).toBe(200);
  expect(decided.text).toContain('Your decision is recorded');
  const gate = await eventually(() => commission(created.id), (r) => r.body.history.some((e) => e.event === 'task-decided' && e.by === 'council-senior-manager'));
  expect(gate.body.history.find((e) => e.event === 'task-decided' && e.by === 'council-senior-manager')).toMatchObject({ channel: 'email' });
});

test('key rotation: links signed with a retired key still work; new links use the current key', async () => {
  const created = await createCommission(['council', 'nenc-icb']);
  const [mail] = await mailAbout(system, 'commissioner@nenc-icb.example', created.title);
  const current = linkIn(mail!).split('/a/')[1]!;
  const old = createLinkSigner(OLD_KEY);
  expect(current.split('.')[0]).not.toBe(old.sign({ id: 'o', task: 't', person: 'p', exp: 1 }).split('.')[0]);

  const oldLink = `${system.baseUrl}/a/${old.sign({ id: 'old-1', task: `${created.id}.lead`, person: 'nenc-commissioner', exp: Date.now() + 3_600_000 })}`;
  expect((await api.call('GET', oldLink)).status).toBe(200);
  expect((await decideByLink(api, oldLink, { decision: 'agree' })).status).toBe(200);
  const done = await eventually(() => commission(created.id), (r) => r.body.lead.status === 'agreed');
  expect(done.body.lead.status).toBe('agreed');
});

test('SMTP down for a while then back: each email is delivered once; an address refused with 550 escalates to the senior manager', async () => {
  await system.stopMailbox();
  const created = await createCommission();
  await new Promise((r) => setTimeout(r, 3000));
  await system.startMailbox({ rejectRecipients: ['commissioner@lsc-icb.example'] });

  const nenc = await mailAbout(system, 'commissioner@nenc-icb.example', created.title);
  const seniors = await mailAbout(system, 'senior.manager@lsc-icb.example', created.title);
  expect(seniors[0]!.subject).toMatch(/^Escalated to you/);
  const view = await eventually(() => commission(created.id), (r) => r.body.openTasks[0]?.notificationFailed === true);
  const task = view.body.openTasks[0]!;
  expect(task.notificationFailed).toBe(true);
  expect(task.parties!.find((p) => p.partner === 'lsc-icb')).toMatchObject({
    unreachable: ['lsc-commissioner'],
    assignees: ['lsc-commissioner', 'lsc-senior-manager'],
  });
  expect(view.body.history.map((e) => e.event)).toContain('notification-failed');

  // Let any retry still in flight land, then count: one message per Message-ID.
  await new Promise((r) => setTimeout(r, 2000));
  const all = await system.mailbox.parsed();
  const ids = all.filter((m) => m.subject?.includes(created.title)).map((m) => m.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(nenc).toHaveLength(1);
});

test('a genuine link that expired while its task is still open offers a fresh one, emailed by the workflow, at most three times', async () => {
  const created = await createCommission(['council', 'nenc-icb']);
  const [mail] = await mailAbout(system, 'commissioner@nenc-icb.example', created.title);
  const claims = JSON.parse(Buffer.from(linkIn(mail!).split('/a/')[1]!.split('.')[1]!, 'base64url').toString()) as { task: string };
  const signer = createLinkSigner(system.env['LINK_SIGNING_KEY']!);
  const expiredToken = signer.sign({ id: 'gone-1', task: claims.task, person: 'nenc-commissioner', exp: Date.now() - 30 * 86_400_000 });

  // The commission says what it waits on: this task, and whom it asks.
  const waiting = (await commission(created.id)).body as CommissionView & { waitingOn?: { kind: string; taskId?: string; people?: string[] }[] };
  expect(waiting.waitingOn).toEqual([expect.objectContaining({ kind: 'task', taskId: claims.task, people: expect.arrayContaining(['nenc-commissioner']) })]);

  const offer = await api.call('GET', `/a/${expiredToken}`);
  expect(offer.status).toBe(410);
  expect(offer.text).toContain('still open');
  expect(offer.text).toContain('Email me a fresh link');
  const formToken = /name="form" value="([^"]+)"/.exec(offer.text)![1]!;

  // Only from our page: without its form token, or from another site, nothing is sent.
  expect((await api.call('POST', `/a/${expiredToken}/fresh-link`, { form: {} })).status).toBe(403);
  expect((await api.call('POST', `/a/${expiredToken}/fresh-link`, { form: { form: formToken }, headers: { origin: 'https://evil.example' } })).status).toBe(403);

  const asked = await api.call('POST', `/a/${expiredToken}/fresh-link`, { form: { form: formToken } });
  expect(asked.status).toBe(202);
  const mails = await mailAbout(system, 'commissioner@nenc-icb.example', created.title, 2);
  const fresh = mails.find((m) => m.subject?.startsWith('A fresh link'))!;
  expect(fresh).toBeDefined();
  const page = await api.call('GET', linkIn(fresh));
  expect(page.status).toBe(200);
  expect(page.text).toContain('Agree');

  // Someone the task does not ask is told so and offered nothing.
  const notAsked = await api.call('GET', `/a/${signer.sign({ id: 'gone-2', task: claims.task, person: 'lsc-commissioner', exp: Date.now() - 1000 })}`);
  expect(notAsked.status).toBe(410);
  expect(notAsked.text).not.toContain('Email me a fresh link');

  for (let i = 2; i <= 3; i++) expect((await api.call('POST', `/a/${expiredToken}/fresh-link`, { form: { form: formToken } })).status).toBe(202);
  const tooMany = await api.call('POST', `/a/${expiredToken}/fresh-link`, { form: { form: formToken } });
  expect(tooMany.status).toBe(422);
  expect(tooMany.text).toContain('3 times');
});
