import { setMaxListeners } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionPlugin } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import { simpleParser, type ParsedMail } from 'mailparser';
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

/**
 * The client pings an idle connection every 30 s by default; the Java time-skipping server allows
 * one ping in 5 minutes and, after two too many, closes the connection with every call on it. A
 * call cut so is retried, and for `env.sleep` (the server's UnlockTimeSkippingWithSleep, which
 * blocks until the time comes) the retry is a second sleep whose re-lock is never undone: time
 * stops skipping for good and the test waits for ever (how "the hangs" of 2026-11-30 came about).
 * Pings every 6 minutes stay within what the server allows.
 */
const patientKeepalive: ConnectionPlugin = {
  name: 'jco-test-patient-keepalive',
  configureConnection: (options) => ({ ...options, channelArgs: { ...options.channelArgs, 'grpc.keepalive_time_ms': 6 * 60_000, 'grpc.keepalive_permit_without_calls': 0 } }),
};

export async function timeSkippingEnv(opts: { livenessOf?: Partnership } = {}): Promise<TestWorkflowEnvironment> {
  // The interceptor needs the environment's client, which exists only once the environment does.
  const made: { env?: TestWorkflowEnvironment } = {};
  const people = opts.livenessOf ? new Set(opts.livenessOf.people.map((p) => p.id)) : undefined;
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    plugins: [patientKeepalive],
    server: { executable: { type: 'existing-path', path: process.env.JCO_TEST_SERVER_DEBUG ?? ensureTestServer() } },
    // Every step of every workflow test ends with the case still waiting on someone or a date.
    ...(people ? { client: { interceptors: { workflow: [livenessChecks(() => made.env!.client, people)] } } } : {}),
  });
  made.env = env;
  return env;
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
export async function harness(partnership: Partnership = loadPartnership(), mail: { rejectRecipients?: string[]; acceptAfterMs?: number } = {}): Promise<Harness> {
  const env = await timeSkippingEnv({ livenessOf: partnership });
  await ensureSearchAttributes(env.nativeConnection, 'default');
  const mailbox = await startDevMailbox(mail);
  const recordsDir = mkdtempSync(path.join(os.tmpdir(), 'jco-records-'));
  const database = await openMigratedDatabase({ dataDir: recordsDir });
  const worker = await createJcoWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
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
    mails: () => Promise.all(mailbox.messages.map((m) => simpleParser(m))),
    async close() {
      // A test that timed out leaves runUntil waiting; a worker left polling a torn-down server keeps jest alive for ever.
      calls.abort();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      // The server may close only once the worker has let go of its connection.
      await running;
      await mailbox.close();
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
