import type { NextFunction, Request, Response } from 'express';
import type { ApiContext } from '../../api/context';
import { openTasksOf } from '../services/yourTasks';

/** The signed-in navigation, with how many tasks wait for the person (the same list as "Your tasks"). */
export function navigation(ctx: ApiContext) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!req.person) return next();
    // Read once a request: "Your tasks" lists the same entries (res.locals.openTasks).
    const inbox = openTasksOf(ctx, req.person);
    res.locals['openTasks'] = inbox;
    const count = await inbox.then((entries) => entries.length).catch(() => undefined);
    res.locals['navigation'] = [{ href: '/tasks', text: count === undefined ? 'Your tasks' : `Your tasks (${count})`, active: req.path.startsWith('/tasks') }, { href: '/disputes', text: 'Disputes', active: req.path.startsWith('/disputes') }];
    next();
  };
}
