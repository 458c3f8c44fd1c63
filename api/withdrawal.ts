import { setTimeout as sleep } from 'node:timers/promises';
import type { Request, Response } from 'express';
import { withdrawalBody, withdrawalRule, WITHDRAWAL_REASON_MAX, type WithdrawableType } from '../domain/withdrawal';
import type { Task } from '../domain/task';
import { withdraw } from '../workflows/withdrawal';
import { caller } from './auth';
import type { ApiContext } from './context';
import { authorize, type Action, type Scope } from './permissions';
import { invalid, problem } from './problem';
import { TEMPORAL_BUDGET_MS, viaTemporal } from './subjects';

/** What the withdrawal route needs to know of one kind of subject. */
export interface Withdrawable<V extends { tasks: Task[] }> {
  type: WithdrawableType;
  read(id: string): Promise<V>;
  /** Who may read it (others: 404, as for reading it): one rule, or the rule its view names. */
  readAction: Action | ((view: V) => Action);
  readScope(view: V): Scope;
  /** The creator/raiser/referrer, and the partners the withdrawal rule names. */
  withdrawalScope(view: V): { owner: string; partners: string[] };
  /** Its stage or status, and whether that is still open. */
  status(view: V): string;
  open(view: V): boolean;
  workflowId(id: string): string;
}

/**
 * `POST /api/v1/{commissions|disputes|referrals}/{id}/withdrawal` with `{ reason }`: the reason
 * is checked first (422 naming the rule), then who may read (404) and who may withdraw (403
 * naming the rule), then that it is still open (409); the workflow's validator checks the same
 * rules again against its own state, and its refusals map to the same statuses.
 */
export function withdrawalHandler<V extends { tasks: Task[] }>(ctx: ApiContext, w: Withdrawable<V>) {
  return async (req: Request<{ id: string }>, res: Response): Promise<void> => {
    const person = caller(req);
    const parsed = withdrawalBody().safeParse(req.body);
    if (!parsed.success) {
      const body = req.body as unknown;
      // No reason at all, or not as text, is malformed input (400, as since the first release);
      // a reason that is blank or too long is refused by the rule (422).
      const wellFormed =
        typeof body === 'object' && body !== null && typeof (body as { reason?: unknown }).reason === 'string' && parsed.error.issues.every((i) => i.path[0] === 'reason');
      if (!wellFormed) throw invalid(parsed.error, 'withdrawal');
      throw problem(
        422,
        `Withdrawal rule: a withdrawal gives its reason, 3 to ${WITHDRAWAL_REASON_MAX} characters.`,
        parsed.error.issues.map((i) => ({ path: 'reason', message: i.message })),
      );
    }
    const view = await w.read(req.params.id);
    authorize(person, typeof w.readAction === 'function' ? w.readAction(view) : w.readAction, w.readScope(view), `There is no ${w.type} ${req.params.id}.`);
    const scope = w.withdrawalScope(view);
    authorize(person, `${w.type}.withdraw` as Action, { owner: scope.owner, withdrawalPartners: scope.partners }, '');
    if (!w.open(view)) throw problem(409, `This ${w.type} is already ${w.status(view)}; only an open ${w.type} can be withdrawn.`);
    await viaTemporal(
      ctx,
      `The ${w.type} ${req.params.id}`,
      () =>
        ctx.client.workflow
          .getHandle(w.workflowId(req.params.id))
          .executeUpdate(withdraw, { args: [{ by: person.id, byPartner: person.partner, byRoles: person.roles, reason: parsed.data.reason }] }),
      TEMPORAL_BUDGET_MS.update,
    );
    // The workflow writes the withdrawal to the record at once: show it when it is there.
    let shown = view;
    for (let wait = 5, until = Date.now() + 5000; Date.now() < until; wait = Math.min(wait * 2, 200)) {
      shown = await w.read(req.params.id).catch(() => shown);
      if (!w.open(shown)) break;
      await sleep(wait);
    }
    res.json(shown);
  };
}

/** For the OpenAPI description. */
export const withdrawalSummary = (type: WithdrawableType): string => `Withdraw a ${type}, with a reason: by ${withdrawalRule[type]}`;
