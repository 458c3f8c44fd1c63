import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createLinkSigner, signingKeysFrom } from '../activities/links';
import { loadConfigOrExit, requireSetting } from '../config';
import { createApp } from './app';
import { oidcVerifier } from './oidc';
import { RecentSet } from './recentSet';

/** The production API process, configured only by the environment. */
function main(): void {
  const { env, partnership, policyVersion } = loadConfigOrExit();
  let signingKey: string;
  try {
    signingKey = requireSetting(env, 'LINK_SIGNING_KEY', 'emailed links are verified with it');
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  // Lazy: the API serves /healthz (and 503s) while Temporal is still starting or away.
  const connection = Connection.lazy({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  const app = createApp({
    client,
    connection,
    partnership,
    policyVersion,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    links: createLinkSigner(signingKeysFrom(signingKey, env.LINK_SIGNING_KEYS_PREVIOUS)),
    linkGraceMs: env.LINK_GRACE_DAYS * 86_400_000,
    recentDecisions: new RecentSet(),
    oidc:
      env.OIDC_ISSUER && env.OIDC_AUDIENCE && env.OIDC_JWKS_URL
        ? oidcVerifier({ issuer: env.OIDC_ISSUER, audience: env.OIDC_AUDIENCE, jwksUrl: env.OIDC_JWKS_URL, personClaim: env.OIDC_PERSON_CLAIM }, partnership)
        : undefined,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    devMailDir: env.JCO_DEV_MAIL_DIR ? path.resolve(env.JCO_DEV_MAIL_DIR) : undefined,
  });
  const server = app.listen(env.PORT, () => console.log(`api listening on http://localhost:${env.PORT}`));
  const stop = (): void => {
    server.close(() => void connection.close().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main();
