import type { Env } from './env';
import { engineOf } from '../db/engine';
import { identityRulesOf, type IdentityRules } from './identity';

/** How the staff web service signs people in, decided once from the environment. */
export interface WebSettings {
  /** The list of the partnership's people to sign in as: the embedded default only. */
  developmentSignIn: boolean;
  /** Cookies need HTTPS (`Secure`) everywhere but plain http on this machine. */
  secureCookies: boolean;
  /** Single sign-on, when OIDC_ISSUER and OIDC_CLIENT_ID are set. */
  oidc?: { issuer: string; clientId: string; clientSecret?: string | undefined; redirectUri: string; identity: IdentityRules } | undefined;
}

const loopback = (host: string): boolean => host === 'localhost' || host === '127.0.0.1' || host === '[::1]';

/**
 * A local run: links pointing at this machine, not the production image (NODE_ENV=production).
 * Only there may the demonstration partnership and its published keys serve (config/safety.ts):
 * `npm start`, the tests and the benchmarks, on either database engine.
 */
export function isLocalRun(env: Pick<Env, 'PUBLIC_BASE_URL' | 'NODE_ENV'>): boolean {
  return env.NODE_ENV !== 'production' && loopback(new URL(env.PUBLIC_BASE_URL).hostname);
}

/**
 * The embedded default is what `npm start` and the tests run: a local run with the record in the
 * embedded SQLite file. Only there can anyone sign in without a password, and nothing in the
 * environment can switch it on elsewhere.
 */
export function isEmbeddedDefault(env: Pick<Env, 'DATABASE_URL' | 'PUBLIC_BASE_URL' | 'NODE_ENV'>): boolean {
  return engineOf(env.DATABASE_URL) === 'sqlite' && isLocalRun(env);
}

export function webSettingsOf(env: Env): WebSettings {
  const base = new URL(env.PUBLIC_BASE_URL);
  return {
    developmentSignIn: isEmbeddedDefault(env),
    secureCookies: !(base.protocol === 'http:' && loopback(base.hostname)),
    oidc:
      env.OIDC_ISSUER && env.OIDC_CLIENT_ID
        ? {
            issuer: env.OIDC_ISSUER,
            clientId: env.OIDC_CLIENT_ID,
            clientSecret: env.OIDC_CLIENT_SECRET,
            redirectUri: `${env.PUBLIC_BASE_URL}/sign-in/oidc/callback`,
            identity: identityRulesOf(env.OIDC_ISSUER, env),
          }
        : undefined,
  };
}
