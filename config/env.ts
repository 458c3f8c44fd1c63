import { z } from 'zod';
import { issuePath } from './partnership';
import { isMultiTenantIssuer } from './identity';
import { trustProxySetting } from './trustProxy';

/** The project's own task queue, so it can share a namespace with other applications. */
export const DEFAULT_TASK_QUEUE = 'joint-commissioning';

const envSchema = z.object({
  JCO_CONFIG: z.string().min(1).optional(),
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be smtp://user:pass@host:port or smtps://…' }).optional(),
  MAIL_FROM: z.string().min(3).default('Joint Commissioning <no-reply@jco.localhost>'),
  /** Unset: this machine on the port the API listens on (PORT), so links and sign-in come back to it. */
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .transform((u) => u?.replace(/\/+$/, '')),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LINK_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Keys rotated out, comma-separated: links signed with them still work until they expire. */
  LINK_SIGNING_KEYS_PREVIOUS: z.string().optional(),
  /** Days after a link expires that its page still says who decided (409) rather than "expired" (410). */
  LINK_GRACE_DAYS: z.coerce.number().int().min(0).default(30),
  /** OpenID Connect single sign-on beside API keys (e.g. Microsoft Entra ID): all three or none. */
  OIDC_ISSUER: z.url().optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_JWKS_URL: z.url().optional(),
  /**
   * Identity (issue 17): people are recognised by the identities the partnership file records for
   * them (issuer and subject, or Entra ID tenant and object id), which their organisation cannot
   * reassign; never by an email claim alone, which Entra ID lets a tenant's administrators set.
   * A multi-tenant issuer (Entra ID's `common` or `organizations`) needs the tenants allowed
   * (councils' and NHSmail's), comma-separated; any other tenant's token is refused.
   */
  OIDC_TENANTS: z
    .string()
    .transform((s) => s.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'each must be a tenant id (a GUID, the "Directory (tenant) ID")')).min(1))
    .optional(),
  /** `verified`: a person with no identity recorded may be recognised by an email their provider says is verified. */
  OIDC_EMAIL_FALLBACK: z.enum(['off', 'verified']).default('off'),
  /** Replaced by the identities in the partnership file: refused rather than silently ignored. */
  OIDC_PERSON_CLAIM: z
    .never({ error: 'is no longer used: people are recognised by the identities recorded for them in the partnership file (identities: [{ entraTenantId, entraObjectId }] or [{ issuer, subject }]); OIDC_EMAIL_FALLBACK=verified also allows a verified email' })
    .optional(),
  /** `off`: API keys are refused altogether, so only the organisation's sign-in reaches the API. */
  AUTH_API_KEYS: z.enum(['on', 'off']).default('on'),
  /** The staff web service's single sign-on (authorization code with PKCE) against OIDC_ISSUER: its client id. */
  OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
  /** The client's secret, for a confidential client (Entra ID web apps); a public client uses PKCE alone. */
  OIDC_CLIENT_SECRET: z.string().min(1).max(500).optional(),
  /** `production` in the container image: the development sign-in is then impossible. */
  NODE_ENV: z.string().optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /**
   * Requests a minute from one address that no person is signed in to (emailed links, sign-in
   * pages, API calls without a valid key): unset, RATE_LIMIT_PER_MINUTE. Shared by all API
   * instances through the record database, so a second instance does not double the allowance.
   */
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: z.coerce.number().int().min(1).optional(),
  /**
   * Which proxies in front may say who the client is (X-Forwarded-For): `true` (every hop: only
   * behind a proxy that replaces the header), a hop count, or their addresses and CIDR ranges,
   * comma-separated (`loopback`, `linklocal`, `uniquelocal` name the private ranges). Without it
   * the per-address limits see the proxy's address, not the caller's.
   */
  TRUST_PROXY: trustProxySetting().optional(),
  /** Where the worker serves the Temporal SDK's Prometheus metrics, e.g. 127.0.0.1:9464. */
  WORKER_METRICS_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, 'host:port').optional(),
  /** The worker's metrics URL: the API's /metrics appends them, so one scrape sees both. */
  WORKER_METRICS_URL: z.url().optional(),
  /** Where local data is kept: the embedded system of record (`record.db`) unless DATABASE_URL says otherwise. */
  JCO_DATA_DIR: z.string().min(1).default('var'),
  /** The system of record: `postgres://user:pass@host/db` in production; unset, the embedded SQLite file. */
  DATABASE_URL: z
    .string()
    .min(1)
    .refine((u) => !/^postgres/.test(u) || /^postgres(ql)?:\/\/[^/]+\/\w/.test(u), 'must be postgres://user:pass@host:port/database')
    .optional(),
  /** Set by `npm start`: serve the local dev mailbox at /dev/mail from this folder. */
  JCO_DEV_MAIL_DIR: z.string().min(1).optional(),
  /**
   * Temporal over TLS (config/temporal.ts): the CA to trust and, for mutual TLS, this process's
   * certificate and key, each a PEM file's path; the server name when it differs from the address.
   * TEMPORAL_TLS=true asks for TLS with the system's CAs (Temporal Cloud with an API key).
   */
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_CA: z.string().min(1).max(4096).optional(),
  TEMPORAL_TLS_CERT: z.string().min(1).max(4096).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).max(4096).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).max(253).optional(),
  /** A Temporal Cloud API key (sent as a bearer token; implies TLS). */
  TEMPORAL_API_KEY: z.string().min(1).max(4096).optional(),
  /** Payload encryption keys, `id:base64` (32 bytes) comma-separated, newest first (codec/payloadEncryption.ts). */
  JCO_PAYLOAD_KEYS: z.string().min(1).max(10_000).optional(),
  /** The operators' Temporal UI (e.g. https://temporal.example.org): allowed to call /api/v1/codec from the browser. */
  TEMPORAL_UI_ORIGIN: z.url({ protocol: /^https?$/ }).optional().transform((u) => u?.replace(/\/+$/, '')),
  /** `accept` while histories written before encryption are still open: their plain payloads then decode. */
  JCO_PAYLOAD_PLAINTEXT: z.enum(['accept', 'refuse']).default('refuse'),
  /** Workflows the worker keeps in memory; the rest replay from history when needed. */
  JCO_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1000),
});

/** The environment as read: PUBLIC_BASE_URL always set (its default depends on PORT). */
export type Env = Omit<z.infer<typeof envSchema>, 'PUBLIC_BASE_URL'> & { PUBLIC_BASE_URL: string };

const oidcVariables = ['OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URL'] as const;

/** Reads the environment once; every problem is reported with the variable's name. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema
    .refine((e) => oidcVariables.every((k) => e[k] === undefined) || oidcVariables.every((k) => e[k] !== undefined), {
      path: ['OIDC_ISSUER'],
      message: 'set OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL together, or none of them',
    })
    .refine((e) => !e.OIDC_CLIENT_ID || e.OIDC_ISSUER, { path: ['OIDC_CLIENT_ID'], message: 'the web sign-in needs OIDC_ISSUER (and OIDC_AUDIENCE, OIDC_JWKS_URL) too' })
    .refine((e) => !e.TEMPORAL_TLS_CERT === !e.TEMPORAL_TLS_KEY, { path: ['TEMPORAL_TLS_CERT'], message: 'mutual TLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY' })
    .refine((e) => !e.OIDC_ISSUER || !isMultiTenantIssuer(e.OIDC_ISSUER) || e.OIDC_TENANTS, {
      path: ['OIDC_TENANTS'],
      message: 'a multi-tenant issuer (Entra ID common or organizations) needs the tenant ids allowed to sign in, comma-separated',
    })
    .refine((e) => e.AUTH_API_KEYS === 'on' || e.OIDC_ISSUER, { path: ['AUTH_API_KEYS'], message: 'off needs single sign-on (OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL), or nobody could call the API' })
    .safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${issuePath(i.path)}: ${i.message}`);
    throw new Error(`The environment is not valid:\n${lines.join('\n')}`);
  }
  return { ...result.data, PUBLIC_BASE_URL: result.data.PUBLIC_BASE_URL ?? `http://localhost:${result.data.PORT}` };
}

/** Environment for a production process: the link signing key and, for the worker, SMTP are required. */
export function requireSetting<K extends keyof Env>(env: Env, key: K, why: string): NonNullable<Env[K]> {
  const value = env[key];
  if (value === undefined || value === null) throw new Error(`${String(key)} is required: ${why}`);
  return value as NonNullable<Env[K]>;
}
