import { createTestDatabase, dropStaleTestDatabases, dropTestDatabase, ensurePostgres, PostgresUnavailable } from './lib/postgres';

/**
 * `npx tsx scripts/postgres.ts [ensure | create <name> | drop <name>]`: the loopback PostgreSQL the
 * tests use. `ensure` installs/starts it when needed and prints where it is; `create` prints the URL
 * of a fresh database.
 */
async function main(): Promise<void> {
  const [command = 'ensure', name] = process.argv.slice(2);
  const started = Date.now();
  const server = await ensurePostgres();
  switch (command) {
    case 'ensure':
      await dropStaleTestDatabases(server);
      console.log(`PostgreSQL${server.version ? ` ${server.version}` : ''} on ${server.host}:${server.port}, role ${server.user}: ${(server.did ?? []).join(', ')} (${Date.now() - started} ms)`);
      return;
    case 'create':
      if (!name) throw new Error('usage: scripts/postgres.ts create <name>');
      console.log(await createTestDatabase(name, server));
      return;
    case 'drop':
      if (!name) throw new Error('usage: scripts/postgres.ts drop <name>');
      await dropTestDatabase(name, server);
      console.log(`dropped ${name}`);
      return;
    default:
      throw new Error(`unknown command ${command}: ensure | create <name> | drop <name>`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof PostgresUnavailable ? err.message : err);
  process.exit(1);
});
