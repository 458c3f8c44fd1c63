import type { Client, Connection } from '@temporalio/client';
import type { LinkSigner } from '../activities/links';
import type { Partnership } from '../domain/partnership';
import type { OidcResult } from './oidc';
import type { RecentSet } from './recentSet';

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
  /**
   * Decisions this process made lately ("task person"): visibility catches up within moments,
   * and until it does the inbox must not show a task the caller has just decided.
   */
  recentDecisions: RecentSet;
  /** Verifies OpenID Connect bearer tokens, when single sign-on is configured. */
  oidc?: ((token: string) => Promise<OidcResult>) | undefined;
  /** Serve the local dev mailbox from here (the embedded default only). */
  devMailDir?: string | undefined;
}
