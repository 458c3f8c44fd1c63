import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/**
 * A tiny OpenID Connect provider for the browser tests: discovery, an authorization endpoint that
 * signs in whoever `person()` names at once, a token endpoint that checks the PKCE verifier, its
 * JWKS, and an end-session endpoint (RP-initiated logout) that records who signed out there and
 * sends the browser back where the service asked. Enough to run the web service's real code flow
 * without an outside provider.
 */
/** Whom the provider signs in: their subject and any other claims (email, email_verified, Entra ID's tid and oid). */
export type SignedInAtProvider = { sub: string } & Record<string, unknown>;

export async function startOidcProvider(opts: { clientId: string; person: () => SignedInAtProvider }) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; nonce: string; redirectUri: string; who: SignedInAtProvider }>();
  let issuer = '';
  /** Each sign-out the provider was asked for: the client, and where it sent the browser back. */
  const signOuts: { clientId: string | null; postLogoutRedirectUri: string | null }[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none', 'client_secret_post'],
        end_session_endpoint: `${issuer}/logout`,
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/logout') {
      const back = url.searchParams.get('post_logout_redirect_uri');
      signOuts.push({ clientId: url.searchParams.get('client_id'), postLogoutRedirectUri: back });
      return back ? res.writeHead(302, { location: back }).end() : res.writeHead(200, { 'content-type': 'text/plain' }).end('Signed out');
    }
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== opts.clientId || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) return json(400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('hex');
      codes.set(code, { challenge: q.get('code_challenge')!, nonce: q.get('nonce') ?? '', redirectUri: q.get('redirect_uri')!, who: opts.person() });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      return res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (!grant || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge || form.get('redirect_uri') !== grant.redirectUri) return json(400, { error: 'invalid_grant' });
        const { sub, ...claims } = grant.who;
        void new SignJWT({ ...claims, nonce: grant.nonce })
          .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
          .setIssuer(issuer)
          .setAudience(opts.clientId)
          .setSubject(sub)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey)
          .then((idToken) => json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken }));
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, signOuts, close: () => new Promise<void>((r) => server.close(() => r())) };
}
