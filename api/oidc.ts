import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { isMultiTenantIssuer, issuerFor, type IdentityRules } from '../config/identity';
import type { Partnership, Person, SignInIdentity } from '../domain/partnership';

export interface OidcSettings extends IdentityRules {
  audience: string;
  jwksUrl: string;
}

export type OidcResult = { ok: true; person: Person } | { ok: false; reason: string };

const untrustedIssuer = 'The sign-in token comes from an issuer this service does not trust.';

/**
 * Verifies OpenID Connect bearer tokens (signature against the issuer's JWKS, issuer, audience,
 * expiry) and maps them to a person of the partnership as the web sign-in does.
 */
export function oidcVerifier(settings: OidcSettings, partnership: Partnership, keys?: JWTVerifyGetKey) {
  const jwks = keys ?? createRemoteJWKSet(new URL(settings.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
  // Under a multi-tenant endpoint each tenant signs as itself: personFromClaims checks the issuer against the token's tenant.
  const issuer = isMultiTenantIssuer(settings.issuer) ? undefined : settings.issuer;
  return async (token: string): Promise<OidcResult> => {
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, jwks, { ...(issuer ? { issuer } : {}), audience: settings.audience, clockTolerance: 30 }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) return { ok: false, reason: 'The sign-in token has expired; sign in again.' };
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') return { ok: false, reason: 'The sign-in token was not issued for this service.' };
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'iss') return { ok: false, reason: untrustedIssuer };
      return { ok: false, reason: 'The sign-in token could not be verified.' };
    }
    return personFromClaims(claims, settings, partnership);
  };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Whether a verified token's claims are this recorded identity: Entra ID's tenant and object id, or issuer and subject. */
function isIdentity(i: SignInIdentity, c: { iss?: string | undefined; sub?: string | undefined; tid?: string | undefined; oid?: string | undefined }): boolean {
  if ('entraObjectId' in i) return c.tid !== undefined && c.oid !== undefined && i.entraTenantId === c.tid && i.entraObjectId === c.oid;
  return c.iss !== undefined && c.sub !== undefined && i.issuer === c.iss && i.subject === c.sub;
}

/**
 * The person a verified bearer token or ID token names (API callers and the web sign-in alike).
 * First the issuer: the configured one, or under a multi-tenant endpoint the token's own tenant's,
 * that tenant allow-listed (OIDC_TENANTS). Then the identity the partnership file records for the
 * person: Entra ID's tenant and object id, or issuer and subject, which their organisation does not
 * reassign. An email names someone only as a fallback the configuration allows, only when the
 * provider says it is verified, and never someone whose identity is recorded.
 */
export function personFromClaims(claims: Record<string, unknown>, rules: IdentityRules, partnership: Partnership): OidcResult {
  const c = { iss: text(claims['iss']), sub: text(claims['sub']), tid: text(claims['tid'])?.toLowerCase(), oid: text(claims['oid'])?.toLowerCase() };
  if (!c.iss || c.iss !== issuerFor(rules, c.tid)) return { ok: false, reason: untrustedIssuer };
  if (rules.tenants && !(c.tid && rules.tenants.includes(c.tid))) {
    return { ok: false, reason: "Your organisation's directory is not one this partnership accepts sign-ins from (OIDC_TENANTS); ask your partnership administrator." };
  }
  const recorded = partnership.people.find((p) => p.identities?.some((i) => isIdentity(i, c)));
  if (recorded) return { ok: true, person: recorded };
  const notKnown = 'You are signed in, but not as a person of this partnership; ask your partnership administrator to add you.';
  const email = text(claims['email']);
  if (rules.emailFallback !== 'verified' || !email) return { ok: false, reason: notKnown };
  // Only the boolean true: "true" or a missing claim is not the provider vouching for the address.
  if (claims['email_verified'] !== true) {
    return { ok: false, reason: `${notKnown} Your organisation did not confirm your email address as verified, so it cannot be used to recognise you.` };
  }
  const byEmail = partnership.people.find((p) => !p.identities?.length && p.email.toLowerCase() === email.toLowerCase());
  return byEmail ? { ok: true, person: byEmail } : { ok: false, reason: notKnown };
}
