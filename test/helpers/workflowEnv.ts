import { setMaxListeners } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import type { ParsedMail } from 'mailparser';
import { delegationsFromRegister } from '../../activities/delegations';
import { createLinkSigner } from '../../activities/links';
import { openMigratedDatabase, type Database } from '../../db';
import { loadPartnership, policyVersionOf } from '../../config';
import { calendarOf, type Partnership } from '../../domain/partnership';
import type { CommissionInput } from '../../domain/commission';
import { cachedWorkflowBundle } from '../../worker/bundle';
import { createJcoWorker, ensureSearchAttributes } from '../../worker/worker';
import { ensureTestServer } from '../../scripts/lib/provision';
import { startDevMailbox, type DevMailbox } from '../../scripts/lib/devMailbox';
import { livenessChecks } from './liveness';
import { patientKeepalive, queriesAskedAgain, startingAgainIfSlow, resultsPastStrandedRuns, retriesThatSettle, watchHeldClockLocks, type StrandedRunWatch } from './testServerQuirks';

export const TASK_QUEUE = 'jco-test';

// Tests read outcomes, not worker chatter.
Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: (process.env.JCO_TEST_CORE_LOG ?? 'ERROR') as 'ERROR' }), forward: {} } },
});
export const SIGNING_KEY = 'test-signing-key-that-is-long-enough-0123456789';

/** The product's workflows and the test-only probes. */
const testWorkflowsPath = path.join(__dirname, '..', 'workflows', 'index.ts');
let bundle: Promise<{ code: string }> | undefined;
/** Bundled once per version of the code (kept on disk like the worker's): every test file runs the same workflow code. */
export function workflowBundle(): Promise<{ code: string }> {
  bundle ??= cachedWorkflowBundle({ workflowsPath: testWorkflowsPath, sourceDirs: ['test/workflows'] });
  return bundle;
}

export interface TimeSkippingEnv {
  env: TestWorkflowEnvironment;
  /** Stops the watch and lets retries settle; then the environment may be torn down. */
  quiet(): Promise<void>;
}

export async function timeSkippingEnv(opts: { livenessOf?: Partnership; dataConverter?: DataConverter } = {}): Promise<TimeSkippingEnv> {
  // The interceptors need the environment, which exists only once it is made.
  const made: { env?: TestWorkflowEnvironment; watch?: StrandedRunWatch } = {};
  const people = opts.livenessOf ? new Set(opts.livenessOf.people.map((p) => p.id)) : undefined;
  const retries = retriesThatSettle();
  const env = await startingAgainIfSlow(() => TestWorkflowEnvironment.createTimeSkipping({
    plugins: [patientKeepalive, retries.plugin],
    server: { executable: { type: 'existing-path', path: process.env.JCO_TEST_SERVER_DEBUG ?? ensureTestServer() } },
    client: {
      ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
      interceptors: {
        workflow: [
          queriesAskedAgain(() => made.env!, () => made.watch),
          // Every step of every workflow test ends with the case still waiting on someone or a date.
          ...(people ? [livenessChecks(() => made.env!.client, people)] : []),
        ],
      },
    },
  }));
  made.env = env;
  const watch = watchHeldClockLocks(env);
  made.watch = watch;
  resultsPastStrandedRuns(env, watch);
  return {
    env,
    async quiet() {
      watch.stop();
      await retries.settle();
    },
  };
}

export interface Harness {
  env: TestWorkflowEnvironment;
  mailbox: DevMailbox;
  partnership: Partnership;
  recordsDir: string;
  /** The system of record the activities write (embedded, in `recordsDir`). */
  database: Database;
  run<T>(fn: () => Promise<T>): Promise<T>;
  mails(): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** A time-skipping server, a real SMTP receiver on loopback, and a worker with the real activities. */
export async function harness(
  partnership: Partnership = loadPartnership(),
  mail: { rejectRecipients?: string[]; acceptAfterMs?: number } = {},
  /** The payload codec the worker and the environment's client share (test/workflow/payloadEncryption.test.ts). */
  dataConverter?: DataConverter,
): Promise<Harness> {
  const { env, quiet } = await timeSkippingEnv({ livenessOf: partnership, dataConverter });
  await ensureSearchAttributes(env.nativeConnection, 'default');
  const mailbox = await startDevMailbox(mail);
  const recordsDir = mkdtempSync(path.join(os.tmpdir(), 'jco-records-'));
  const database = await openMigratedDatabase({ dataDir: recordsDir });
  const worker = await createJcoWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    dataConverter,
    deps: {
      partnership,
      delegations: delegationsFromRegister(env.client),
      mailer: nodemailer.createTransport(mailbox.url),
      links: createLinkSigner(SIGNING_KEY),
      database,
      publicBaseUrl: 'http://localhost:3000',
      mailFrom: 'jco@test.example',
    },
  });
  let running: Promise<unknown> | undefined;
  // Every call a test makes through the client (starts, updates, queries, the server's sleeps) is
  // made under this signal: a test that timed out while one was in flight (the time-skipping
  // server sometimes never answers) has it cancelled at close, rather than left retrying against
  // a closed channel and throwing into whichever test runs next.
  const calls = new AbortController();
  // One listener per call in flight: a test with many at once is not a leak.
  setMaxListeners(0, calls.signal);
  return {
    env,
    mailbox,
    partnership,
    recordsDir,
    database,
    run: (fn) => {
      const run = worker.runUntil(() => env.client.connection.withAbortSignal(calls.signal, fn));
      running = run.catch(() => undefined);
      return run;
    },
    mails: () => mailbox.parsed(),
    async close() {
      // A test that timed out leaves runUntil waiting; a worker left polling a torn-down server keeps jest alive for ever.
      calls.abort();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      // The server may close only once the worker has let go of its connection.
      await running;
      await mailbox.close();
      await quiet();
      await env.teardown();
      await database.close();
    },
  };
}

let seq = 0;
/** A commission started by the council commissioner, proposing the council as lead. */
export function commissionInput(partnership: Partnership, overrides: Partial<CommissionInput> = {}): CommissionInput {
  seq++;
  return {
    id: `jc-test${String(seq).padStart(6, '0')}`,
    title: `Short breaks service ${seq}`,
    partners: partnership.partners.map((p) => ({ id: p.id, name: p.name })),
    proposedLead: 'council',
    estimatedValue: 450_000,
    highRiskFactors: [],
    healthCareService: false,
    createdBy: { person: 'council-commissioner', partner: 'council' },
    calendar: calendarOf(partnership),
    policy: { leadPartnerAgreement: partnership.policies.leadPartnerAgreement },
    policyVersion: policyVersionOf(partnership),
    ...overrides,
  };
}
