import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type Transaction } from 'kysely';
import pg from 'pg';
import { engineOf, type Engine } from './engine';
import * as m001 from './migrations/001_system_of_record';
import * as m002 from './migrations/002_delegations';
import * as m003 from './migrations/003_web_sessions';
import * as m004 from './migrations/004_rate_limits';
import * as m005 from './migrations/005_access_audit';
import type { RecordSchema } from './schema';
import { openSqliteFile } from './sqliteFile';

export { engineOf, type Engine } from './engine';
export type { RecordSchema } from './schema';
export type RecordDb = Kysely<RecordSchema>;

/** Versioned migrations, applied in order at start-up (and by `npm run db:migrate`). */
const migrations: Record<string, { up(db: Kysely<unknown>, engine: Engine): Promise<void> }> = {
  '001_system_of_record': m001,
  '002_delegations': m002,
  '003_web_sessions': m003,
  '004_rate_limits': m004,
  '005_access_audit': m005,
};

export interface Database {
  db: RecordDb;
  engine: Engine;
  /** Where it is, without credentials: for logs and start-up messages. */
  where: string;
  /** Runs `fn` in a transaction that takes the write lock at once (SQLite: BEGIN IMMEDIATE). */
  write<T>(fn: (tx: Transaction<RecordSchema>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}


/**
 * Opens the system of record. PostgreSQL in production (`DATABASE_URL=postgres://…`); by default
 * an embedded SQLite file, `<dataDir>/record.db`, in WAL mode with `synchronous=FULL`: every
 * acknowledged commit is fsynced, so it survives a SIGKILL of any process and a power loss, and
 * the API and the worker (separate processes) share it safely.
 */
export function openDatabase(opts: { url?: string | undefined; dataDir: string }): Database {
  const engine = engineOf(opts.url);
  if (engine === 'postgres') {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: 10,
      // Fail fast while the server is away, so callers answer 503 instead of hanging.
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 10_000,
      statement_timeout: 15_000,
    });
    // A client whose server went away emits 'error': on the pool when idle, on the client itself
    // when checked out. Either way the query in flight fails (and is retried by its caller) and
    // the pool replaces the client; unhandled, the event would end the process.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<RecordSchema>({ dialect: new PostgresDialect({ pool }) });
    const u = new URL(opts.url!);
    return {
      db,
      engine,
      where: `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`,
      write: (fn) => db.transaction().execute(fn),
      close: () => db.destroy(),
    };
  }
  const file = opts.url ? opts.url.replace(/^sqlite:/, '') : path.join(opts.dataDir, 'record.db');
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Kysely<RecordSchema>({ dialect: new SqliteDialect({ database: openSqliteFile(file, { busyTimeoutMs: 15_000 }) }) });
  return {
    db,
    engine,
    where: `SQLite ${path.resolve(file)} (WAL, synchronous=FULL)`,
    // A deferred transaction that reads and then writes can fail at once with SQLITE_BUSY when
    // the other process wrote in between; taking the write lock first waits its turn instead.
    write: (fn) =>
      db.connection().execute(async (conn) => {
        await sql`BEGIN IMMEDIATE`.execute(conn);
        try {
          const result = await fn(conn as unknown as Transaction<RecordSchema>);
          await sql`COMMIT`.execute(conn);
          return result;
        } catch (err) {
          await sql`ROLLBACK`.execute(conn).catch(() => undefined);
          throw err;
        }
      }),
    close: () => db.destroy(),
  };
}

/** Applies the migrations not yet applied. Safe to run from several processes at once. */
export async function migrate(database: Database): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: {
      getMigrations: async () =>
        Object.fromEntries(
          Object.entries(migrations).map(([name, m]): [string, Migration] => [name, { up: (db) => m.up(db, database.engine) }]),
        ),
    },
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    // Two processes starting together on one SQLite file: the second waits and finds it done.
    if (attempt >= 5) throw error;
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
}

/** Opens and migrates: what every process does at start-up. */
export async function openMigratedDatabase(opts: { url?: string | undefined; dataDir: string }): Promise<Database> {
  const database = openDatabase(opts);
  try {
    await migrate(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

/** Errors that mean the database is away or busy, not that the request was wrong: 503. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; errcode?: number };
  if (!e || typeof e !== 'object') return false;
  const code = e.code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code) ||
    // SQLite's primary result codes SQLITE_BUSY (5) and SQLITE_LOCKED (6), extended codes included.
    (code === 'ERR_SQLITE_ERROR' && [5, 6].includes((e.errcode ?? 0) & 0xff)) ||
    /^(08|53|57P)/.test(code) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|database system is (starting up|shutting down)/i.test(e.message ?? '')
  );
}
