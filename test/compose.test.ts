import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** No Docker engine here: these check that the deployment file wires together as written. */
const root = path.join(__dirname, '..');
type Service = {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  networks?: string[];
  depends_on?: Record<string, { condition: string }>;
};
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

const hostPort = (address: string) => {
  const u = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: u.hostname, port: u.port };
};
const exposes = (service: Service, port: string) => (service.ports ?? []).some((p) => p.split(':').pop() === port);
/** Reachable by the other services on a compose network, published or not. */
const serves = (service: Service, port: string) => exposes(service, port) || (service.expose ?? []).includes(port);

test('defines the production-like services, with schema set up by admin-tools, not auto-setup', () => {
  expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgresql', 'temporal-admin-tools', 'temporal', 'temporal-ui', 'mailpit', 'api', 'worker']));
  for (const s of Object.values(services)) expect(s.image ?? '').not.toMatch(/auto-setup/);
  expect(services['temporal-admin-tools']!.image).toMatch(/^temporalio\/admin-tools:/);
  expect(services['temporal']!.depends_on?.['temporal-admin-tools']?.condition).toBe('service_completed_successfully');
  expect(services['temporal']!.environment?.['POSTGRES_SEEDS']).toBe('postgresql');
});

test.each(['api', 'worker'])('%s is built from the project Dockerfile and points at the services the file defines', (name) => {
  const s = services[name]!;
  expect(s.build).toBe('.');
  expect(existsSync(path.join(root, 'Dockerfile'))).toBe(true);
  expect(s.command).toEqual(['npm', 'run', name]);
  const env = s.environment!;
  const temporal = hostPort(env['TEMPORAL_ADDRESS']!);
  expect(services[temporal.host]).toBeDefined();
  expect(serves(services[temporal.host]!, temporal.port)).toBe(true);
  expect(s.networks).toContain('internal');
  const smtp = hostPort(env['SMTP_URL']!);
  expect(smtp.host).toBe('mailpit');
  expect(serves(services['mailpit']!, smtp.port)).toBe(true);
  // The secret comes from the environment of whoever deploys, never the file.
  expect(env['LINK_SIGNING_KEY']).toMatch(/^\$\{LINK_SIGNING_KEY:\?/);
  // The partnership file is the deployer's own (the bundled one is refused outside a local run).
  expect(env['JCO_CONFIG']).toBe('/config/partnership.yaml');
  expect((s as { volumes?: string[] }).volumes).toContain('${JCO_PARTNERSHIP_FILE:?set JCO_PARTNERSHIP_FILE to your partnership file}:/config/partnership.yaml:ro');
  expect(s.depends_on).toHaveProperty('temporal-namespace');
});

test.each(['api', 'worker'])('%s keeps its system of record in its own database on the PostgreSQL service', (name) => {
  const s = services[name]!;
  const url = s.environment!['DATABASE_URL'];
  expect(url).toBeDefined();
  // postgres://jco:${JCO_DB_PASSWORD:-jco}@postgresql:5432/jco: the password from the deployer's environment.
  const m = /^postgres(?:ql)?:\/\/(\w+):(\$\{JCO_DB_PASSWORD:-[^}]*\})@([\w-]+):(\d+)\/(\w+)$/.exec(url!);
  expect(m).not.toBeNull();
  const [, user, , host, port, database] = m!;
  expect(host).toBe('postgresql');
  expect(port).toBe('5432');
  expect(services[host!]!.image).toMatch(/^postgres:/);
  // Not Temporal's databases, and created before the app starts.
  expect(database).toBe('jco');
  expect(user).toBe('jco');
  expect(s.depends_on?.['jco-database']?.condition).toBe('service_completed_successfully');
  const init = services['jco-database']!;
  expect(init.depends_on?.['postgresql']?.condition).toBe('service_healthy');
  const script = ([] as string[]).concat(init.command ?? []).join('\n');
  expect(script).toMatch(/CREATE ROLE jco LOGIN PASSWORD/);
  expect(script).toMatch(/CREATE DATABASE jco OWNER jco/);
  expect(init.environment!['JCO_DB_PASSWORD']).toBe('${JCO_DB_PASSWORD:-jco}');
  // The api and the worker share the one database.
  expect(url).toBe(services[name === 'api' ? 'worker' : 'api']!.environment!['DATABASE_URL']);
});

test('the API port and the UI are published, and the UI talks to the same Temporal', () => {
  expect(exposes(services['api']!, services['api']!.environment!['PORT']!)).toBe(true);
  expect(services['temporal-ui']!.environment!['TEMPORAL_ADDRESS']).toBe(services['api']!.environment!['TEMPORAL_ADDRESS']);
  expect(exposes(services['mailpit']!, '8025')).toBe(true);
});

test('every npm script the containers run exists', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
  expect(pkg.scripts['api']).toBeDefined();
  expect(pkg.scripts['worker']).toBeDefined();
  // The image installs production dependencies only, so the runner must be one of them.
  expect(pkg.dependencies['tsx']).toBeDefined();
});

/** Every project folder the API's and the worker's entry points reach through their imports (TypeScript files only). */
function foldersReached(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const folders = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    folders.add(path.relative(root, file).split(path.sep)[0]!);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const base = path.resolve(path.dirname(file), m[1]!);
      const found = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f));
      if (found) visit(found);
    }
  };
  for (const e of entries) visit(path.join(root, e));
  return folders;
}

test('the image holds every folder the API and the worker import', () => {
  const copied = [...readFileSync(path.join(root, 'Dockerfile'), 'utf8').matchAll(/^COPY (\S+) /gm)].map((m) => m[1]!.split('/')[0]!);
  const missing = [...foldersReached(['api/main.ts', 'worker/main.ts'])].filter((f) => !copied.includes(f));
  expect(missing).toEqual([]);
});

test('only the API, the read-only UI behind sign-in and the mail viewer are published; Temporal and the databases are on an internal network', () => {
  const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name}:${p.split(':').pop()}`));
  expect(published.sort()).toEqual(['api:3000', 'mailpit:8025', 'temporal-ui:8080']);
  const networks = (compose as unknown as { networks: Record<string, { internal?: boolean } | null> }).networks;
  expect(networks['internal']?.internal).toBe(true);
  for (const name of ['temporal', 'postgresql']) expect(services[name]!.networks).toEqual(['internal']);
  const ui = services['temporal-ui']!.environment!;
  expect(ui['TEMPORAL_DISABLE_WRITE_ACTIONS']).toBe('true');
  expect(ui['TEMPORAL_AUTH_ENABLED']).toBe('true');
  expect(ui['TEMPORAL_CODEC_ENDPOINT']).toBe(`${services['api']!.environment!['PUBLIC_BASE_URL']}/api/v1/codec`);
  expect(services['api']!.environment!['TEMPORAL_UI_ORIGIN']).toBe('http://localhost:8080');
  expect(services['api']!.environment!['JCO_PAYLOAD_KEYS']).toMatch(/^\$\{JCO_PAYLOAD_KEYS:\?/);
});

test('the image runs an LTS line of Node.js the project supports, and installs without overriding the install-script policy', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const major = Number(/^FROM node:(\d+)-/m.exec(dockerfile)?.[1]);
  // Even majors become LTS; 20 ended in April 2026, so the image is on 24 or later.
  expect(major % 2).toBe(0);
  expect(major).toBeGreaterThanOrEqual(24);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  expect(pkg.engines.node).toMatch(/>=24\b/);
  expect(dockerfile).toMatch(/^COPY package\.json package-lock\.json \.npmrc /m);
  expect(dockerfile).not.toMatch(/ignore-scripts=false|dangerously-allow-all-scripts/);
});

test('allowScripts decides, for every locked package with an install script, whether it runs', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
  const withScripts = Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript)
    .map(([where]) => where.replace(/^.*node_modules\//, ''));
  expect(withScripts.filter((name) => !(name in pkg.allowScripts))).toEqual([]);
  // Only the system of record's native module may build itself; telemetry and the rest may not.
  expect(Object.entries(pkg.allowScripts).filter(([, allowed]) => allowed).map(([name]) => name)).toEqual(['@photostructure/sqlite']);
  expect(pkg.allowScripts['@scarf/scarf']).toBe(false);
  expect(readFileSync(path.join(root, '.npmrc'), 'utf8')).toMatch(/^strict-allow-scripts=true$/m);
});
