import { ensureTemporalCli, ensureTestServer, ProvisionError } from './lib/provision';

/** `npm run provision`: makes sure both Temporal servers are here; says what it tried if not. */
try {
  const cli = ensureTemporalCli();
  const testServer = ensureTestServer();
  console.log(`temporal CLI: ${cli}\ntime-skipping test server: ${testServer}`);
} catch (err) {
  console.error(err instanceof ProvisionError ? err.message : err);
  process.exit(1);
}
