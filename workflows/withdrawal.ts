import { ApplicationFailure, CancellationScope, defineUpdate, isCancellation, patched, setHandler } from '@temporalio/workflow';
import type { HistoryEntry } from '../domain/commission';
import { refusal } from '../domain/task';
import {
  mayWithdraw,
  notAllowedToWithdraw,
  withdrawalRequestSchema,
  type WithdrawableType,
  type Withdrawal,
  type WithdrawalRequest,
  type WithdrawalScope,
} from '../domain/withdrawal';
import type { TaskContext } from './humanTask';

/**
 * The one Update that ends a commission, a dispute or a referral early, with a reason. The API
 * imports this handle, so the name cannot drift; a dispute also answers `withdrawDispute`, the
 * name its raiser's withdrawals were recorded under before.
 */
export const withdraw = defineUpdate<Withdrawal, [WithdrawalRequest]>('withdraw');

/** Every command a withdrawal adds (emails, cancelled timers and children) is behind this patch. */
export const WITHDRAWAL_PATCH = 'subject-withdrawal';

function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * The validator: a well-formed reason, a person the subject's rule names, a subject still open.
 * Refusal types are those the API maps already (422, 403, 409).
 */
export function validateWithdrawal(type: WithdrawableType, raw: WithdrawalRequest, scope: WithdrawalScope, open: boolean): void {
  const parsed = withdrawalRequestSchema().safeParse(raw);
  if (!parsed.success) {
    const onReason = parsed.error.issues.find((i) => i.path[0] === 'reason');
    if (onReason) refuse(refusal.reasonRequired, `Withdrawal rule: ${onReason.message}.`);
    refuse(refusal.invalidRequest, `The withdrawal is not well formed: ${parsed.error.issues[0]?.message}`);
  }
  const req = parsed.data;
  if (!mayWithdraw(type, { id: req.by, partner: req.byPartner, roles: req.byRoles }, scope)) refuse(refusal.noAuthority, notAllowedToWithdraw(type));
  if (!open) refuse(refusal.taskClosed, `This ${type} has ended already; it cannot be withdrawn.`);
}

/**
 * Closes every open task of the subject and tells each person it still asked, by email without a
 * link, that there is nothing more to decide and why. Call after `patched(WITHDRAWAL_PATCH)`.
 */
export function withdrawOpenTasks(ctx: TaskContext, w: Withdrawal): void {
  for (const task of ctx.book.open) {
    const asked = [...task.assignees];
    ctx.book.close(task, 'cancelled');
    for (const person of asked) ctx.track(ctx.send(task, person, 'withdrawn', 1, task.dueAt, w.reason));
  }
}

/**
 * For promises nobody awaits at once (background emails, a round run beside another): when the
 * subject is withdrawn they reject with the cancellation, which must not count as an unhandled
 * rejection (that fails the workflow task). Any other failure still surfaces as before.
 */
export function quietOnCancel(p: Promise<unknown>): void {
  p.catch((err: unknown) => {
    if (!isCancellation(err)) throw err;
  });
}

/** The history entry a withdrawal leaves. */
export function withdrawalEntry(what: string, w: Withdrawal, partner?: string): Omit<HistoryEntry, 'at'> {
  return { event: 'withdrawn', by: w.by, partner, detail: `${what} withdrawn by ${w.by}. Reason: ${w.reason}`, reason: w.reason };
}

/**
 * Runs a commission's or a referral's life in a scope the `withdraw` Update cancels: its timers,
 * waits and children (a dispute, an evaluation panel) stop where they are, the open tasks close,
 * those asked are told, and `run` resolves 'withdrawn' so the workflow writes its record and ends.
 */
export function withdrawable(opts: {
  type: 'commission' | 'referral';
  what: string;
  tasks: TaskContext;
  state: { withdrawn?: Withdrawal | undefined };
  /** Who the rule looks at now (the lead partner may change). */
  scope(): WithdrawalScope;
  open(): boolean;
  /** The subject's own state: its stage or status becomes withdrawn. */
  ended(w: Withdrawal): void;
}) {
  const body = new CancellationScope();
  setHandler(
    withdraw,
    (raw) => {
      patched(WITHDRAWAL_PATCH);
      const req = withdrawalRequestSchema().parse(raw);
      const w: Withdrawal = { by: req.by, reason: req.reason, at: new Date().toISOString() };
      opts.state.withdrawn = w;
      withdrawOpenTasks(opts.tasks, w);
      opts.ended(w);
      opts.tasks.note(withdrawalEntry(opts.what, w, req.byPartner));
      opts.tasks.publish();
      body.cancel();
      return w;
    },
    { validator: (raw) => validateWithdrawal(opts.type, raw, opts.scope(), opts.open() && !opts.state.withdrawn) },
  );
  return {
    async run<R>(fn: () => Promise<R>): Promise<R | 'withdrawn'> {
      try {
        return await body.run(fn);
      } catch (err) {
        if (opts.state.withdrawn && isCancellation(err)) return 'withdrawn';
        throw err;
      }
    },
  };
}

/**
 * A child (a dispute, an evaluation panel) whose parent was withdrawn is cancelled: it closes its
 * open tasks, tells those asked, writes its record in a scope nothing cancels, and ends
 * cancelled, so the parent knows. Histories from before the patch end as they did.
 */
export async function endCancelled(err: unknown, ctx: TaskContext, what: string, drain: () => Promise<void>, ended?: (w: Withdrawal) => void): Promise<void> {
  if (!isCancellation(err) || !patched(WITHDRAWAL_PATCH)) return;
  await CancellationScope.nonCancellable(async () => {
    const w: Withdrawal = { by: 'system', reason: 'what it was part of was withdrawn', at: new Date().toISOString() };
    withdrawOpenTasks(ctx, w);
    ended?.(w);
    ctx.note({ event: 'withdrawn', detail: `${what} withdrawn, as what it was part of was withdrawn` });
    ctx.publish();
    await drain();
  });
}
