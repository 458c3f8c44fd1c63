import { Client } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { delegationsFromRegister } from '../activities/delegations';
import nodemailer from 'nodemailer';
import { createLinkSigner, signingKeysFrom } from '../activities/links';
import { openSystemOfRecord } from '../db/startup';
import { loadConfigOrExit, requireSetting } from '../config';
import { connectWithRetry } from '../scripts/lib/retry';
import { createJcoWorker, ensureSearchAttributes } from './worker';
import { cachedWorkflowBundle } from './bundle';
import { dataConverterOf, temporalConnectionSettings } from '../config/temporal';

/** The production worker process, configured only by the environment. */
async function main(): Promise<void> {
  const { env, partnership, policyVersion, policyText } = loadConfigOrExit(process.env, { serving: 'worker' });
  let smtpUrl: string, signingKey: string, dataConverter: ReturnType<typeof dataConverterOf>, temporalSettings: ReturnType<typeof temporalConnectionSettings>;
  try {
    smtpUrl = requireSetting(env, 'SMTP_URL', 'the worker sends the emails');
    signingKey = requireSetting(env, 'LINK_SIGNING_KEY', 'emailed links are signed with it');
    dataConverter = dataConverterOf(env);
    temporalSettings = temporalConnectionSettings(env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  // The SDK's own metrics (task latencies, slots, polls, cache) on a Prometheus endpoint.
  if (env.WORKER_METRICS_ADDRESS) Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: env.WORKER_METRICS_ADDRESS } } } });
  const database = await connectWithRetry('the system of record', () => openSystemOfRecord(env, { version: policyVersion, text: policyText }, { importLegacy: true }));
  console.log(`system of record: ${database.where}`);
  const connection = await connectWithRetry('Temporal', () => NativeConnection.connect(temporalSettings));
  await ensureSearchAttributes(connection, env.TEMPORAL_NAMESPACE);
  const worker = await createJcoWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    maxCachedWorkflows: env.JCO_MAX_CACHED_WORKFLOWS,
    dataConverter,
    workflowBundle: await cachedWorkflowBundle(),
    deps: {
      partnership,
      delegations: delegationsFromRegister(new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter })),
      mailer: nodemailer.createTransport(mailTransportUrl(smtpUrl)),
      links: createLinkSigner(signingKeysFrom(signingKey, env.LINK_SIGNING_KEYS_PREVIOUS)),
      database,
      publicBaseUrl: env.PUBLIC_BASE_URL,
      mailFrom: env.MAIL_FROM,
    },
  });
  console.log(`worker polling ${env.TEMPORAL_ADDRESS} namespace ${env.TEMPORAL_NAMESPACE} queue ${env.TEMPORAL_TASK_QUEUE}`);
  // The SDK's runtime shuts the worker down gracefully on SIGINT and SIGTERM.
  await worker.run();
  await connection.close();
  await database.close();
}

/**
 * Up to 4 sends at a time (activities/index.ts) share pooled connections instead of paying a
 * new one each, and every wait is bounded, so one stuck send cannot hold the others past an
 * activity's 30 s. Settings already in SMTP_URL win.
 */
function mailTransportUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  const defaults = { pool: 'true', connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '20000' };
  for (const [k, v] of Object.entries(defaults)) if (!url.searchParams.has(k)) url.searchParams.set(k, v);
  return url.toString();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
