import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from '@photostructure/sqlite';
import { sql } from 'kysely';
import type { Database } from '../../db';
import { get, keys, POLICY, post, seedCase, serve, tempDatabase } from './fixtures';

/** The records API on the real app and an embedded database: no Temporal needed. */
let database: Database;
let app: { base: string; close(): Promise<void> };

beforeAll(async () => {
  ({ database } = await tempDatabase());
  // A council and NENC commission with awkward text; an LSC-only dispute; 1,200 events in March for the period export.
  await seedCase(database, {
    id: 'jc-export0001',
    partners: ['council', 'nenc-icb'],
    events: [
      { at: '2026-01-05T09:00:00.000Z', event: 'commission-created', by: 'council-commissioner', partner: 'council', role: 'commissioner', channel: 'api', what: 'Short breaks, "north"', policyVersion: POLICY },
      { at: '2026-01-06T09:00:00.000Z', event: 'task-decided', by: 'nenc-commissioner', partner: 'nenc-icb', role: 'commissioner', actingFor: 'nenc-senior-manager', channel: 'email', what: '=cmd|" /C calc"!A0', reason: 'line one\nline two, with a comma', policyVersion: POLICY },
    ],
  });
  await seedCase(database, { id: 'jd-lsc000001', type: 'dispute', partners: ['lsc-icb', 'nenc-icb'], count: 2 });
  await seedCase(database, { id: 'jc-bulk00001', partners: ['council', 'lsc-icb'], startedAt: '2026-03-01T00:00:00.000Z', count: 1200 });
  await seedCase(database, { id: 'jc-tamper001', partners: ['council', 'nenc-icb'], count: 5 });
  app = await serve(database);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.close();
});

test("a records officer of a participating partner reads the subject's whole record in order, with chained hashes", async () => {
  const res = await get(app.base, '/api/v1/records/jc-export0001', keys.nencOfficer);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = res.json() as { subjectId: string; cases: { instance: string; events: Record<string, unknown>[] }[]; holds: unknown[] };
  expect(body.subjectId).toBe('jc-export0001');
  expect(body.cases).toHaveLength(1);
  const [first, second] = body.cases[0]!.events;
  expect(first).toMatchObject({ seq: 0, event: 'commission-created', by: 'council-commissioner', partner: 'council', role: 'commissioner', channel: 'api', policyVersion: POLICY, prevHash: null });
  expect(second).toMatchObject({ seq: 1, by: 'nenc-commissioner', actingFor: 'nenc-senior-manager', channel: 'email', reason: 'line one\nline two, with a comma', prevHash: first!['hash'] });
  expect(body.holds).toEqual([]);
});

test('the record as CSV: a header row, one row per event, RFC 4180 quoting and no formulas, as an attachment', async () => {
  const res = await get(app.base, '/api/v1/records/jc-export0001', keys.councilOfficer, { accept: 'text/csv' });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  expect(res.headers.get('content-disposition')).toBe('attachment; filename="record-jc-export0001.csv"');
  const lines = res.text.split('\r\n');
  expect(lines[0]).toBe('subject_id,subject_type,instance,seq,at,event,by,partner,role,acting_for,channel,what,reason,policy_version,prev_hash,hash,recorded_at');
  expect(lines[1]).toMatch(/^jc-export0001,commission,jc-export0001-run-1,0,2026-01-05T09:00:00.000Z,commission-created,council-commissioner,council,commissioner,,api,"Short breaks, ""north""",,policy-test-1,,[0-9a-f]{64},/);
  expect(res.text).toContain(`,"'=cmd|"" /C calc""!A0","line one\nline two, with a comma",`);
  expect(res.text.endsWith('\r\n')).toBe(true);
});

test('nobody else reads it: other partners\' records officers, commissioners, the Board: 404, and no key: 401', async () => {
  expect((await get(app.base, '/api/v1/records/jc-export0001', keys.lscOfficer)).status).toBe(404);
  expect((await get(app.base, '/api/v1/records/jc-export0001', keys.councilCommissioner)).status).toBe(404);
  expect((await get(app.base, '/api/v1/records/jc-export0001/verification', keys.boardChair)).status).toBe(404);
  expect((await get(app.base, '/api/v1/records/jc-unknown01', keys.councilOfficer)).status).toBe(404);
  expect((await get(app.base, '/api/v1/records/jd-lsc000001', keys.councilOfficer)).status).toBe(404);
  expect((await get(app.base, '/api/v1/records/jd-lsc000001', keys.lscOfficer)).status).toBe(200);
  expect((await get(app.base, '/api/v1/records/jc-export0001')).status).toBe(401);
  const odd = await get(app.base, `/api/v1/records/${encodeURIComponent('<script>')}`, keys.councilOfficer);
  expect(odd.status).toBe(404);
  expect(odd.headers.get('content-type')).toMatch(/^application\/problem\+json/);
});

test('verification names the first tampered event', async () => {
  const intact = await get(app.base, '/api/v1/records/jc-tamper001/verification', keys.councilOfficer);
  expect(intact.status).toBe(200);
  expect(intact.json()).toMatchObject({ subjectId: 'jc-tamper001', intact: true, cases: [{ intact: true, events: 5 }] });

  // Only by dropping the database's own guard can a row be changed: then the chain shows it.
  await sql`DROP TRIGGER record_events_no_update`.execute(database.db);
  await database.db.updateTable('record_events').set({ reason: 'changed later' }).where('subject_id', '=', 'jc-tamper001').where('seq', '=', 3).execute();
  const broken = await get(app.base, '/api/v1/records/jc-tamper001/verification', keys.councilOfficer);
  expect(broken.json()).toMatchObject({
    subjectId: 'jc-tamper001',
    intact: false,
    cases: [{ intact: false, firstBroken: { seq: 3, problem: expect.stringMatching(/changed after it was recorded/) } }],
  });
  expect((await get(app.base, '/api/v1/records/jc-tamper001/verification', keys.lscOfficer)).status).toBe(404);
});

test('a period exports as NDJSON, every event in time order, 1,200 events streamed in chunks', async () => {
  const res = await fetch(`${app.base}/api/v1/records?from=2026-03-01&to=2026-04-01`, { headers: { authorization: `Bearer ${keys.lscOfficer}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
  expect(res.headers.get('transfer-encoding')).toBe('chunked');
  let chunks = 0;
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    chunks++;
    text += decoder.decode(chunk, { stream: true });
  }
  const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { subjectId: string; seq: number; at: string });
  expect(lines).toHaveLength(1200);
  expect(lines.every((l) => l.subjectId === 'jc-bulk00001')).toBe(true);
  expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
  expect(chunks).toBeGreaterThan(1);
});

test("a period exports as CSV; the partner defaults to and must be the officer's own; others get 403", async () => {
  const csv = await get(app.base, '/api/v1/records?from=2026-01-01&to=2026-04-01T00:00:00Z&type=commission', keys.councilOfficer, { accept: 'text/csv' });
  expect(csv.status).toBe(200);
  expect(csv.headers.get('content-disposition')).toBe('attachment; filename="records-council-2026-01-01-2026-04-01.csv"');
  const rows = csv.text.trimEnd().split('\r\n');
  // Header, 2 + 5 (January) and 1,200 (March); the LSC/NENC dispute is not the council's.
  expect(rows.length).toBeGreaterThanOrEqual(1 + 2 + 1200);
  expect(csv.text).not.toContain('jd-lsc000001');
  // NENC's export has the January commission but not the council/LSC one.
  const nenc = await get(app.base, '/api/v1/records?from=2026-01-01&to=2026-04-01&partner=nenc-icb', keys.nencOfficer);
  expect(nenc.status).toBe(200);
  expect(nenc.text).toContain('jc-export0001');
  expect(nenc.text).not.toContain('jc-bulk00001');

  expect((await get(app.base, '/api/v1/records?from=2026-01-01&to=2026-04-01&partner=nenc-icb', keys.councilOfficer)).status).toBe(403);
  expect((await get(app.base, '/api/v1/records?from=2026-01-01&to=2026-04-01', keys.councilCommissioner)).status).toBe(403);
  expect((await get(app.base, '/api/v1/records?from=2026-01-01&to=2026-04-01', keys.boardChair)).status).toBe(403);
  expect((await get(app.base, '/api/v1/records?from=2026-01-01&to=2026-04-01', keys.councilOfficer, { accept: 'text/html' })).status).toBe(406);
});

test('a period query is validated: dates, to after from, at most 5 years, nothing unknown; each problem named', async () => {
  // 400 where the query breaks the document's schema; 422 where it fits it and a rule refuses it
  // (a date that is not on the calendar, a period ending before it starts or longer than 5 years).
  const cases: [string, string[], number][] = [
    ['', ['from', 'to'], 400],
    ['?from=yesterday&to=2026-01-01', ['from'], 400],
    ['?from=2026-02-30&to=2026-03-01', ['from'], 400],
    ['?from=2026-03-01&to=2026-03-01', ['to'], 422],
    ['?from=2026-03-01&to=2025-03-01', ['to'], 422],
    ['?from=2020-01-01&to=2026-01-02', ['to'], 422],
    ['?from=2026-01-01&to=2026-02-01&type=nonsense', ['type'], 400],
    ['?from=2026-01-01&to=2026-02-01&extra=1', [''], 400],
    ['?from=2026-01-01&to=2026-02-01&partner=NOT%20AN%20ID', ['partner'], 400],
  ];
  for (const [query, paths, status] of cases) {
    const res = await get(app.base, `/api/v1/records${query}`, keys.councilOfficer);
    expect([query, res.status]).toEqual([query, status]);
    const problem = res.json() as { errors: { path: string }[] };
    expect([query, problem.errors.map((e) => e.path).sort()]).toEqual([query, paths.sort()]);
  }
});

test('legal holds: placed and lifted with a reason by a participating records officer, listed with the record', async () => {
  const url = '/api/v1/records/jc-export0001/holds';
  expect((await post(app.base, url, keys.councilOfficer, {})).status).toBe(400);
  expect((await post(app.base, url, keys.councilOfficer, { reason: 'no' })).status).toBe(400);
  expect((await post(app.base, url, keys.councilOfficer, { reason: 'x'.repeat(2001) })).status).toBe(400);
  expect((await post(app.base, url, keys.councilOfficer, { reason: 'Freedom of Information request', extra: 1 })).status).toBe(400);
  expect((await post(app.base, url, keys.lscOfficer, { reason: 'Not our subject' })).status).toBe(404);
  expect((await post(app.base, url, keys.councilCommissioner, { reason: 'Not a records officer' })).status).toBe(404);

  const placed = await post(app.base, url, keys.councilOfficer, { reason: 'FOI request 2026/114: keep until answered' });
  expect(placed.status).toBe(201);
  expect(placed.body).toMatchObject({ subjectId: 'jc-export0001', placedBy: 'council-records-officer', reason: 'FOI request 2026/114: keep until answered', active: true, liftedAt: null });
  const holdId = placed.body['id'] as string;
  const record = (await get(app.base, '/api/v1/records/jc-export0001', keys.nencOfficer)).json();
  expect(record['holds']).toEqual([placed.body]);

  const lift = `${url}/${holdId}/lift`;
  expect((await post(app.base, lift, keys.nencOfficer, {})).status).toBe(400);
  expect((await post(app.base, lift, keys.lscOfficer, { reason: 'Answered' })).status).toBe(404);
  expect((await post(app.base, `${url}/hold-0000000000000000/lift`, keys.nencOfficer, { reason: 'Answered' })).status).toBe(404);
  const lifted = await post(app.base, lift, keys.nencOfficer, { reason: 'FOI request answered on 2026-02-01' });
  expect(lifted.status).toBe(200);
  expect(lifted.body).toMatchObject({ id: holdId, active: false, liftedBy: 'nenc-records-officer', liftReason: 'FOI request answered on 2026-02-01' });
  expect((await post(app.base, lift, keys.nencOfficer, { reason: 'Again' })).status).toBe(409);
});

test('the policy text behind a version, for records officers', async () => {
  const res = await get(app.base, `/api/v1/records/policies/${POLICY}`, keys.lscOfficer);
  expect(res.status).toBe(200);
  expect(res.json()).toMatchObject({ version: POLICY, text: '{"policies":{"test":true}}' });
  expect((await get(app.base, '/api/v1/records/policies/unknown-version', keys.lscOfficer)).status).toBe(404);
  expect((await get(app.base, '/api/v1/records/policies/bad%20version', keys.lscOfficer)).status).toBe(400);
  expect((await get(app.base, `/api/v1/records/policies/${POLICY}`, keys.councilCommissioner)).status).toBe(403);
});

test('the database away or busy: 503 with Retry-After, never 500', async () => {
  const busy = lockedSqliteError();
  // Every query fails as a locked SQLite database (or an unreachable PostgreSQL server) would.
  const failing: unknown = new Proxy(() => undefined, {
    get: (_t, prop) => (prop === 'then' ? undefined : ['execute', 'executeTakeFirst', 'executeTakeFirstOrThrow'].includes(String(prop)) ? () => Promise.reject(busy) : failing),
    apply: () => failing,
  });
  const down = await serve(database, { database: { ...database, db: failing as Database['db'] } });
  try {
    for (const p of ['/api/v1/records/jc-export0001', '/api/v1/records/jc-export0001/verification', '/api/v1/records?from=2026-01-01&to=2026-02-01', `/api/v1/records/policies/${POLICY}`]) {
      const res = await get(down.base, p, keys.councilOfficer);
      expect([p, res.status, res.headers.get('retry-after')]).toEqual([p, 503, '5']);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  } finally {
    await down.close();
  }
});

/** What the SQLite driver throws when another connection holds the write lock and waiting is over. */
function lockedSqliteError(): unknown {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'jco-locked-')), 'locked.db');
  const holder = new DatabaseSync(file);
  const waiter = new DatabaseSync(file, { timeout: 0 });
  try {
    holder.exec('CREATE TABLE t (x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1)');
    waiter.exec('INSERT INTO t VALUES (2)');
    throw new Error('the second connection was not refused');
  } catch (err) {
    return err;
  } finally {
    holder.close();
    waiter.close();
  }
}
