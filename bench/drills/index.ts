import { startSystem, type RunningSystem } from '../../scripts/lib/system';
import { benchEnv, writeResult } from '../common';
import { createTestDatabase, dropTestDatabase, ensurePostgres, setClusterRunning, type PostgresServer } from '../../scripts/lib/postgres';
import { badInputDrill } from './badInput';
import { databaseOutageDrill, twoOfEachDrill } from './record';
import { mailOutageDrill } from './mailOutage';
import { schemathesisDrill } from './schemathesis';
import { serverRestartDrill } from './serverRestart';
import { workerCrashDrill, type DrillReport } from './workerCrash';

/** Runs a drill on its own system (servers on loopback) and writes bench/results/drill-<name>.md. */
async function onOwnSystem(name: string, title: string, drill: (s: RunningSystem) => Promise<DrillReport>, head = true, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const system = await startSystem({ env: { ...benchEnv, ...env } });
  try {
    const report = await drill(system);
    return writeResult(`drill-${name}`, [
      `# Drill: ${title} (${new Date().toISOString()})`,
      '',
      `Result: ${report.ok ? 'passed' : 'FAILED'}. Dev server on SQLite (WAL), real SMTP server, worker and API, all on loopback; 2 shared cores; the system of record on ${env['DATABASE_URL'] ? 'PostgreSQL' : 'the embedded SQLite file'}.`,
      '',
      ...(head ? ['| what | measured | goal |', '| --- | --- | --- |'] : []),
      ...report.lines,
    ]);
  } finally {
    await system.stop();
  }
}

const n = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

/** A drill on a fresh PostgreSQL database of the local cluster (installed and started if need be). */
async function onPostgres(name: string, title: string, drill: (s: RunningSystem, server: PostgresServer) => Promise<DrillReport>): Promise<string> {
  const server = await ensurePostgres();
  const database = `jco_bench_${process.pid}_${name.replace(/-/g, '_')}`;
  const url = await createTestDatabase(database, server);
  try {
    return await onOwnSystem(name, title, (s) => drill(s, server), true, { DATABASE_URL: url });
  } finally {
    setClusterRunning(server, true);
    await dropTestDatabase(database, server).catch(() => undefined);
  }
}

/** `npm run bench -- drill-<name>`: the fault drills at the sizes the issue names. */
export const drills: Record<string, () => Promise<string>> = {
  'drill-worker-crash': () =>
    onOwnSystem('worker-crash', 'worker SIGKILLed mid-load', (s) => workerCrashDrill(s, { commissions: n('DRILL_COMMISSIONS', 500), kills: n('DRILL_KILLS', 10) })),
  'drill-server-restart': () =>
    onOwnSystem('server-restart', 'Temporal server stopped and restarted mid-load', (s) => serverRestartDrill(s, { commissions: n('DRILL_COMMISSIONS', 100), downSeconds: n('DRILL_DOWN_SECONDS', 30) })),
  'drill-mail-outage': () =>
    onOwnSystem('mail-outage', 'SMTP refusing connections mid-load', (s) => mailOutageDrill(s, { commissions: n('DRILL_COMMISSIONS', 200), outageSeconds: n('DRILL_OUTAGE_SECONDS', 60) })),
  'drill-database-outage': () =>
    onPostgres('database-outage', 'PostgreSQL stopped for 30 s mid-load', (s, server) =>
      databaseOutageDrill(s, {
        commissions: n('DRILL_COMMISSIONS', 100),
        downSeconds: n('DRILL_DOWN_SECONDS', 30),
        stopDatabase: async () => setClusterRunning(server, false),
        startDatabase: async () => setClusterRunning(server, true),
      }),
    ),
  'drill-two-of-each': () => onPostgres('two-of-each', 'two workers and two API instances on one database', (s) => twoOfEachDrill(s, { commissions: n('DRILL_COMMISSIONS', 60) })),
  'drill-schemathesis': () =>
    onOwnSystem('schemathesis', 'the API checked from outside with Schemathesis', (s) => schemathesisDrill(s, { maxExamples: n('SCHEMATHESIS_EXAMPLES', 50) }), false),
  'drill-bad-input': () => onOwnSystem('bad-input', 'hostile requests and bad emailed links', (s) => badInputDrill(s, { fuzzRequests: n('FUZZ_REQUESTS', 10_000) }), false),
};
