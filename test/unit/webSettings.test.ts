import { readEnv } from '../../config';
import { isEmbeddedDefault, webSettingsOf } from '../../config/web';

const env = (over: Record<string, string>) => readEnv({ ...over });

test('the development sign-in exists only on the embedded default: embedded record, this machine, not production', () => {
  expect(webSettingsOf(env({})).developmentSignIn).toBe(true);
  expect(webSettingsOf(env({ PUBLIC_BASE_URL: 'http://127.0.0.1:3100' })).developmentSignIn).toBe(true);
  // Any one of these makes it impossible, whatever else is set.
  expect(isEmbeddedDefault(env({ NODE_ENV: 'production' }))).toBe(false);
  expect(isEmbeddedDefault(env({ DATABASE_URL: 'postgres://jco:pw@db.internal:5432/jco' }))).toBe(false);
  expect(isEmbeddedDefault(env({ PUBLIC_BASE_URL: 'https://jco.cumberland.example' }))).toBe(false);
  expect(isEmbeddedDefault(env({ PUBLIC_BASE_URL: 'http://jco.internal:3000' }))).toBe(false);
});

test('cookies are Secure everywhere but plain http on this machine; single sign-on needs an issuer and a client id', () => {
  expect(webSettingsOf(env({})).secureCookies).toBe(false);
  expect(webSettingsOf(env({ PUBLIC_BASE_URL: 'https://localhost:3000' })).secureCookies).toBe(true);
  expect(webSettingsOf(env({ PUBLIC_BASE_URL: 'http://jco.internal' })).secureCookies).toBe(true);
  expect(webSettingsOf(env({})).oidc).toBeUndefined();
  const sso = { OIDC_ISSUER: 'https://login.example/tenant/v2.0', OIDC_AUDIENCE: 'api://jco', OIDC_JWKS_URL: 'https://login.example/keys', OIDC_CLIENT_ID: 'jco-web' };
  expect(webSettingsOf(env({ ...sso, PUBLIC_BASE_URL: 'https://jco.example' })).oidc).toEqual({
    issuer: sso.OIDC_ISSUER,
    clientId: 'jco-web',
    clientSecret: undefined,
    redirectUri: 'https://jco.example/sign-in/oidc/callback',
    identity: { issuer: sso.OIDC_ISSUER, tenants: undefined, emailFallback: 'off' },
  });
  expect(() => env({ OIDC_CLIENT_ID: 'jco-web' })).toThrow(/OIDC_CLIENT_ID: the web sign-in needs OIDC_ISSUER/);
});

test('PUBLIC_BASE_URL defaults to this machine on the port the API listens on', () => {
  expect(env({}).PUBLIC_BASE_URL).toBe('http://localhost:3000');
  expect(env({ PORT: '3100' }).PUBLIC_BASE_URL).toBe('http://localhost:3100');
  expect(env({ PORT: '3100', PUBLIC_BASE_URL: 'https://jco.example/' }).PUBLIC_BASE_URL).toBe('https://jco.example');
  expect(webSettingsOf(env({ PORT: '3100' })).developmentSignIn).toBe(true);
});
