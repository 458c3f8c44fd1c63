import path from 'node:path';
import { readEnv } from '../config/env';
import { engineOf, isDatabaseUnavailable, openDatabase, migrate } from '../db';

/**
 * `npm run db:migrate`: applies the system of record's migrations to the database the environment
 * names (DATABASE_URL, or the embedded file under JCO_DATA_DIR) and says which, and where. The API
 * and the worker do the same at start-up; this is for a deployment step that runs before them.
 */
async function main(): Promise<number> {
  let env;
  try {
    env = readEnv();
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  let database;
  try {
    database = openDatabase({ url: env.DATABASE_URL, dataDir: path.resolve(env.JCO_DATA_DIR) });
  } catch (err) {
    console.error(`Cannot open the system of record: ${describe(err)}`);
    return 1;
  }
  try {
    const applied = await migrate(database);
    console.log(applied.length ? `Applied ${applied.length} migration(s) to ${database.where}:\n${applied.map((m) => `  - ${m}`).join('\n')}` : `${database.where}: already up to date, no migration to apply.`);
    return 0;
  } catch (err) {
    const engine = engineOf(env.DATABASE_URL);
    const why = isDatabaseUnavailable(err)
      ? `the database is unreachable (${describe(err)}).${engine === 'postgres' ? ' Is the PostgreSQL server up, and DATABASE_URL right?' : ''}`
      : describe(err);
    console.error(`Migrating ${database.where} failed: ${why}`);
    return 1;
  } finally {
    await database.close().catch(() => undefined);
  }
}

/** A readable line for an error; connection errors to several addresses come as an AggregateError with no message. */
function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: unknown[] };
  const inner = Array.isArray(e.errors) && e.errors.length ? e.errors.map((x) => describe(x)).join('; ') : undefined;
  const message = e.message || inner || String(err);
  return e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

void main().then((code) => process.exit(code));
