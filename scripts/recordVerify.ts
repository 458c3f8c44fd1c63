import path from 'node:path';
import { readEnv } from '../config/env';
import { openMigratedDatabase } from '../db';
import { verifyAll } from '../db/record';

/**
 * `npm run record:verify`: checks the hash chain of every case in the system of record (the
 * database DATABASE_URL names, or the embedded one under JCO_DATA_DIR). Prints how many cases and
 * events were checked and each broken case with its first broken event; exits 1 if any is broken.
 */
export async function verifyRecord(env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<number> {
  const e = readEnv(env);
  const database = await openMigratedDatabase({ url: e.DATABASE_URL, dataDir: path.resolve(e.JCO_DATA_DIR) });
  try {
    const { cases, events, broken } = await verifyAll(database.db);
    print(`${database.where}: ${cases} case${cases === 1 ? '' : 's'}, ${events} event${events === 1 ? '' : 's'} checked.`);
    for (const b of broken) {
      print(`BROKEN ${b.subjectId} (case ${b.instance}): event ${b.firstBroken?.seq ?? '?'}: ${b.firstBroken?.problem ?? 'unknown problem'}`);
    }
    print(broken.length === 0 ? 'Every hash chain is intact.' : `${broken.length} case${broken.length === 1 ? ' is' : 's are'} broken.`);
    return broken.length === 0 ? 0 : 1;
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  verifyRecord(process.env, (line) => console.log(line)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(2);
    },
  );
}
