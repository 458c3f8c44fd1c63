import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Partnership, Person } from '../domain/partnership';

export interface OidcSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  personClaim: 'email' | 'preferred_username' | 'sub';
}

export type OidcResult = { ok: true; person: Person } | { ok: false; reason: string };

/**
 * Verifies OpenID Connect bearer tokens (signature against the issuer's JWKS, issuer, audience,
 * expiry) and maps them to a person of the partnership by email or subject claim.
 */
export function oidcVerifier(settings: OidcSettings, partnership: Partnership, keys?: JWTVerifyGetKey) {
  const jwks = keys ?? createRemoteJWKSet(new URL(settings.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
  return async (token: string): Promise<OidcResult> => {
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, jwks, { issuer: settings.issuer, audience: settings.audience, clockTolerance: 30 }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) return { ok: false, reason: 'The sign-in token has expired; sign in again.' };
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') return { ok: false, reason: 'The sign-in token was not issued for this service.' };
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'iss') return { ok: false, reason: 'The sign-in token comes from an issuer this service does not trust.' };
      return { ok: false, reason: 'The sign-in token could not be verified.' };
    }
    return personFromClaims(claims, settings.personClaim, partnership);
  };
}

/**
 * The person a verified token or ID token names: by email (or preferred_username) against their
 * email, or by subject against their `oidcSubject`. API callers and web sign-in match the same way.
 */
export function personFromClaims(claims: Record<string, unknown>, personClaim: OidcSettings['personClaim'], partnership: Partnership): OidcResult {
  const value = claims[personClaim];
  if (typeof value !== 'string') return { ok: false, reason: `The sign-in token has no ${personClaim} claim.` };
  const person =
    personClaim === 'sub'
      ? partnership.people.find((p) => p.oidcSubject === value)
      : partnership.people.find((p) => p.email.toLowerCase() === value.toLowerCase());
  return person ? { ok: true, person } : { ok: false, reason: 'You are signed in, but not as a person of this partnership; ask your partnership administrator to add you.' };
}
