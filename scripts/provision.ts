import { ensureSchemathesis, ensureTemporalCli, ensureTestServer, ProvisionError, testServerLib } from './lib/provision';
import { ensureTestServerArchive } from './lib/testServerArchive';
import { dropStaleTestDatabases, ensurePostgres } from './lib/postgres';
import { ensureChromium } from './lib/chromium';

/**
 * `npm run provision`: makes sure both Temporal servers, Schemathesis (the API checked from outside), the loopback PostgreSQL (for the
 * PostgreSQL engine's tests) and Debian's Chromium (for the browser tests) are here; says what it
 * tried if not. Chromium is required: the browser tests are part of the test command. Without PostgreSQL it fails
 * under CI (CI=true) and only warns elsewhere (those tests then skip, saying so).
 */
async function main(): Promise<void> {
  try {
    const cli = ensureTemporalCli();
    const testServer = ensureTestServer();
    const schemathesis = ensureSchemathesis();
    console.log(`temporal CLI: ${cli}\ntime-skipping test server: ${testServer}\nSchemathesis: ${schemathesis}`);
    await ensureTestServerArchive(testServerLib);
  } catch (err) {
    console.error(err instanceof ProvisionError ? err.message : err);
    process.exit(1);
  }
  try {
    const chromiumStarted = Date.now();
    const chromium = ensureChromium();
    console.log(`Chromium: ${chromium.path}, ${chromium.did} (${Date.now() - chromiumStarted} ms)`);
  } catch (err) {
    console.error(`Chromium for the browser tests: ${(err as Error).message}`);
    process.exit(1);
  }
  const started = Date.now();
  try {
    const pg = await ensurePostgres();
    await dropStaleTestDatabases(pg);
    console.log(`PostgreSQL${pg.version ? ` ${pg.version}` : ''}: ${pg.host}:${pg.port}, role ${pg.user}: ${(pg.did ?? []).join(', ')} (${Date.now() - started} ms)`);
  } catch (err) {
    const message = `PostgreSQL for the tests: ${(err as Error).message}`;
    if (process.env['CI'] === 'true' || process.env['CI'] === '1') {
      console.error(`${message}\nCI=true: the PostgreSQL engine must be tested.`);
      process.exit(1);
    }
    console.error(`WARNING: ${message}\nThe PostgreSQL engine's tests will be skipped (they fail under CI=true).`);
  }
}

void main();
