import type { RunningSystem } from '../../scripts/lib/system';

/** A small seeded generator, so a failure can be reproduced from the seed it prints. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick };
}

/**
 * Seeded random and malformed requests to every route, 8 at a time: the problems are answers
 * that are 5xx, show a stack trace or echo a secret. Shared by the operations test (3,000
 * requests) and the bad-input drill (`npm run bench -- drill-bad-input`, 10,000).
 */
export async function fuzz(
  system: RunningSystem,
  opts: { seed: number; total: number; commissionId: string; keys: string[] },
): Promise<{ sent: number; problems: string[] }> {
  const { total, commissionId } = opts;

  const { next, pick } = rng(opts.seed);
  const ids = [commissionId, 'jc-aaaaaaaaaa', 'x', '..%2f..%2fetc%2fpasswd', '%00', 'é😀', 'a'.repeat(3000), "' OR 1=1 --", `${commissionId}.lead`, '%E0%A4%A'];
  const routes = [
    () => '/api/v1/commissions',
    () => `/api/v1/commissions/${pick(ids)}`,
    () => `/api/v1/commissions/${pick(ids)}/timeline`,
    () => `/api/v1/commissions?stage=${pick(ids)}&partner=${pick(ids)}`,
    () => '/api/v1/tasks',
    () => `/api/v1/tasks?overdue=${pick(['true', 'false', 'x'])}&kind=${pick(ids)}&subject=${pick(ids)}`,
    () => `/api/v1/tasks/${pick(ids)}`,
    () => `/api/v1/tasks/${pick(ids)}/decision`,
    () => `/api/v1/tasks/${pick(ids)}/extension`,
    () => '/api/v1/people/me',
    () => '/api/v1/people/me/delegation',
    () => `/a/${pick(ids)}`,
    () => `/a/${pick(['a.b.c', 'eyJ.eyJ.sig', 'deadbeef.' + 'A'.repeat(50) + '.x'])}`,
    () => '/api/v1/openapi.json',
    () => `/${pick(ids)}`,
    () => `/api/v1/commissions/${pick(ids)}/evaluation`,
    () => `/api/v1/commissions/${pick(ids)}/challenges`,
    () => `/api/v1/commissions/plan?value=${pick(['1', '-1', 'x', '1e309', ''])}&highRiskFactors=${pick(['', 'business-critical', 'x,y', '%00'])}&urgent=${pick(['true', 'x'])}`,
    () => '/api/v1/referrals',
    () => `/api/v1/referrals?status=${pick(ids)}&partner=${pick(ids)}`,
    () => `/api/v1/referrals/${pick([...ids, 'rf-cyp48213'])}`,
    () => `/api/v1/referrals/${pick([...ids, 'rf-cyp48213'])}/timeline`,
  ];
  const values = [null, true, -1, 1e308, 'x', '', 'a'.repeat(10_000), [], {}, [1, 'a'], { $gt: '' }, { __proto__: { polluted: 1 } }, '<script>alert(1)</script>'];
  const field = () =>
    pick(['title', 'partners', 'proposedLead', 'estimatedValue', 'decision', 'comment', 'data', 'deputy', 'from', 'to', 'dueAt', 'extendBy', 'reason', 'criteria', 'bidders', 'members', 'scoringDue', 'grounds', 'kind', 'urgent', '__proto__', 'constructor']);
  const body = (): { text?: string; type?: string } => {
    const r = next();
    if (r < 0.15) return {};
    if (r < 0.3) return { text: pick(['{', '{"a":', 'null', '[]', '"str"', '{"title": "\ud800"}', '\u0000', 'x'.repeat(300_000)]), type: 'application/json' };
    if (r < 0.4) return { text: 'decision=agree&comment=' + 'x'.repeat(Math.floor(next() * 100)), type: 'application/x-www-form-urlencoded' };
    if (r < 0.45) return { text: 'random bytes \x00\x01', type: pick(['text/plain', 'application/xml', 'multipart/form-data']) };
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < 1 + Math.floor(next() * 6); i++) obj[field()] = pick(values);
    if (next() < 0.1) Object.assign(obj, { caseRef: pick(['CYP-48213', 'Jane Smith', '01/02/2015', 'x']), locality: pick(['Millom', 'Mars']), needs: ['health'], packageDescription: 'Fuzzed package', annualCost: pick([1, -1, 'x']), proposedSplit: pick([{ council: 50, 'nenc-icb': 50 }, { council: 'x' }, { __proto__: 1 }]) });
    if (next() < 0.1) Object.assign(obj, { criteria: [{ id: 'q', name: 'Quality', kind: pick(['quality', 'x']), weight: pick([100, -1, 'x']) }], bidders: [{ id: 'a', name: 'A' }], members: pick([['council-panel-member'], 'x', []]), scoringDue: pick(['10 working days', 'soon', '2020-01-01T00:00:00Z']) });
    if (next() < 0.3) Object.assign(obj, { title: 'Fuzzed', partners: ['council', pick(['nenc-icb', 'x', ''])], proposedLead: 'council', estimatedValue: pick([1, -1, 'x']) });
    return { text: JSON.stringify(obj), type: 'application/json' };
  };
  const auth = () => pick([undefined, ...opts.keys.map((k) => `Bearer ${k}`), 'Bearer ', 'Basic Zm9vOmJhcg==', `Bearer ${'x'.repeat(5000)}`, 'Bearer a.b.c', 'bearer  two words']);

  const secrets = [system.env['LINK_SIGNING_KEY']!, ...opts.keys];
  const problems: string[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (sent < total) {
        sent++;
        const method = pick(['GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD']);
        const path = pick(routes)();
        const b = method === 'GET' || method === 'HEAD' ? {} : body();
        const headers: Record<string, string> = {};
        const a = auth();
        if (a) headers['authorization'] = a;
        if (b.type) headers['content-type'] = b.type;
        if (next() < 0.1) headers['x-request-id'] = pick(['ok-request-id-123', '\n', 'a'.repeat(500)]);
        if (next() < 0.1) headers['origin'] = 'https://evil.example';
        let res: Response;
        try {
          res = await fetch(`${system.baseUrl}${path}`, { method, headers, body: b.text });
        } catch (err) {
          problems.push(`${method} ${path.slice(0, 80)}: ${(err as Error).message}`);
          continue;
        }
        const text = await res.text();
        const echoed = secrets.find((s) => text.includes(s));
        if (res.status >= 500 || /\n\s+at .+\(.+:\d+:\d+\)/.test(text) || echoed) {
          problems.push(`${method} ${path.slice(0, 80)} → ${res.status} ${text.slice(0, 200)}`);
        }
      }
    }),
  );
  return { sent, problems };
}

/** Durations as an attacker writes them: beyond every bound, at the bound, malformed, huge. */
export const hostileDurations: unknown[] = [
  '99999999 working days',
  'P300000Y',
  `${'9'.repeat(5000)} working days`,
  'PT99999999999H',
  `P${'9'.repeat(30)}D`,
  'P10Y11M',
  '2611 working days',
  '2610 working days',
  '3653 days',
  'P10Y',
  'P1Y2M3W4DT5H6M7.5S',
  '0 working days',
  '-5 working days',
  '1e9 days',
  'P',
  'PT',
  ` ${'P1D'.repeat(2000)}`,
  '5 working days',
  '',
  1e308,
  null,
  ['5 working days'],
];

/** Dates and date-times the same way: beyond 1900–2199, at its edges, impossible, in other shapes. */
export const hostileDates: unknown[] = [
  '9999-12-31T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '1899-12-31T23:59:59Z',
  '1900-01-01T00:00:00Z',
  '2199-12-31T23:59:59+14:00',
  '2200-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2027-01-04T17:00:00Z',
  '9999-12-31',
  '0001-01-01',
  '2199-12-31',
  '2027-01-04',
  `2027-01-04T17:00:00.${'9'.repeat(5000)}Z`,
  '1e308',
  '',
  -1,
  1e308,
  null,
];

export interface BoundedInputTargets {
  /** An open task the `lead` key may extend. */
  taskId: string;
  /** A commission whose evaluation panel the `lead` key may set up (its scoring deadline). */
  commissionId: string;
  /** A task whose decision data carries dates (a referral panel's), or any task. */
  decisionTaskId: string;
  panelSetup: Record<string, unknown>;
  keys: { lead: string; other: string; recordsOfficer: string; person: string };
}

/**
 * Every duration and date field of the API (an extension's extendBy and dueAt, a panel's
 * scoringDue, a delegation's from and to, a records period's from and to, the dates in a
 * decision's data) sent hostile values, one request at a time. The problems are 5xx answers or
 * statuses no caller should see. With `cpu`, each request's CPU in the API process is read from
 * its /metrics (process_cpu_seconds_total before and after, less what two scrapes back to back
 * cost) for the report and the bench: never asserted on in a test.
 */
export async function fuzzBoundedInputs(
  system: RunningSystem,
  opts: { seed: number; total: number; targets: BoundedInputTargets; cpu?: boolean },
): Promise<{ sent: number; problems: string[]; byStatus: Record<number, number>; cpuMs: { max: number; worst: string; scrapeMs?: number } | undefined }> {
  const { pick } = rng(opts.seed);
  const t = opts.targets;
  const d = (): unknown => pick(hostileDurations);
  const when = (): unknown => pick(hostileDates);
  const requests: (() => { method: string; path: string; key: string; json: unknown })[] = [
    () => ({ method: 'POST', path: `/api/v1/tasks/${t.taskId}/extension`, key: pick([t.keys.lead, t.keys.other]), json: { extendBy: d(), reason: 'Fuzzed extension' } }),
    () => ({ method: 'POST', path: `/api/v1/tasks/${t.taskId}/extension`, key: pick([t.keys.lead, t.keys.other]), json: { dueAt: when(), reason: 'Fuzzed extension' } }),
    () => ({ method: 'PUT', path: `/api/v1/commissions/${t.commissionId}/evaluation`, key: t.keys.lead, json: { ...t.panelSetup, scoringDue: pick([d(), when()]) } }),
    () => ({ method: 'PUT', path: '/api/v1/people/me/delegation', key: t.keys.person, json: { deputy: 'nobody-of-this-name', from: when(), to: when() } }),
    () => ({ method: 'GET', path: `/api/v1/records?from=${encodeURIComponent(String(when()))}&to=${encodeURIComponent(String(when()))}`, key: t.keys.recordsOfficer, json: undefined }),
    () => ({ method: 'POST', path: `/api/v1/tasks/${t.decisionTaskId}/decision`, key: t.keys.lead, json: { decision: pick(['defer', 'approve']), data: pick([{ returnDate: when() }, { startDate: when() }]) } }),
  ];
  const allowed = new Set([200, 201, 202, 400, 403, 404, 409, 422]);
  const problems: string[] = [];
  const byStatus: Record<number, number> = {};
  const cpuSeconds = async (): Promise<number> => {
    const text = await (await fetch(`${system.baseUrl}/metrics`)).text();
    return Number(/^process_cpu_seconds_total(?:\{[^}]*\})? ([\d.e+-]+)$/m.exec(text)?.[1] ?? NaN);
  };
  let cpuMs: { max: number; worst: string; scrapeMs?: number } | undefined = opts.cpu ? { max: 0, worst: '' } : undefined;
  // What two scrapes back to back cost (the API's /metrics gathers the worker's too): taken off each figure.
  let scrape = 0;
  if (opts.cpu) {
    const pairs: number[] = [];
    for (let i = 0; i < 7; i++) {
      const a = await cpuSeconds();
      pairs.push(((await cpuSeconds()) - a) * 1000);
    }
    scrape = pairs.sort((x, y) => x - y)[3]!;
  }
  let sent = 0;
  while (sent < opts.total) {
    sent++;
    const r = pick(requests)();
    const before = opts.cpu ? await cpuSeconds() : 0;
    const res = await fetch(`${system.baseUrl}${r.path}`, {
      method: r.method,
      headers: { authorization: `Bearer ${r.key}`, ...(r.json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: r.json === undefined ? undefined : JSON.stringify(r.json),
    });
    const text = await res.text();
    if (cpuMs) {
      const ms = ((await cpuSeconds()) - before) * 1000 - scrape;
      if (ms > cpuMs.max) cpuMs = { max: Math.round(ms * 10) / 10, scrapeMs: Math.round(scrape * 10) / 10, worst: `${r.method} ${r.path.slice(0, 60)} ${JSON.stringify(r.json ?? '').slice(0, 100)} → ${res.status}` };
    }
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    if (!allowed.has(res.status) || /\n\s+at .+\(.+:\d+:\d+\)/.test(text)) {
      problems.push(`${r.method} ${r.path.slice(0, 80)} ${JSON.stringify(r.json ?? '').slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`);
    }
  }
  return { sent, problems, byStatus, cpuMs };
}
