import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createLinkSigner, signingKeysFrom } from '../activities/links';
import { ConfigError, loadConfigOrExit, requireSetting } from '../config';
import { reloadPeople } from '../config/reload';
import { webSettingsOf } from '../config/web';
import { identityRulesOf } from '../config/identity';
import { createApp } from './app';
import { openSystemOfRecord } from '../db/startup';
import { purgeEndedSessions } from '../db/sessions';
import { connectWithRetry } from '../scripts/lib/retry';
import { logger } from './observability';
import { oidcVerifier } from './oidc';
import { TemporalHealth } from './temporalHealth';
import { dataConverterOf, temporalConnectionSettings } from '../config/temporal';

/** The production API process, configured only by the environment. */
async function main(): Promise<void> {
  const { env, partnership, policyVersion, policyText } = loadConfigOrExit(process.env, { serving: 'api' });
  let signingKey: string, dataConverter: ReturnType<typeof dataConverterOf>, temporalSettings: ReturnType<typeof temporalConnectionSettings>;
  try {
    signingKey = requireSetting(env, 'LINK_SIGNING_KEY', 'emailed links are verified with it');
    dataConverter = dataConverterOf(env);
    temporalSettings = temporalConnectionSettings(env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  if (env.TRUST_PROXY === true)
    logger.warn('TRUST_PROXY=true believes the first address in X-Forwarded-For, which a caller can write: safe only behind a proxy that replaces the header; otherwise give the hop count or the proxies\' addresses');
  // Lazy: the API serves /healthz (and 503s) while Temporal is still starting or away.
  const connection = Connection.lazy(temporalSettings);
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter });
  // Everything people read comes from the system of record; the API waits for it at start-up
  // (its migrations run here or in the worker, whichever comes first).
  const database = await connectWithRetry('the system of record', () => openSystemOfRecord(env, { version: policyVersion, text: policyText }));
  logger.info({ database: database.where }, 'system of record open');
  // Ended web sessions decide nothing: cleared hourly (each API process; the delete is idempotent).
  const purge = setInterval(() => void purgeEndedSessions(database.db).catch(() => undefined), 3600_000);
  purge.unref();
  const health = new TemporalHealth(connection);
  health.start();
  const app = createApp({
    database,
    health,
    client,
    connection,
    partnership,
    policyVersion,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    links: createLinkSigner(signingKeysFrom(signingKey, env.LINK_SIGNING_KEYS_PREVIOUS)),
    linkGraceMs: env.LINK_GRACE_DAYS * 86_400_000,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    rateLimitUnauthenticatedPerMinute: env.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
    workerMetricsUrl: env.WORKER_METRICS_URL,
    trustProxy: env.TRUST_PROXY,
    apiKeys: env.AUTH_API_KEYS,
    oidc:
      env.OIDC_ISSUER && env.OIDC_AUDIENCE && env.OIDC_JWKS_URL
        ? oidcVerifier({ ...identityRulesOf(env.OIDC_ISSUER, env), audience: env.OIDC_AUDIENCE, jwksUrl: env.OIDC_JWKS_URL }, partnership)
        : undefined,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    web: webSettingsOf(env),
    devMailDir: env.JCO_DEV_MAIL_DIR ? path.resolve(env.JCO_DEV_MAIL_DIR) : undefined,
    payloadCodec: dataConverter?.payloadCodecs?.[0],
    temporalUiOrigin: env.TEMPORAL_UI_ORIGIN,
  });
  const server = app.listen(env.PORT, () => logger.info({ port: env.PORT }, `api listening on http://localhost:${env.PORT}`));
  const stop = (): void => {
    health.stop();
    server.close(() => void Promise.allSettled([connection.close(), database.close()]).finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  // `kill -HUP <pid>`: people and keys from the partnership file, without a restart (config/reload.ts).
  process.on('SIGHUP', () => {
    try {
      const change = reloadPeople(partnership, env);
      logger.info(change, 'partnership file re-read: its people and API keys are in force');
    } catch (err) {
      logger.error({ problems: err instanceof ConfigError ? err.problems : [{ path: '', message: (err as Error).message }] }, 'partnership file refused on SIGHUP; the people and keys already in force stay');
    }
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
