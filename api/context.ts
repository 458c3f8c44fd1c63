import type { PayloadCodec } from '@temporalio/common';
import type { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { LinkSigner } from '../activities/links';
import type { Partnership } from '../domain/partnership';
import type { OidcResult } from './oidc';
import type { Database } from '../db';
import type { TemporalHealth } from './temporalHealth';
import type { WebSettings } from '../config/web';
import type { TrustProxy } from '../config/trustProxy';

/** What every route needs, built once by api/main.ts (or a test). */
export interface ApiContext {
  client: Client;
  connection: Connection;
  partnership: Partnership;
  policyVersion: string;
  namespace: string;
  taskQueue: string;
  links: LinkSigner;
  /** After a link expires, how long its page still says who decided (409) instead of 410. */
  linkGraceMs: number;
  publicBaseUrl: string;
  /** Background check of the Temporal server, so requests fail fast while it is away. */
  health?: TemporalHealth | undefined;
  /** The system of record: every read of subjects, tasks, the inbox and the decision record. */
  database: Database;
  /** Verifies OpenID Connect bearer tokens, when single sign-on is configured. */
  oidc?: ((token: string) => Promise<OidcResult>) | undefined;
  /** AUTH_API_KEYS: `off` refuses every API key (unset: on). */
  apiKeys?: 'on' | 'off' | undefined;
  logger?: Logger | undefined;
  /** Requests a person (or, for emailed links, an address) may make a minute. */
  rateLimitPerMinute: number;
  /** Requests an address may make a minute with nobody signed in; unset, `rateLimitPerMinute`. */
  rateLimitUnauthenticatedPerMinute?: number | undefined;
  /** Express's trust proxy setting, when a load balancer sets X-Forwarded-For. */
  trustProxy?: TrustProxy | undefined;
  /** The worker's Prometheus endpoint, appended to /metrics. */
  workerMetricsUrl?: string | undefined;
  /** The staff web service's sign-in and cookies (config/web.ts); without it, single sign-on is off and so is the development sign-in. */
  web?: WebSettings | undefined;
  /** Encrypts Temporal payloads (config/temporal.ts); the codec endpoint decodes with it for the Temporal UI. */
  payloadCodec?: PayloadCodec | undefined;
  /** The Temporal UI's origin, allowed to call the codec endpoint from the browser. */
  temporalUiOrigin?: string | undefined;
  /** Serve the local dev mailbox from here (the embedded default only). */
  devMailDir?: string | undefined;
}
