import type { CommissionView } from '../../domain/commission';
import type { Task } from '../../domain/task';
import { openDatabase } from '../../db';
import { rowsOf } from '../../db/record';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';
import { client, decideByLink, eventually, keys, linkIn, mailAbout } from '../helpers/http';

/**
 * The real API, the real worker, a real Temporal dev server and a real SMTP server on loopback.
 * Each commission involves the council and the ICBs named in the test, so tests do not share tasks.
 */
let system: RunningSystem;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  system = await startSystem();
  api = client(system);
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

let n = 0;
async function createCommission(partners = ['council', 'nenc-icb', 'lsc-icb'], extra: Record<string, unknown> = {}) {
  n++;
  const res = await api.call<CommissionView>('POST', '/api/v1/commissions', {
    key: keys.council,
    json: { title: `Integrated short breaks ${n} ${Date.now()}`, partners, proposedLead: 'council', estimatedValue: 450_000, ...extra },
  });
  expect(res.status).toBe(201);
  return res.body;
}

const commission = (id: string, key = keys.council) => api.call<CommissionView>('GET', `/api/v1/commissions/${id}`, { key });
const mailFor = async (address: string, title: string) => (await mailAbout(system, address, title))[0]!;

test('a commission is agreed through an emailed link and the API; the link page changes nothing until POST', async () => {
  const created = await createCommission();
  expect(created.lead).toEqual({ status: 'proposed', partner: 'council' });

  const nencMail = await mailFor('commissioner@nenc-icb.example', created.title);
  expect(nencMail.subject).toContain(created.title);
  const link = linkIn(nencMail);
  expect(link.startsWith(`${system.baseUrl}/a/`)).toBe(true);

  const page = await api.call('GET', link);
  expect(page.status).toBe(200);
  expect(page.text).toContain('Agree Cumberland Council as lead partner');
  expect(page.text).toContain('value="agree"');
  expect(page.text).toContain('value="object"');
  // Following the link (as a mail scanner does) decided nothing.
  const afterGet = await commission(created.id);
  expect(afterGet.body.openTasks).toHaveLength(1);
  expect(afterGet.body.openTasks[0]!.awaiting).toEqual(['nenc-icb', 'lsc-icb']);
  expect(afterGet.body.history.filter((e) => e.event === 'task-decided')).toHaveLength(0);

  const posted = await decideByLink(api, link, { decision: 'agree', comment: 'Happy for the council to lead' });
  expect(posted.status).toBe(200);
  expect(posted.text).toContain('Your decision is recorded');
  expect(posted.text).toContain('Still awaiting: NHS Lancashire and South Cumbria ICB');

  const task = afterGet.body.openTasks[0]!;
  const decided = await api.call<{ task: Task }>('POST', `/api/v1/tasks/${task.id}/decision`, { key: keys.lsc, json: { decision: 'agree' } });
  expect(decided.status).toBe(200);
  expect(decided.body.task.status).toBe('decided');
  expect(decided.body.task.decisions!.map((d) => [d.by, d.channel])).toEqual([
    ['nenc-commissioner', 'email'],
    ['lsc-commissioner', 'api'],
  ]);

  const done = await eventually(() => commission(created.id), (r) => r.body.lead.status !== 'proposed');
  expect(done.body.lead).toEqual({ status: 'agreed', partner: 'council' });
  expect(done.body.stage).toBe('analyse');
  const decisions = done.body.history.filter((e) => e.event === 'task-decided');
  expect(decisions.map((e) => [e.by, e.partner, e.channel])).toEqual([
    ['nenc-commissioner', 'nenc-icb', 'email'],
    ['lsc-commissioner', 'lsc-icb', 'api'],
  ]);

  // The decision record is kept in the database, apart from Temporal, with the policy version in
  // force and the decider's role; written by the workflow's activity as each change happens.
  const database = openDatabase({ dataDir: system.dataDir });
  const readRecord = async () => {
    const rows = [];
    for await (const r of rowsOf(database.db, created.id)) rows.push(r);
    return rows;
  };
  const record = await eventually(readRecord, (r) => r.some((e) => e.event === 'plan-made'));
  await database.close();
  expect(record.filter((e) => e.event === 'task-decided').map((e) => [e.by_person, e.channel, e.policy_version, e.role])).toEqual([
    ['nenc-commissioner', 'email', created.policyVersion, 'commissioner'],
    ['lsc-commissioner', 'api', created.policyVersion, 'commissioner'],
  ]);
  // Then the commission's plan, as its proportionality makes it.
  expect(record.map((e) => e.event).slice(record.findIndex((e) => e.event === 'lead-agreed'))).toEqual(expect.arrayContaining(['lead-agreed', 'plan-made']));

  // The same link again: already decided, by whom and when.
  const again = await decideByLink(api, link, { decision: 'object', comment: 'changed my mind' });
  expect(again.status).toBe(409);
  expect(again.text).toContain('already been decided');
  expect(again.text).toContain('Example NENC Commissioner');
  expect((await api.call('GET', link)).status).toBe(409);
});

test('Idempotency-Key: the same request gives the same commission; a different one is refused', async () => {
  const body = { title: `Idempotent ${Date.now()}`, partners: ['council', 'nenc-icb'], proposedLead: 'nenc-icb', estimatedValue: 90_000 };
  const headers = { 'idempotency-key': `key-${Date.now()}` };
  const first = await api.call<CommissionView>('POST', '/api/v1/commissions', { key: keys.council, json: body, headers });
  const second = await api.call<CommissionView>('POST', '/api/v1/commissions', { key: keys.council, json: body, headers });
  expect(first.status).toBe(201);
  expect(second.status).toBe(201);
  expect(second.body.id).toBe(first.body.id);
  expect(first.headers.get('location')).toBe(`/api/v1/commissions/${first.body.id}`);
  const different = await api.call('POST', '/api/v1/commissions', { key: keys.council, json: { ...body, estimatedValue: 1 }, headers });
  expect(different.status).toBe(422);
  // Only one request email went to the NENC commissioner for this title.
  expect(await mailAbout(system, 'commissioner@nenc-icb.example', body.title)).toHaveLength(1);
});

test('the API refuses what a caller may not do, with problem+json naming the rule', async () => {
  const noKey = await api.call('GET', '/api/v1/tasks');
  expect(noKey.status).toBe(401);
  expect(noKey.headers.get('content-type')).toContain('application/problem+json');
  expect((await api.call('GET', '/api/v1/tasks', { key: 'not-a-real-key-at-all-000000' })).status).toBe(401);

  const invalid = await api.call<{ errors: { path: string }[] }>('POST', '/api/v1/commissions', {
    key: keys.council,
    json: { title: 'x', partners: ['council'], proposedLead: 'lsc-icb', estimatedValue: -1 },
  });
  expect(invalid.status).toBe(400);
  expect(invalid.body.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['title', 'partners', 'estimatedValue']));
  expect((await api.call('POST', '/api/v1/commissions', { key: keys.council, headers: { 'content-type': 'application/json' }, json: undefined })).status).toBe(400);

  const notCommissioner = await api.call<{ detail: string }>('POST', '/api/v1/commissions', {
    key: keys.councilFinance,
    json: { title: 'Finance tries', partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 10 },
  });
  expect(notCommissioner.status).toBe(403);
  expect(notCommissioner.body.detail).toContain('only a commissioner of one of the partners listed');

  const created = await createCommission(['council', 'nenc-icb']);
  // LSC is not involved: it cannot see the commission at all.
  expect((await commission(created.id, keys.lsc)).status).toBe(404);
  expect((await commission('jc-doesnotexi')).status).toBe(404);

  const view = await eventually(() => commission(created.id), (r) => r.body.openTasks.length === 1);
  const task = view.body.openTasks[0]!;
  const notMine = await api.call('POST', `/api/v1/tasks/${task.id}/decision`, { key: keys.council, json: { decision: 'agree' } });
  expect(notMine.status).toBe(403);
  const noReason = await api.call<{ detail: string }>('POST', `/api/v1/tasks/${task.id}/decision`, { key: keys.nenc, json: { decision: 'object' } });
  expect(noReason.status).toBe(422);
  expect(noReason.body.detail).toContain('must give the reason');
  const badOption = await api.call('POST', `/api/v1/tasks/${task.id}/decision`, { key: keys.nenc, json: { decision: 'perhaps' } });
  expect(badOption.status).toBe(422);
  expect((await api.call('POST', '/api/v1/tasks/jc-doesnotexi.lead.x/decision', { key: keys.nenc, json: { decision: 'agree' } })).status).toBe(404);

  const inbox = await eventually(
    () => api.call<{ tasks: Task[] }>('GET', '/api/v1/tasks', { key: keys.nenc }),
    (r) => r.body.tasks.some((t) => t.id === task.id),
  );
  expect(inbox.body.tasks.map((t) => t.id)).toContain(task.id);
  const inboxOf = async (query: string) => (await api.call<{ tasks: Task[] }>('GET', `/api/v1/tasks${query}`, { key: keys.nenc })).body.tasks.map((t) => t.id);
  expect(await inboxOf(`?subject=${created.id}`)).toEqual([task.id]);
  expect(await inboxOf('?kind=lead-partner-agreement')).toContain(task.id);
  expect(await inboxOf('?kind=stage-gate')).toEqual([]);
  expect(await inboxOf('?overdue=true')).toEqual([]);
  expect(await inboxOf('?overdue=false')).toContain(task.id);
  const all = inbox.body.tasks.map((t) => t.dueAt);
  expect(all).toEqual([...all].sort().reverse());
  expect((await api.call('GET', '/api/v1/tasks?overdue=maybe', { key: keys.nenc })).status).toBe(400);
  expect((await api.call('POST', `/api/v1/tasks/${task.id}/decision`, { key: keys.nenc, json: { decision: 'agree' } })).status).toBe(200);
  // Decided now: not in the inbox, and a second decision conflicts.
  const after = await api.call<{ tasks: Task[] }>('GET', '/api/v1/tasks', { key: keys.nenc });
  expect(after.body.tasks.map((t) => t.id)).not.toContain(task.id);
  expect((await api.call('POST', `/api/v1/tasks/${task.id}/decision`, { key: keys.nenc, json: { decision: 'agree' } })).status).toBe(409);

  const list = await eventually(
    () => api.call<{ items: { id: string }[] }>('GET', '/api/v1/commissions?stage=analyse', { key: keys.nenc }),
    (r) => r.body.items.some((i) => i.id === created.id),
  );
  expect(list.body.items.map((i) => i.id)).toContain(created.id);
  expect((await api.call('GET', '/api/v1/commissions?stage=nonsense', { key: keys.nenc })).status).toBe(400);
});

test('the worker is killed mid-flow and restarted: nothing is lost and no email is sent twice', async () => {
  const created = await createCommission(['council', 'nenc-icb']);
  const link = linkIn(await mailFor('commissioner@nenc-icb.example', created.title));

  const pageToken = /name="form" value="([^"]+)"/.exec((await api.call('GET', link)).text)![1]!;
  await system.killWorker('SIGKILL');
  // A commission started and a decision made while no worker runs are kept by Temporal.
  const whileDown = await createCommission(['council', 'lsc-icb']);
  const decision = api.call('POST', link, { form: { decision: 'agree', form: pageToken } });
  await new Promise((r) => setTimeout(r, 1000));
  await system.startWorker();

  expect((await decision).status).toBe(200);
  const first = await eventually(() => commission(created.id), (r) => r.body.lead.status === 'agreed', 30_000);
  expect(first.body.lead.status).toBe('agreed');
  await mailFor('commissioner@lsc-icb.example', whileDown.title);

  const byMessageId = new Map<string, number>();
  for (const m of await Promise.all(system.mailbox.messages.map((raw) => import('mailparser').then((mp) => mp.simpleParser(raw))))) {
    byMessageId.set(m.messageId!, (byMessageId.get(m.messageId!) ?? 0) + 1);
  }
  expect([...byMessageId.values()].every((count) => count === 1)).toBe(true);
});

test('search: filters by lead, stage, overdue and words of the title, paged with a cursor', async () => {
  const word = `zebra${Date.now().toString(36)}`;
  const make = (title: string, proposedLead: string) =>
    api.call<CommissionView>('POST', '/api/v1/commissions', { key: keys.council, json: { title, partners: ['council', 'nenc-icb'], proposedLead, estimatedValue: 5000 } });
  const a = (await make(`Autism outreach ${word}`, 'council')).body;
  const b = (await make(`Sensory support ${word}`, 'nenc-icb')).body;
  type Page = { items: { id: string; lead: { partner: string }; overdue: boolean; nextDueAt: string | null }[]; nextCursor?: string };
  const list = (query: string) => api.call<Page>('GET', `/api/v1/commissions?${query}`, { key: keys.nenc });

  // Found by title from the start; the deadline once the task has opened.
  const byTitle = await eventually(() => list(`title=${word}`), (r) => r.body.items.length === 2 && r.body.items.every((i) => i.nextDueAt !== null));
  expect(byTitle.body.items.map((i) => i.id).sort()).toEqual([a.id, b.id].sort());
  expect(byTitle.body.items.every((i) => i.nextDueAt !== null && !i.overdue)).toBe(true);
  expect((await list(`title=${word}&lead=nenc-icb`)).body.items.map((i) => i.id)).toEqual([b.id]);
  expect((await list(`title=${word}&stage=lead-agreement&overdue=false`)).body.items).toHaveLength(2);
  expect((await list(`title=${word}&overdue=true`)).body.items).toHaveLength(0);

  const first = await list(`title=${word}&limit=1`);
  expect(first.body.items).toHaveLength(1);
  expect(first.body.nextCursor).toBeDefined();
  const second = await list(`title=${word}&limit=1&cursor=${first.body.nextCursor}`);
  expect(second.body.items).toHaveLength(1);
  expect(second.body.items[0]!.id).not.toBe(first.body.items[0]!.id);
  expect((await list('cursor=not*valid')).status).toBe(400);
  // The LSC ICB is in neither: it finds nothing.
  expect((await api.call<Page>('GET', `/api/v1/commissions?title=${word}`, { key: keys.lsc })).body.items).toHaveLength(0);
});

test('delegation: a deputy must be from the same partner and share a role; the register keeps it', async () => {
  const director = 'demo-key-council-director-000001';
  const window = { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 7 * 86_400_000).toISOString() };
  const otherPartner = await api.call<{ detail: string }>('PUT', '/api/v1/people/me/delegation', { key: keys.nenc, json: { deputy: 'council-commissioner', ...window } });
  expect(otherPartner.status).toBe(422);
  expect(otherPartner.body.detail).toContain('from your own partner');
  const noSharedRole = await api.call('PUT', '/api/v1/people/me/delegation', { key: director, json: { deputy: 'council-finance', ...window } });
  expect(noSharedRole.status).toBe(422);
  const unknown = await api.call('PUT', '/api/v1/people/me/delegation', { key: director, json: { deputy: 'nobody', ...window } });
  expect(unknown.status).toBe(422);
  const backwards = await api.call('PUT', '/api/v1/people/me/delegation', { key: director, json: { deputy: 'board-chair', from: window.to, to: window.from } });
  expect(backwards.status).toBe(422);

  const set = await api.call<{ delegation: { deputy: string; roles: string[] } }>('PUT', '/api/v1/people/me/delegation', { key: director, json: { deputy: 'board-chair', ...window } });
  expect(set.status).toBe(200);
  expect(set.body.delegation).toMatchObject({ deputy: 'board-chair', roles: ['executive-board'] });
  const read = await api.call<{ delegation: { principal: string; deputy: string } }>('GET', '/api/v1/people/me/delegation', { key: director });
  expect(read.body.delegation).toMatchObject({ principal: 'council-director-children', deputy: 'board-chair' });
  expect((await api.call<{ delegation: unknown }>('GET', '/api/v1/people/me/delegation', { key: keys.nenc })).body.delegation).toBeNull();

  // Cover given in days, then revoked: the record keeps it as revoked; a second revocation finds none.
  const ukDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const days = await api.call<{ delegation: { from: string; to: string } }>('PUT', '/api/v1/people/me/delegation', { key: director, json: { deputy: 'board-chair', from: ukDay(Date.now() + 86_400_000), to: ukDay(Date.now() + 8 * 86_400_000) } });
  expect(days.status).toBe(200);
  const revoked = await api.call<{ delegation: { status: string; revokedBy: string } }>('DELETE', '/api/v1/people/me/delegation', { key: director });
  expect(revoked.status).toBe(200);
  expect(revoked.body.delegation).toMatchObject({ status: 'revoked', revokedBy: 'council-director-children' });
  expect((await api.call<{ delegation: unknown }>('GET', '/api/v1/people/me/delegation', { key: director })).body.delegation).toBeNull();
  expect((await api.call('DELETE', '/api/v1/people/me/delegation', { key: director })).status).toBe(404);
});

test('operations: health, readiness, metrics and the OpenAPI document', async () => {
  expect((await api.call('GET', '/healthz')).status).toBe(200);
  const ready = await api.call<{ status: string }>('GET', '/readyz');
  expect(ready.status).toBe(200);
  const metrics = await api.call('GET', '/metrics');
  expect(metrics.text).toContain('jco_http_request_duration_seconds_bucket');
  // The worker's own SDK metrics come through the same scrape.
  expect(metrics.text).toMatch(/temporal_workflow_task_schedule_to_start_latency|temporal_request/);
  const doc = await api.call<{ paths: Record<string, unknown> }>('GET', '/api/v1/openapi.json');
  expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/commissions', '/api/v1/tasks/{taskId}/decision', '/a/{token}']));
});
