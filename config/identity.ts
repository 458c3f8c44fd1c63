import type { Env } from './env';

/**
 * How single sign-on recognises a person, decided once from the environment and used alike by the
 * API (bearer tokens) and the staff web service (ID tokens): api/oidc.ts personFromClaims.
 */
export interface IdentityRules {
  /** OIDC_ISSUER: one issuer, or Entra ID's multi-tenant `common`/`organizations` endpoint. */
  issuer: string;
  /** OIDC_TENANTS: the Entra ID tenants whose people may sign in (lower case); unset, any of the one issuer's. */
  tenants?: readonly string[] | undefined;
  /** OIDC_EMAIL_FALLBACK: whether a verified email may name a person who has no identity recorded. */
  emailFallback: 'off' | 'verified';
}

/** Entra ID's multi-tenant endpoints: the token's issuer names the signer's own tenant instead. */
const multiTenantSegment = /\/(?:common|organizations|\{tenantid\})\//i;

export const isMultiTenantIssuer = (issuer: string): boolean => multiTenantSegment.test(`${new URL(issuer).pathname}/`);

/** The issuer a tenant's tokens carry under a multi-tenant endpoint (…/{tenant id}/v2.0), or the one issuer. */
export function issuerFor(rules: Pick<IdentityRules, 'issuer'>, tenant: string | undefined): string | undefined {
  if (!isMultiTenantIssuer(rules.issuer)) return rules.issuer;
  return tenant ? rules.issuer.replace(multiTenantSegment, `/${tenant}/`) : undefined;
}

export function identityRulesOf(issuer: string, env: Pick<Env, 'OIDC_TENANTS' | 'OIDC_EMAIL_FALLBACK'>): IdentityRules {
  return { issuer, tenants: env.OIDC_TENANTS, emailFallback: env.OIDC_EMAIL_FALLBACK };
}
