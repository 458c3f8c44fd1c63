import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { migrate, openDatabase, type Database } from '../../db';
import { appendEvents, verifyAll } from '../../db/record';
import { applySnapshot, openTasksFor } from '../../db/readModels';
import { at, dbTest, engines, event, freshDatabase, snapshot, task, type EngineName, type TestDb } from './helpers';

const root = path.join(__dirname, '..', '..');
const writerScript = path.join(__dirname, 'fixtures', 'writer.ts');

/**
 * The writer fixture in its own process; `lines` collects what it printed. Node with tsx's loader,
 * not the `tsx` command: that runs the script in a child of its own, which a SIGKILL would miss.
 */
function writer(mode: string, opts: object) {
  const child = spawn(process.execPath, ['--import', 'tsx', writerScript, mode, JSON.stringify(opts)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  const waiters: { match: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((x) => x.match.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    /** Resolves with the first line (from now on) matching, or rejects when the process exits first. */
    waitFor(match: RegExp, timeoutMs = 60_000): Promise<string> {
      const seen = lines.find((l) => match.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line ${match} within ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
        waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`the writer exited (${code ?? signal}) before ${match}; stderr:\n${stderr}`));
        });
      });
    },
    go(): void {
      child.stdin!.write('go\n');
    },
  };
}

const kill = (c: ChildProcess) => (c.exitCode === null && c.signalCode === null ? c.kill('SIGKILL') : undefined);

/** What the writer's `load` mode does, here: K subjects, R rounds of 5 events and a snapshot each. */
async function load(d: Database, prefix: string, subjects: number, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < subjects; i++) {
      const id = `${prefix}${String(i).padStart(4, '0')}`;
      await d.write(async (tx) => {
        await appendEvents(tx, { id, instance: `${id}-run-1`, type: 'commission' }, round * 5, Array.from({ length: 5 }, (_, k) => event(round * 5 + k)), at(100));
        await applySnapshot(tx, round + 1, snapshot(id, { status: `round-${round}`, at: at(round) }), [task(`${id}.approve`, id, { status: round === 0 ? 'open' : 'decided' })]);
      });
    }
  }
}

async function expectLoaded(t: TestDb, prefixes: string[], subjects: number, rounds: number): Promise<void> {
  const d = t.database;
  const events = await d.db.selectFrom('record_events').select(['subject_id', 'seq']).execute();
  expect(events).toHaveLength(prefixes.length * subjects * rounds * 5);
  expect(new Set(events.map((e) => `${e.subject_id}/${e.seq}`)).size).toBe(events.length);
  const rows = await d.db.selectFrom('subjects').select(['subject_id', 'seq', 'status']).execute();
  expect(rows).toHaveLength(prefixes.length * subjects);
  for (const r of rows) expect(r).toMatchObject({ seq: rounds, status: `round-${rounds - 1}` });
  expect(await verifyAll(d.db)).toEqual({ cases: prefixes.length * subjects, events: events.length, broken: [] });
  expect(await openTasksFor(d.db, 'alice')).toHaveLength(rounds === 1 ? prefixes.length * subjects : 0);
}

describe.each(engines)('several writers on %s', (engine: EngineName) => {
  const it = dbTest(engine);

  it('another process and this one write at the same time: nothing lost, nothing twice, no busy failure', async (t) => {
    const other = writer('load', { ...t.target, prefix: 'jc-b', subjects: 40, rounds: 2 });
    try {
      await other.waitFor(/^ready$/);
      other.go();
      await load(t.database, 'jc-a', 40, 2);
      await other.waitFor(/^done 80$/);
      expect(await other.exited).toEqual({ code: 0, signal: null });
    } finally {
      kill(other.child);
    }
    await expectLoaded(t, ['jc-a', 'jc-b'], 40, 2);
  });

  it('two handles in this process, alternating, each see the other’s commits', async (t) => {
    const second = t.open();
    for (let round = 0; round < 3; round++) {
      await load(round % 2 ? second : t.database, `jc-${round}`, 5, 1);
      // A read on either handle sees every commit so far.
      expect(await second.db.selectFrom('subjects').select('subject_id').execute()).toHaveLength(5 * (round + 1));
      expect(await t.database.db.selectFrom('subjects').select('subject_id').execute()).toHaveLength(5 * (round + 1));
    }
    if (engine === 'postgres') {
      // PostgreSQL: the two pools also write at the very same time.
      await Promise.all([load(t.database, 'jd-a', 20, 2), load(second, 'jd-b', 20, 2)]);
      expect(await second.db.selectFrom('record_events').select('seq').execute()).toHaveLength(15 * 5 + 2 * 20 * 2 * 5);
    }
    expect((await verifyAll(t.database.db)).broken).toEqual([]);
  });

  it('migrating again, and from two processes at once, is fine', async (t) => {
    expect(await migrate(t.database)).toEqual([]);
    const fresh = await freshDatabase(engine);
    if (!fresh) return;
    try {
      // A database nobody has migrated yet: this process and two others migrate together.
      await fresh.database.db.schema.dropTable('record_events').ifExists().execute();
      for (const table of ['policies', 'subjects', 'tasks', 'task_assignees', 'outbox', 'holds', 'disposals', 'imports', 'delegations', 'web_sessions', 'rate_limit_hits', 'access_reads', 'kysely_migration', 'kysely_migration_lock']) {
        await fresh.database.db.schema.dropTable(table).ifExists().execute();
      }
      if (engine === 'postgres') await fresh.database.db.schema.dropTable('record_events').ifExists().execute();
      await dropGuardFunction(fresh.database);
      const others = [writer('migrate', fresh.target), writer('migrate', fresh.target)];
      try {
        await Promise.all(others.map((o) => o.waitFor(/^ready$/)));
        for (const o of others) o.go();
        const here = openDatabase(fresh.target);
        const applied = [await migrate(here), ...(await Promise.all(others.map(async (o) => (await o.waitFor(/^migrated /)).slice('migrated '.length))))];
        await here.close();
        const names = applied.map((a) => (Array.isArray(a) ? a.join(',') || '-' : a));
        // Exactly one of the three applied it; the others found it done.
        expect(names.filter((n) => n === '001_system_of_record,002_delegations,003_web_sessions,004_rate_limits,005_access_audit')).toHaveLength(1);
        expect(names.filter((n) => n === '-')).toHaveLength(2);
        for (const o of others) expect(await o.exited).toEqual({ code: 0, signal: null });
      } finally {
        others.forEach((o) => kill(o.child));
      }
      expect(await migrate(fresh.database)).toEqual([]);
      await load(fresh.database, 'jc-m', 3, 1);
      expect((await verifyAll(fresh.database.db)).events).toBe(15);
    } finally {
      await fresh.close();
    }
  });
});

async function dropGuardFunction(d: Database): Promise<void> {
  if (d.engine !== 'postgres') return;
  const { sql } = await import('kysely');
  await sql`DROP FUNCTION IF EXISTS record_events_guard()`.execute(d.db);
}

describe('the embedded engine survives a SIGKILL', () => {
  const it = dbTest('sqlite');

  it('every event acknowledged before the kill is there after reopening, and the chain verifies', async (t) => {
    const subject = 'jc-0001';
    const w = writer('ack', { ...t.target, subject, events: 100_000 });
    try {
      await w.waitFor(/^ready$/);
      w.go();
      // Killed mid-way, at a point that differs from run to run: while it commits event after event.
      const killAfter = 60 + Math.floor(Math.random() * 140);
      await w.waitFor(new RegExp(`^acked ${killAfter}$`));
      w.child.kill('SIGKILL');
      expect((await w.exited).signal).toBe('SIGKILL');
    } finally {
      kill(w.child);
    }
    const acked = w.lines.filter((l) => l.startsWith('acked ')).map((l) => Number(l.slice(6)));
    expect(acked.length).toBeGreaterThan(60);
    expect(acked).toEqual(acked.map((_, i) => i));
    await t.database.close();
    const reopened = openDatabase(t.target);
    try {
      const rows = await reopened.db.selectFrom('record_events').select('seq').where('subject_id', '=', subject).orderBy('seq').execute();
      // Every acknowledged event; at most one more, committed just before its "acked" line.
      expect(rows.length).toBeGreaterThanOrEqual(acked.length);
      expect(rows.length).toBeLessThanOrEqual(acked.length + 1);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i));
      expect(await verifyAll(reopened.db)).toEqual({ cases: 1, events: rows.length, broken: [] });
      // And it takes the next event as if nothing happened.
      const next = rows.length;
      await reopened.write((tx) => appendEvents(tx, { id: subject, instance: `${subject}-run-1`, type: 'commission' }, next, [event(next)], at(0)));
      expect((await verifyAll(reopened.db)).events).toBe(next + 1);
    } finally {
      await reopened.close();
    }
  });
});
