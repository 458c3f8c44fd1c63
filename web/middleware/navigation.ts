import type { NextFunction, Request, Response } from 'express';
import type { ApiContext } from '../../api/context';
import { openTaskCount } from '../services/yourTasks';

/** The signed-in navigation, with how many tasks wait for the person (the same list as "Your tasks"). */
export function navigation(ctx: ApiContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!req.person) return next();
    const count = await openTaskCount(ctx, req.person).catch(() => undefined);
    res.locals['navigation'] = [{ href: '/tasks', text: count === undefined ? 'Your tasks' : `Your tasks (${count})`, active: req.path.startsWith('/tasks') }];
    next();
  };
}
