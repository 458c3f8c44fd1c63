import type { Configuration } from 'openid-client';
import type { WebSettings } from '../../config/web';

type Oidc = NonNullable<WebSettings['oidc']>;
type Client = typeof import('openid-client');

/**
 * Single sign-on with the authorization code flow and PKCE (openid-client 6, an ES module, loaded
 * when first used). The provider's metadata is discovered once from OIDC_ISSUER; a provider on
 * plain http is accepted only on this machine (a test provider), never elsewhere.
 */
export class OidcSignIn {
  private config?: Promise<Configuration>;
  private client?: Promise<Client>;

  constructor(private readonly settings: Oidc) {}

  private lib(): Promise<Client> {
    this.client ??= import('openid-client');
    return this.client;
  }

  private configuration(): Promise<Configuration> {
    this.config ??= (async () => {
      const lib = await this.lib();
      const issuer = new URL(this.settings.issuer);
      const local = issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
      const auth = this.settings.clientSecret ? lib.ClientSecretPost(this.settings.clientSecret) : lib.None();
      return lib.discovery(issuer, this.settings.clientId, undefined, auth, local ? { execute: [lib.allowInsecureRequests] } : undefined);
    })().catch((err: unknown) => {
      // A provider that was away is asked again next time.
      this.config = undefined;
      throw err;
    });
    return this.config;
  }

  /** Where to send the browser, and what to keep until it returns. */
  async start(): Promise<{ url: string; codeVerifier: string; state: string; nonce: string }> {
    const lib = await this.lib();
    const config = await this.configuration();
    const codeVerifier = lib.randomPKCECodeVerifier();
    const state = lib.randomState();
    const nonce = lib.randomNonce();
    const url = lib.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: 'openid email profile',
      code_challenge: await lib.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, codeVerifier, state, nonce };
  }

  /**
   * Where to send the browser so that the organisation's provider ends its own session too
   * (RP-initiated logout), coming back to `returnTo`; none when the provider offers no such
   * endpoint or cannot be reached (the session here has ended either way).
   */
  async signOutUrl(returnTo: string): Promise<string | undefined> {
    try {
      const lib = await this.lib();
      const config = await this.configuration();
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return lib.buildEndSessionUrl(config, { post_logout_redirect_uri: returnTo }).href;
    } catch {
      return undefined;
    }
  }

  /** The ID token's claims after exchanging the code (state, nonce, PKCE and the token all checked). */
  async finish(currentUrl: URL, kept: { codeVerifier: string; state: string; nonce: string }): Promise<Record<string, unknown>> {
    const lib = await this.lib();
    const config = await this.configuration();
    const tokens = await lib.authorizationCodeGrant(config, currentUrl, { pkceCodeVerifier: kept.codeVerifier, expectedState: kept.state, expectedNonce: kept.nonce, idTokenExpected: true });
    return (tokens.claims() ?? {}) as Record<string, unknown>;
  }
}
