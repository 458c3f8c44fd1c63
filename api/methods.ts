import type { NextFunction, Request, Response } from 'express';
import { problem } from './problem';

/**
 * A method a documented path does not have answers 405 with Allow (RFC 9110 §15.5.6), not the
 * 404 of a path that is not there: the OpenAPI document is the one list of what each path answers.
 * Mounted after every router, so only what no route served reaches it.
 */
export function methodNotAllowed(paths: Record<string, object>) {
  const escape = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  const templates = Object.entries(paths).map(([p, ops]) => ({
    pattern: new RegExp(`^${escape(p).replace(/\\?\{[^/}]+\\?\}/g, '[^/]+')}/?$`),
    methods: Object.keys(ops).map((m) => m.toUpperCase()),
  }));
  return (req: Request, _res: Response, next: NextFunction): void => {
    const allowed = new Set(templates.filter((t) => t.pattern.test(req.path)).flatMap((t) => t.methods));
    if (allowed.size === 0 || allowed.has(req.method) || req.method === 'OPTIONS') return next();
    if (allowed.has('GET')) allowed.add('HEAD');
    if (allowed.has(req.method)) return next();
    const allow = [...allowed].join(', ');
    next(problem(405, `${req.path} answers ${allow} only, not ${req.method}.`, undefined, { Allow: allow }));
  };
}
