import type { CommissionView } from '../../domain/commission';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';
import { client, eventually, keys } from '../helpers/http';

/** Operations against the real processes: Temporal going away and coming back, and hostile input. */
let system: RunningSystem;
let api: ReturnType<typeof client>;
let commissionId: string;

beforeAll(async () => {
  // A high rate limit, so the fuzzing below reaches the routes rather than the limiter.
  system = await startSystem({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  api = client(system);
  const created = await api.call<CommissionView>('POST', '/api/v1/commissions', {
    key: keys.council,
    json: { title: `Operations ${Date.now()}`, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 1000 },
  });
  commissionId = created.body.id;
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

test('while the Temporal server is down: 503 with Retry-After from /readyz and every Temporal-backed route; it recovers by itself', async () => {
  await system.stopTemporal();
  const ready = await eventually(() => api.call('GET', '/readyz'), (r) => r.status === 503, 10_000);
  expect(ready.status).toBe(503);
  await new Promise((r) => setTimeout(r, 1500)); // the background check notices
  const calls = [
    api.call('GET', `/api/v1/commissions/${commissionId}`, { key: keys.council }),
    api.call('GET', '/api/v1/commissions', { key: keys.council }),
    api.call('POST', '/api/v1/commissions', { key: keys.council, json: { title: 'During the outage', partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 1 } }),
    api.call('GET', `/api/v1/tasks/${commissionId}.lead`, { key: keys.nenc }),
    api.call('POST', `/api/v1/tasks/${commissionId}.lead/decision`, { key: keys.nenc, json: { decision: 'agree' } }),
  ];
  for (const r of await Promise.all(calls)) {
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  }
  expect((await api.call('GET', '/healthz')).status).toBe(200);

  await system.startTemporal();
  const back = await eventually(() => api.call('GET', '/readyz'), (r) => r.status === 200, 60_000);
  expect(back.status).toBe(200);
  const view = await eventually(() => api.call<CommissionView>('GET', `/api/v1/commissions/${commissionId}`, { key: keys.council }), (r) => r.status === 200, 30_000);
  expect(view.body.lead.status).toBe('proposed');
  const decided = await api.call('POST', `/api/v1/tasks/${commissionId}.lead/decision`, { key: keys.nenc, json: { decision: 'agree' } });
  expect(decided.status).toBe(200);
}, 120_000);

/** A small seeded generator, so a failure can be reproduced from the seed it prints. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick };
}

test('fuzz: thousands of random and malformed requests to every route: no 5xx, no stack traces, no secrets echoed', async () => {
  const seed = Number(process.env['FUZZ_SEED'] ?? 20261122);
  const { next, pick } = rng(seed);
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
    () => '/api/v1/referrals',
    () => `/api/v1/referrals?status=${pick(ids)}&partner=${pick(ids)}`,
    () => `/api/v1/referrals/${pick([...ids, 'rf-cyp48213'])}`,
    () => `/api/v1/referrals/${pick([...ids, 'rf-cyp48213'])}/timeline`,
  ];
  const values = [null, true, -1, 1e308, 'x', '', 'a'.repeat(10_000), [], {}, [1, 'a'], { $gt: '' }, { __proto__: { polluted: 1 } }, '<script>alert(1)</script>'];
  const field = () => pick(['title', 'partners', 'proposedLead', 'estimatedValue', 'decision', 'comment', 'data', 'deputy', 'from', 'to', 'dueAt', 'extendBy', 'reason', '__proto__', 'constructor']);
  const body = (): { text?: string; type?: string } => {
    const r = next();
    if (r < 0.15) return {};
    if (r < 0.3) return { text: pick(['{', '{"a":', 'null', '[]', '"str"', '{"title": "\ud800"}', '\u0000', 'x'.repeat(300_000)]), type: 'application/json' };
    if (r < 0.4) return { text: 'decision=agree&comment=' + 'x'.repeat(Math.floor(next() * 100)), type: 'application/x-www-form-urlencoded' };
    if (r < 0.45) return { text: 'random bytes \x00\x01', type: pick(['text/plain', 'application/xml', 'multipart/form-data']) };
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < 1 + Math.floor(next() * 6); i++) obj[field()] = pick(values);
    if (next() < 0.1) Object.assign(obj, { caseRef: pick(['CYP-48213', 'Jane Smith', '01/02/2015', 'x']), locality: pick(['Millom', 'Mars']), needs: ['health'], packageDescription: 'Fuzzed package', annualCost: pick([1, -1, 'x']), proposedSplit: pick([{ council: 50, 'nenc-icb': 50 }, { council: 'x' }, { __proto__: 1 }]) });
    if (next() < 0.3) Object.assign(obj, { title: 'Fuzzed', partners: ['council', pick(['nenc-icb', 'x', ''])], proposedLead: 'council', estimatedValue: pick([1, -1, 'x']) });
    return { text: JSON.stringify(obj), type: 'application/json' };
  };
  const auth = () => pick([undefined, `Bearer ${keys.council}`, `Bearer ${keys.nenc}`, 'Bearer ', 'Basic Zm9vOmJhcg==', `Bearer ${'x'.repeat(5000)}`, 'Bearer a.b.c', 'bearer  two words']);

  const secrets = [system.env['LINK_SIGNING_KEY']!, keys.council, keys.nenc];
  const problems: string[] = [];
  let sent = 0;
  const total = Number(process.env['FUZZ_REQUESTS'] ?? 3000);
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
  expect({ seed, sent, problems: problems.slice(0, 10) }).toEqual({ seed, sent: total, problems: [] });
}, 300_000);
