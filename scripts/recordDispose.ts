import os from 'node:os';
import path from 'node:path';
import { loadPartnership } from '../config/partnership';
import { readEnv } from '../config/env';
import { openMigratedDatabase } from '../db';
import { DisposalRefused, disposeCase, dueForDisposal } from '../db/retention';
import { retentionOf } from '../domain/partnership';

const usage = 'usage: npm run record:dispose -- [--dry-run] [--now=<ISO 8601 date-time>] [--by=<who>] [--limit=<n>]';

export interface DisposeOptions {
  dryRun: boolean;
  now: Date;
  by: string;
  limit: number;
}

export function parseDisposeArgs(argv: string[], defaults: { now: Date; by: string }): DisposeOptions {
  const o: DisposeOptions = { dryRun: false, now: defaults.now, by: defaults.by, limit: 1000 };
  for (const arg of argv) {
    const [key, value] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (key === '--dry-run' && value === undefined) o.dryRun = true;
    else if (key === '--now' && value) {
      const t = new Date(value);
      if (Number.isNaN(t.getTime())) throw new Error(`--now must be an ISO 8601 date-time, not "${value}"\n${usage}`);
      o.now = t;
    } else if (key === '--by' && value && value.length <= 200) o.by = value;
    else if (key === '--limit' && value && /^\d{1,6}$/.test(value) && Number(value) > 0) o.limit = Number(value);
    else throw new Error(`unknown or malformed option "${arg}"\n${usage}`);
  }
  return o;
}

/**
 * `npm run record:dispose`: disposes of the cases whose retention period (the partnership file's
 * `retention`, per subject type, counted from the subject's end) has run out, unless a legal hold
 * keeps them. `--dry-run` lists them and changes nothing. Each disposal is recorded (with its event
 * count and last hash) in the same transaction that deletes the case. Exits 1 if any was refused.
 */
export async function disposeRecords(argv: string[], env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<number> {
  const e = readEnv(env);
  const opts = parseDisposeArgs(argv, { now: new Date(), by: `record:dispose (${os.userInfo().username})` });
  const retention = retentionOf(loadPartnership(e.JCO_CONFIG));
  const database = await openMigratedDatabase({ url: e.DATABASE_URL, dataDir: path.resolve(e.JCO_DATA_DIR) });
  try {
    const due = await dueForDisposal(database.db, retention, opts.now, opts.limit);
    print(`${database.where}: ${due.length} case${due.length === 1 ? '' : 's'} due for disposal at ${opts.now.toISOString()}${opts.dryRun ? ' (dry run: nothing changes)' : ''}.`);
    let refused = 0;
    for (const c of due) {
      const line = `${c.subjectType} ${c.subjectId} (case ${c.instance}): ended ${c.endedAt}, kept ${c.retention}, due ${c.dueAt}`;
      if (opts.dryRun) {
        print(`would dispose of ${line}`);
        continue;
      }
      try {
        const d = await disposeCase(database, c, opts.by, opts.now, retention);
        print(`disposed of ${line}: ${d.events} event${d.events === 1 ? '' : 's'}, last hash ${d.lastHash ?? '(none)'}`);
      } catch (err) {
        if (!(err instanceof DisposalRefused)) throw err;
        refused++;
        print(`KEPT ${err.message}`);
      }
    }
    return refused === 0 ? 0 : 1;
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  disposeRecords(process.argv.slice(2), process.env, (line) => console.log(line)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(2);
    },
  );
}
