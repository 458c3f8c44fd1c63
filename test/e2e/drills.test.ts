import { badInputDrill } from '../../bench/drills/badInput';
import { mailOutageDrill } from '../../bench/drills/mailOutage';
import { workerCrashDrill } from '../../bench/drills/workerCrash';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';

/**
 * The fault drills of `npm run bench -- drill-…` at small sizes, on one system, so every test
 * run proves the essentials: a killed worker loses no decision and resends at most one email per
 * kill; mail sent during an SMTP outage arrives once afterwards; bad links decide nothing.
 * (The server restart is operations.test.ts's first test.)
 */
let system: RunningSystem;

beforeAll(async () => {
  system = await startSystem({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

test('worker SIGKILLed twice while 16 commissions are driven through the lead agreement', async () => {
  const report = await workerCrashDrill(system, { commissions: 16, kills: 2 });
  expect(report.ok ? 'passed' : report.lines.join('\n')).toBe('passed');
}, 180_000);

test('SMTP refusing connections for 6 s mid-load: every email arrives afterwards, once', async () => {
  const report = await mailOutageDrill(system, { commissions: 8, outageSeconds: 6 });
  expect(report.ok ? 'passed' : report.lines.join('\n')).toBe('passed');
}, 120_000);

test('forged, truncated, expired, reused and other people\'s links are refused and decide nothing', async () => {
  const report = await badInputDrill(system, { fuzzRequests: 300 });
  expect(report.ok ? 'passed' : report.lines.join('\n')).toBe('passed');
}, 120_000);
