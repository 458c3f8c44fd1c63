import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase } from './helpers';

const root = path.join(__dirname, '..', '..');

/** `npm run db:migrate` as a deployment runs it: the script, configured by the environment only. */
function dbMigrate(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && k !== 'JCO_DATA_DIR'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'dbMigrate.ts')], { cwd: root, env: { ...clean, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('db:migrate applies the migrations to the embedded file under JCO_DATA_DIR, then finds nothing to do', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jco-migrate-'));
  try {
    const first = dbMigrate({ JCO_DATA_DIR: dir });
    expect(first.code).toBe(0);
    expect(first.out).toContain(`Applied 5 migration(s) to SQLite ${path.join(dir, 'record.db')}`);
    expect(first.out).toContain('001_system_of_record');
    expect(first.out).toContain('002_delegations');
    expect(first.out).toContain('003_web_sessions');
    expect(first.out).toContain('004_rate_limits');
    expect(first.out).toContain('005_access_audit');
    const again = dbMigrate({ JCO_DATA_DIR: dir });
    expect(again).toEqual({ code: 0, out: expect.stringContaining('already up to date') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('db:migrate applies them to the PostgreSQL database DATABASE_URL names', async () => {
  const t = await freshDatabase('postgres');
  if (!t) return;
  try {
    // freshDatabase migrated it already: the script finds it up to date, and says where.
    const r = dbMigrate({ DATABASE_URL: t.target.url!, JCO_DATA_DIR: t.target.dataDir });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PostgreSQL 127\.0\.0\.1:\d+\/jco_test_\w+: already up to date/m);
    expect(r.out).not.toContain('jco-test-only');
  } finally {
    await t.close();
  }
});

test('db:migrate says so, and fails, when the database is unreachable', () => {
  const r = dbMigrate({ DATABASE_URL: 'postgres://jco:secret@127.0.0.1:1/jco' });
  expect(r.code).toBe(1);
  expect(r.out).toContain('Migrating PostgreSQL 127.0.0.1:1/jco failed: the database is unreachable (connect ECONNREFUSED 127.0.0.1:1)');
  expect(r.out).not.toContain('secret');
});
