import { DatabaseSync, type StatementSyncInstance } from '@photostructure/sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * An SQLite file as Kysely's SQLite dialect wants it. The driver is `@photostructure/sqlite`:
 * Node's own `node:sqlite` API for Node 20, shipped with prebuilt binaries, so installing it
 * compiles nothing (better-sqlite3 compiled SQLite from source on every fresh install here, two
 * of the three minutes `npm ci` took). On Node 22.13 and later `node:sqlite` is the same API.
 */
export function openSqliteFile(file: string, opts: { busyTimeoutMs: number }): SqliteDatabase {
  const sqlite = new DatabaseSync(file, { timeout: opts.busyTimeoutMs });
  // WAL: readers do not wait for the writer. FULL: a write acknowledged is on disk.
  sqlite.exec('PRAGMA journal_mode = WAL');
  sqlite.exec('PRAGMA synchronous = FULL');
  sqlite.exec('PRAGMA foreign_keys = ON');
  return {
    close: () => sqlite.close(),
    prepare: (source) => statement(sqlite.prepare(source)),
  };
}

type Value = null | number | bigint | string | Uint8Array;

function statement(s: StatementSyncInstance): SqliteStatement {
  const args = (parameters: ReadonlyArray<unknown>) => parameters as Value[];
  return {
    // A statement that returns columns is read with `all`, one that does not is run.
    reader: s.columns().length > 0,
    all: (parameters) => s.all(...args(parameters)),
    run: (parameters) => {
      const { changes, lastInsertRowid } = s.run(...args(parameters));
      return { changes, lastInsertRowid };
    },
    iterate: (parameters) => s.iterate(...args(parameters)) as IterableIterator<unknown>,
  };
}
