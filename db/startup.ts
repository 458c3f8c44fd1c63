import path from 'node:path';
import type { Env } from '../config';
import { openMigratedDatabase, type Database } from './index';
import { keepPolicy } from './record';
import { importLegacyRecords } from './legacyImport';

/**
 * What the API and the worker do first: open the system of record, apply its migrations and keep
 * the text of the policies in force. The worker (`importLegacy`), which wrote them, also imports
 * the decision record files of earlier releases, once; the API has no need to look.
 */
export async function openSystemOfRecord(
  env: Pick<Env, 'DATABASE_URL' | 'JCO_DATA_DIR'>,
  policy: { version: string; text: string },
  opts: { importLegacy?: boolean } = {},
): Promise<Database> {
  const database = await openMigratedDatabase({ url: env.DATABASE_URL, dataDir: path.resolve(env.JCO_DATA_DIR) });
  await keepPolicy(database, policy.version, policy.text);
  if (opts.importLegacy) await importLegacyRecords(database, path.resolve(env.JCO_DATA_DIR, 'records'));
  return database;
}
