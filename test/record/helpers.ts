import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, openMigratedDatabase, type Database } from '../../db';
import type { RecordEvent } from '../../db/record';
import type { SubjectSnapshot } from '../../db/readModels';
import type { Task } from '../../domain/task';
import { createTestDatabase, dropTestDatabase, ensurePostgres, type PostgresServer } from '../../scripts/lib/postgres';

export type EngineName = 'sqlite' | 'postgres';
export const engines: EngineName[] = ['sqlite', 'postgres'];

const underCi = (): boolean => process.env['CI'] === 'true' || process.env['CI'] === '1';

let server: Promise<PostgresServer | undefined> | undefined;
/**
 * The loopback PostgreSQL (ensured by `npm run provision`; ensured here too, quickly, when jest runs
 * alone). Without one: under CI the PostgreSQL tests fail saying why; elsewhere they skip, saying so.
 */
export function postgresServer(): Promise<PostgresServer | undefined> {
  server ??= ensurePostgres({ log: (l) => console.log(`[postgres] ${l}`) }).catch((err: unknown) => {
    const why = `No PostgreSQL for the PostgreSQL engine's tests: ${(err as Error).message}`;
    if (underCi()) throw new Error(`${why}\n(CI=true: these tests must run; see scripts/lib/postgres.ts)`);
    console.warn(`WARNING: ${why}\nSkipping the PostgreSQL engine's tests (they fail under CI=true).`);
    return undefined;
  });
  return server;
}

/** A fresh, migrated database of one engine, and how to open more handles on it. */
export interface TestDb {
  engine: EngineName;
  database: Database;
  /** What openDatabase takes to reach the same database from another handle or process. */
  target: { url?: string | undefined; dataDir: string };
  open(): Database;
  close(): Promise<void>;
}

let counter = 0;

export async function freshDatabase(engine: EngineName): Promise<TestDb | undefined> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'jco-record-'));
  let url: string | undefined;
  let name: string | undefined;
  let pg: PostgresServer | undefined;
  if (engine === 'postgres') {
    pg = await postgresServer();
    if (!pg) return undefined;
    name = `jco_test_${process.pid}_${++counter}`;
    url = await createTestDatabase(name, pg);
  }
  const target = { url, dataDir };
  const database = await openMigratedDatabase(target);
  const extra: Database[] = [];
  return {
    engine,
    database,
    target,
    open() {
      const d = openDatabase(target);
      extra.push(d);
      return d;
    },
    async close() {
      await Promise.all([database, ...extra].map((d) => d.close().catch(() => undefined)));
      if (name) await dropTestDatabase(name, pg);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `test` on a fresh database of `engine`, closed (and dropped) afterwards. Where PostgreSQL is
 * missing outside CI, the test returns at once after the warning postgresServer printed.
 */
export function dbTest(engine: EngineName) {
  return (name: string, fn: (t: TestDb) => Promise<void>, timeout?: number): void =>
    test(
      name,
      async () => {
        const t = await freshDatabase(engine);
        if (!t) return;
        try {
          await fn(t);
        } finally {
          await t.close();
        }
      },
      timeout,
    );
}

export const at = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 9, 0) + minute * 60_000).toISOString();

export function event(i: number, over: Partial<RecordEvent> = {}): RecordEvent {
  return { at: at(i), event: `step-${i}`, by: 'alice', partner: 'council', channel: 'api', what: `detail ${i}`, policyVersion: 'p1', ...over };
}

export function task(id: string, subjectId: string, over: Partial<Task> = {}): Task {
  return {
    id,
    kind: 'approve',
    title: `Approve ${subjectId}`,
    subject: { type: 'commission', id: subjectId },
    assignees: ['alice', 'bob'],
    options: ['approve', 'reject'],
    reasonRequiredFor: ['reject'],
    status: 'open',
    createdAt: at(0),
    dueAt: at(60),
    escalationLevel: 0,
    ...over,
  };
}

export function snapshot(id: string, over: Partial<SubjectSnapshot> = {}): SubjectSnapshot {
  return {
    id,
    type: 'commission',
    instance: `${id}-run-1`,
    workflowId: `commission-${id}`,
    title: `Commission ${id}`,
    status: 'draft',
    lead: { partner: 'council', status: 'proposed' },
    partners: ['council', 'icb'],
    open: true,
    at: at(1),
    startedAt: at(0),
    view: { id },
    ...over,
  };
}
