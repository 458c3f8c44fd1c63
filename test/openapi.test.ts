import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openApiDocument } from '../api/openapi';

/**
 * Every route the API registers is in the OpenAPI document, and the document names no route the
 * API lacks. Routes are read from the source, where they are registered.
 */
const api = path.join(__dirname, '..', 'api');
const read = (file: string) => readFileSync(path.join(api, file), 'utf8');
const normalise = (p: string) => p.replace(/:(\w+)/g, '{}').replace(/\{\w+\}/g, '{}').replace(/\/$/, '') || '/';

function registeredRoutes(): string[] {
  const app = read('app.ts');
  const routes = new Set<string>();
  for (const m of app.matchAll(/app\.(get|post|put|delete|patch)\('([^']+)'/g)) routes.add(`${m[1]!.toUpperCase()} ${m[2]}`);
  const mounts: [string, string][] = [];
  // app.use('/prefix', ...middleware, fooRouter(ctx)); within one statement.
  for (const m of app.matchAll(/app\.use\('([^']+)',(?:(?!\);\n)[\s\S])*?(\w+)Router\(ctx\)\);/g)) mounts.push([m[1]!, m[2]!]);
  for (const m of app.matchAll(/app\.use\((\w+)Router\(/g)) mounts.push(['', m[1]!]);
  for (const m of app.matchAll(/api\.use\('([^']+)', (\w+)Router\(/g)) mounts.push([`/api/v1${m[1]}`, m[2]!]);
  for (const [prefix, name] of mounts) {
    const file = name === 'devMail' ? 'devMail.ts' : `${name}.ts`;
    for (const m of read(file).matchAll(/router\.(get|post|put|delete|patch)\('([^']+)'/g)) routes.add(`${m[1]!.toUpperCase()} ${prefix}${m[2] === '/' ? '' : m[2]}`);
  }
  return [...routes].map((r) => {
    const [method, p] = r.split(' ');
    return `${method} ${normalise(p!)}`;
  });
}

// The dev mailbox exists only under `npm start`, and stylesheets are not API: neither is contract.
const devOnly = (r: string) => r.includes('/dev/mail') || r.includes(' /assets/');

test('every registered route is in the OpenAPI document, and every documented one exists', () => {
  const registered = registeredRoutes().filter((r) => !devOnly(r)).sort();
  const documented = Object.entries(openApiDocument.paths)
    .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${normalise(p)}`))
    .sort();
  expect(registered.length).toBeGreaterThan(15);
  expect(documented).toEqual(registered);
});

test('request bodies in the document come from the zod schemas the routes validate with', () => {
  const post = openApiDocument.paths['/api/v1/commissions'].post.requestBody.content['application/json'].schema as { required: string[]; properties: Record<string, unknown> };
  expect(post.required).toEqual(['title', 'partners', 'proposedLead', 'estimatedValue']);
  expect(Object.keys(post.properties)).toEqual(['title', 'description', 'partners', 'proposedLead', 'estimatedValue', 'highRiskFactors', 'healthCareService', 'socialCareService', 'unusualTerms', 'urgent', 'voluntaryStandstill']);
});

test('the document states the rules it can, so a request it allows is not refused as malformed', () => {
  const body = (p: string, m: 'post' | 'put') => (openApiDocument.paths as unknown as Record<string, Record<string, { requestBody: { content: Record<string, { schema: Record<string, unknown> }> } }>>)[p]![m]!.requestBody.content['application/json']!.schema;
  const props = (s: Record<string, unknown>) => s['properties'] as Record<string, Record<string, unknown>>;
  expect(props(body('/api/v1/commissions', 'post'))['partners']).toMatchObject({ uniqueItems: true });
  expect(props(body('/api/v1/referrals', 'post'))['proposedSplit']).toMatchObject({ minProperties: 1 });
  expect(body('/api/v1/tasks/{taskId}/extension', 'post')['oneOf']).toEqual([{ required: ['dueAt'] }, { required: ['extendBy'] }]);
  // Trimmed text: "  a " has minLength 3 and is refused; the pattern says so.
  const reason = new RegExp(props(body('/api/v1/commissions/{id}/withdrawal', 'post'))['reason']!['pattern'] as string, 'u');
  expect(['  ab ', '\ufeffab\u3000', 'abc', ' a b '].map((s) => reason.test(s))).toEqual(['  ab '.trim().length >= 3, false, true, true]);
  const plan = openApiDocument.paths['/api/v1/commissions/plan'].get.parameters as { name: string; required: boolean }[];
  expect(plan.find((p) => p.name === 'value')?.required).toBe(true);
  // Every operation that answers 400 also documents 422, a rule the schema cannot state.
  for (const [p, ops] of Object.entries(openApiDocument.paths))
    for (const [m, op] of Object.entries(ops as Record<string, { responses: Record<string, unknown> }>)) if (op.responses['400']) expect([p, m, op.responses['422'] !== undefined]).toEqual([p, m, true]);
});
