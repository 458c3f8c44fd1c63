import type { Request, Response } from 'express';

/**
 * The session cookie. Over HTTPS it is `__Host-` prefixed (Secure, this host only, path /); on plain
 * http://localhost a browser refuses Secure cookies, so there it has a plain name.
 */
export const sessionCookieName = (secure: boolean): string => (secure ? '__Host-jco-session' : 'jco-session');

/** One cookie's value from the request's Cookie header (no parser dependency for one cookie). */
export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** HttpOnly (no script reads it), SameSite=Lax (other sites' forms do not carry it), Secure off localhost. */
export function setSessionCookie(res: Response, secure: boolean, id: string): void {
  res.cookie(sessionCookieName(secure), id, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.clearCookie(sessionCookieName(secure), { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}
