import type { NextFunction, Request, Response } from 'express';
import { problem } from '../../api/problem';

const loopback = (address: string | undefined): boolean => !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

/**
 * The development sign-in signs anyone in as anyone: besides being on only for the embedded
 * default, it answers only connections from this machine (the socket's address, which no
 * X-Forwarded-For header can change).
 */
export function onlyFromThisMachine(req: Request, _res: Response, next: NextFunction): void {
  if (loopback(req.socket.remoteAddress)) return next();
  next(problem(404, `Nothing is at ${req.method} ${req.path}.`));
}
