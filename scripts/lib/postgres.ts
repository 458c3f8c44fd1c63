import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { projectRoot, toolsDir } from './provision';

/**
 * A real PostgreSQL server on loopback for the tests of the PostgreSQL engine. On Debian/Ubuntu
 * (what CI runs) it uses the distribution's cluster tools: installs `postgresql` with apt-get when
 * absent (root only), starts the cluster when it is down, and creates a login role `jco` with
 * CREATEDB. Every test then gets a fresh database of its own (createTestDatabase).
 *
 * JCO_TEST_DATABASE_URL=postgres://user:pass@host:port/db names another server to use instead (a
 * role with CREATEDB); nothing is installed or started then.
 */

export const ROLE = 'jco';
/** A loopback-only test server: the password guards nothing of value, so it is fixed. */
export const PASSWORD = 'jco-test-only';
const HOST = '127.0.0.1';
/** What the last successful ensurePostgres found, so the next one is a single connection. */
const stateFile = path.join(toolsDir, 'postgres.json');

export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The server's major version, when we manage the cluster. */
  version?: string | undefined;
  /** A URL for the maintenance database `postgres`, as the test role. */
  adminUrl: string;
  /** What this call did, e.g. ['already running'] or ['started cluster 15/main']. */
  did?: string[] | undefined;
}

export class PostgresUnavailable extends Error {
  override name = 'PostgresUnavailable';
}

type Log = (line: string) => void;
const defaultLog: Log = (line) => console.error(`[postgres] ${line}`);

function run(cmd: string, args: string[], timeoutMs = 120_000): { ok: boolean; stdout: string; output: string } {
  // cwd `/`: psql run as the postgres user cannot always enter the caller's directory.
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: '/', timeout: timeoutMs, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim();
  return { ok: r.status === 0, stdout: r.stdout ?? '', output: output.split('\n').slice(-8).join('\n') };
}

const urlOf = (s: { host: string; port: number; user: string; password: string }, database: string): string =>
  `postgres://${encodeURIComponent(s.user)}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/${database}`;

/** Whether `url` answers a query within a short time. */
async function answers(url: string, timeoutMs = 2000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The installed major versions, newest first. */
function installedVersions(): string[] {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
}

interface Cluster {
  version: string;
  name: string;
  port: number;
  status: string;
}

function clusters(): Cluster[] {
  const r = run('pg_lsclusters', ['--no-header']);
  if (!r.ok) return [];
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[2]!))
    .map((f) => ({ version: f[0]!, name: f[1]!, port: Number(f[2]), status: f[3]! }));
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** apt-get update once, then apt-get install -y postgresql. */
function install(log: Log, tried: string[], did: string[]): void {
  if (!isRoot()) {
    tried.push('installing PostgreSQL: needs root (apt-get); run as root, or install the `postgresql` package, or set JCO_TEST_DATABASE_URL');
    return;
  }
  if (!existsSync('/usr/bin/apt-get')) {
    tried.push('installing PostgreSQL: apt-get not found (not Debian/Ubuntu); set JCO_TEST_DATABASE_URL to a server with a CREATEDB role');
    return;
  }
  log('PostgreSQL is not installed: apt-get update');
  const update = run('apt-get', ['update'], 10 * 60_000);
  if (!update.ok) tried.push(`apt-get update: ${update.output}`);
  log('apt-get install -y postgresql');
  const inst = run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], 15 * 60_000);
  if (!inst.ok) tried.push(`apt-get install -y postgresql: ${inst.output}`);
  else {
    did.push(`installed PostgreSQL ${installedVersions()[0] ?? ''} (apt-get)`);
    log(`installed PostgreSQL ${installedVersions()[0] ?? '(version unknown)'}`);
  }
}

/** psql as the postgres superuser over the cluster's Unix socket. */
function superPsql(port: number, sqlText: string): { ok: boolean; stdout: string; output: string } {
  const args = ['-u', 'postgres', '--', 'psql', '-X', '-q', '-p', String(port), '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-tA', '-c', sqlText];
  return isRoot() ? run('runuser', args) : run('sudo', ['-n', ...args]);
}

function readState(): PostgresServer | undefined {
  try {
    const s = JSON.parse(readFileSync(stateFile, 'utf8')) as PostgresServer;
    return typeof s.port === 'number' && typeof s.host === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

function writeState(s: PostgresServer): void {
  try {
    mkdirSync(toolsDir, { recursive: true });
    writeFileSync(stateFile, `${JSON.stringify(s, null, 2)}\n`);
  } catch {
    // only a cache: the next run finds the server the long way
  }
}

/**
 * Makes a PostgreSQL server answer on 127.0.0.1 with the role `jco` (CREATEDB): quick (one
 * connection) when it already does; otherwise installs, starts and creates what is missing,
 * saying what it did. Throws PostgresUnavailable, naming everything it tried, when it cannot.
 */
export async function ensurePostgres(opts: { log?: Log } = {}): Promise<PostgresServer> {
  const log = opts.log ?? defaultLog;
  const external = process.env['JCO_TEST_DATABASE_URL'];
  if (external) {
    const u = new URL(external);
    const server: PostgresServer = {
      host: u.hostname,
      port: Number(u.port || 5432),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      adminUrl: external,
    };
    if (await answers(external, 5000)) return { ...server, did: ['using JCO_TEST_DATABASE_URL'] };
    throw new PostgresUnavailable(`JCO_TEST_DATABASE_URL is set, but ${u.hostname}:${server.port}${u.pathname} does not answer.`);
  }

  const cached = readState();
  if (cached && (await answers(cached.adminUrl, 1000))) return { ...cached, did: ['already running'] };

  const tried: string[] = [];
  const did: string[] = [];
  const note = (line: string): void => {
    did.push(line);
    log(line);
  };
  let versions = installedVersions();
  if (versions.length === 0 || !existsSync('/usr/bin/pg_ctlcluster')) {
    install(log, tried, did);
    versions = installedVersions();
  }
  if (versions.length === 0 || !existsSync('/usr/bin/pg_ctlcluster')) {
    throw new PostgresUnavailable(`No PostgreSQL server for the tests, and none could be installed. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}`);
  }

  // The newest version's `main` cluster; created when the package did not create one.
  const version = versions[0]!;
  let cluster = clusters().find((c) => c.version === version && c.name === 'main');
  if (!cluster) {
    note(`creating cluster ${version}/main (pg_createcluster)`);
    const r = run('pg_createcluster', [version, 'main']);
    if (!r.ok) throw new PostgresUnavailable(`pg_createcluster ${version} main failed:\n${r.output}`);
    cluster = clusters().find((c) => c.version === version && c.name === 'main');
    if (!cluster) throw new PostgresUnavailable(`pg_createcluster ${version} main did not create a cluster:\n${r.output}`);
  }
  const port = cluster.port;
  const probe = { host: HOST, port, user: ROLE, password: PASSWORD };

  if (cluster.status !== 'online') {
    note(`starting cluster ${version}/main on ${HOST}:${port} (it was ${cluster.status})`);
    // The listen address is set on the command line, so loopback TCP works whatever the config says.
    const r = run('pg_ctlcluster', [version, 'main', 'start', '--', '-o', `-c listen_addresses=${HOST}`, '-w', '-t', '60']);
    if (!r.ok) throw new PostgresUnavailable(`pg_ctlcluster ${version} main start failed:\n${r.output}\n(see /var/log/postgresql/postgresql-${version}-main.log)`);
  } else if (!(await tcpOpen(HOST, port))) {
    note(`cluster ${version}/main is up but not on ${HOST}:${port}: restarting it listening there`);
    const r = run('pg_ctlcluster', [version, 'main', 'restart', '--', '-o', `-c listen_addresses=${HOST}`, '-w', '-t', '60']);
    if (!r.ok) throw new PostgresUnavailable(`pg_ctlcluster ${version} main restart failed:\n${r.output}`);
  }

  // The role: created once, its password and rights set again each time (idempotent).
  const role = superPsql(
    port,
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}') THEN
         CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}';
         RAISE NOTICE 'created';
       ELSE
         ALTER ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}';
       END IF;
     END $$;`,
  );
  if (!role.ok) throw new PostgresUnavailable(`could not create the role ${ROLE} (runuser -u postgres -- psql):\n${role.output}`);
  if (/created/.test(role.output)) note(`created role ${ROLE} (LOGIN CREATEDB)`);

  const server: PostgresServer = { ...probe, version, adminUrl: urlOf(probe, 'postgres') };
  if (did.length === 0) did.push('found running');
  if (!(await answers(server.adminUrl, 5000))) {
    throw new PostgresUnavailable(`PostgreSQL ${version} is running, but ${ROLE}@${HOST}:${port} cannot log in (check pg_hba.conf allows scram-sha-256/md5 on ${HOST}).`);
  }
  writeState(server);
  log(`PostgreSQL ${version} ready on ${HOST}:${port} (role ${ROLE})`);
  return { ...server, did };
}

async function tcpOpen(host: string, port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

async function admin<T>(server: PostgresServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server.adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops and creates database `name` (owned by the test role); returns its URL. */
export async function createTestDatabase(name: string, server?: PostgresServer): Promise<string> {
  if (!NAME.test(name)) throw new Error(`not a plain database name: ${name}`);
  const s = server ?? (await ensurePostgres());
  await admin(s, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  return urlOf(s, name);
}

export async function dropTestDatabase(name: string, server?: PostgresServer): Promise<void> {
  if (!NAME.test(name)) throw new Error(`not a plain database name: ${name}`);
  const s = server ?? (await ensurePostgres());
  await admin(s, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Test databases (`jco_test_<pid>_…`) left by test runs that died: dropped when their process is gone. */
export async function dropStaleTestDatabases(server: PostgresServer, log: Log = defaultLog): Promise<string[]> {
  const names = await admin(server, async (c) => (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'jco\\_test\\_%'`)).rows.map((r) => r.datname));
  const stale = names.filter((n) => {
    const pid = Number(/^jco_test_(\d+)_/.exec(n)?.[1]);
    if (!pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  });
  for (const n of stale) await dropTestDatabase(n, server);
  if (stale.length) log(`dropped ${stale.length} test database(s) left by earlier runs`);
  return stale;
}

export const postgresStateFile = path.relative(projectRoot, stateFile);

/**
 * Stops or starts the managed cluster, for drills of the database going away mid-load. Only
 * for a cluster this module manages (not JCO_TEST_DATABASE_URL).
 */
export function setClusterRunning(server: PostgresServer, running: boolean): void {
  if (!server.version) throw new PostgresUnavailable('This PostgreSQL server is not a local cluster this project manages; it cannot be stopped for a drill.');
  const args = running
    ? [server.version, 'main', 'start', '--', '-o', `-c listen_addresses=${HOST}`, '-w', '-t', '60']
    : [server.version, 'main', 'stop', '-m', 'fast'];
  const r = run('pg_ctlcluster', args);
  // Already as asked is fine: a drill's clean-up makes sure the server is back either way.
  if (!r.ok && !/already running|is not running|not running/i.test(r.output)) throw new PostgresUnavailable(`pg_ctlcluster ${args.join(' ')} failed: ${r.output}`);
}
