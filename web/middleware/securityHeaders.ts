import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/**
 * A content security policy for pages: scripts only from here or with this response's nonce (GOV.UK
 * Frontend's template adds one inline line that marks JavaScript as available), forms only to here,
 * never framed. Pages say who decided what, so nothing is cached. The referrer goes to this service
 * only (an emailed link's address carries its token): not `no-referrer`, under which a browser
 * sends `Origin: null` with every form, and the Origin check would refuse them all.
 */
export const pageSecurityHeaders = pageSecurityHeadersSendingFormsTo([]);

/**
 * The same, with forms also allowed to lead to `origins`: signing out of single sign-on posts here
 * and is then sent on to the organisation's provider, and browsers hold a form's redirects to
 * the form-action of the page the form was on.
 */
export function pageSecurityHeadersSendingFormsTo(origins: string[]): (req: Request, res: Response, next: NextFunction) => void {
  const formAction = ["'self'", ...origins].join(' ');
  return (req, res, next) => securityHeaders(formAction, res, next);
}

function securityHeaders(formAction: string, res: Response, next: NextFunction): void {
  const nonce = randomBytes(16).toString('base64');
  res.locals['cspNonce'] = nonce;
  res.set(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'self' 'nonce-${nonce}'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  );
  res.set('Cache-Control', 'no-store');
  res.set('Referrer-Policy', 'same-origin');
  next();
}

/**
 * The API document's page (Swagger UI): the same policy, and images also from data: URIs, which
 * Swagger UI's stylesheet uses for its icons. Its scripts are files from here: no 'unsafe-inline'.
 */
export function apiDocsSecurityHeaders(req: Request, res: Response, next: NextFunction): void {
  pageSecurityHeaders(req, res, () => {
    res.set('Content-Security-Policy', String(res.get('Content-Security-Policy')).replace("img-src 'self'", "img-src 'self' data:"));
    next();
  });
}
