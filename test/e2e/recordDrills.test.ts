import { databaseOutageDrill, twoOfEachDrill } from '../../bench/drills/record';
import { createTestDatabase, dropTestDatabase, ensurePostgres, setClusterRunning, type PostgresServer } from '../../scripts/lib/postgres';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';

/**
 * The system of record's failure drills of `npm run bench -- drill-database-*`, small, on a real
 * PostgreSQL server on loopback: the server stopped mid-load (workflows carry on, reads answer
 * 503 with Retry-After, everything catches up, nothing lost, the chains verify), and two workers
 * and two API instances sharing the database (read-your-writes across instances, no duplicates).
 */
let system: RunningSystem;
let server: PostgresServer;
const database = `jco_test_${process.pid}_drills`;

beforeAll(async () => {
  server = await ensurePostgres();
  const url = await createTestDatabase(database, server);
  system = await startSystem({ env: { DATABASE_URL: url, RATE_LIMIT_PER_MINUTE: '1000000' } });
}, 180_000);

afterAll(async () => {
  await system?.stop();
  if (server) setClusterRunning(server, true);
  if (server) await dropTestDatabase(database, server).catch(() => undefined);
});

test('PostgreSQL stopped for 6 s while 6 commissions are driven through the lead agreement', async () => {
  const report = await databaseOutageDrill(system, {
    commissions: 6,
    downSeconds: 6,
    stopDatabase: async () => setClusterRunning(server, false),
    startDatabase: async () => setClusterRunning(server, true),
  });
  console.log(report.lines.join('\n'));
  expect(report.ok ? 'passed' : report.lines.join('\n')).toBe('passed');
}, 240_000);

test('two workers and two API instances on one PostgreSQL database', async () => {
  const report = await twoOfEachDrill(system, { commissions: 6 });
  expect(report.ok ? 'passed' : report.lines.join('\n')).toBe('passed');
}, 240_000);
