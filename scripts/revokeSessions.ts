import path from 'node:path';
import { loadConfigOrExit } from '../config';
import { openMigratedDatabase } from '../db';
import { endSessionsOf } from '../db/sessions';

/**
 * `npm run sessions:revoke -- <person id>`: ends every web session of a person at once (they
 * left, or their device was lost). Their next request finds no session and asks them to sign in;
 * with single sign-on their organisation's account decides whether they can.
 */
async function main(): Promise<number> {
  const person = process.argv[2] ?? '';
  const { env, partnership } = loadConfigOrExit();
  if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(person)) {
    console.error('Usage: npm run sessions:revoke -- <person id>   (a person id from the partnership file, e.g. council-commissioner)');
    return 2;
  }
  if (!partnership.people.some((p) => p.id === person)) console.warn(`${person} is not in the partnership file now; ending any sessions kept for that id anyway.`);
  const database = await openMigratedDatabase({ url: env.DATABASE_URL, dataDir: path.resolve(env.JCO_DATA_DIR) });
  try {
    const ended = await endSessionsOf(database.db, person);
    console.log(`${database.where}: ended ${ended} web session(s) of ${person}.`);
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
