import { z } from 'zod';
import { lazy } from './lazy';

/**
 * Withdrawing a commission, dispute or referral: ending it early, with a reason, by those this
 * rule names. One definition: the API's permissions and the workflows' update validators both
 * read it, so a caller refused by one is refused by the other in the same words.
 */
export type WithdrawableType = 'commission' | 'dispute' | 'referral';

/** The longest reason a withdrawal may give: the record keeps it, the emails repeat it. */
export const WITHDRAWAL_REASON_MAX = 2000;

const withdrawalReason = lazy(() =>
  z
    .string({ error: 'give the reason for withdrawing' })
    .trim()
    .min(3, 'give the reason for withdrawing (at least 3 characters)')
    .max(WITHDRAWAL_REASON_MAX, `keep the reason for withdrawing to ${WITHDRAWAL_REASON_MAX} characters`),
);

/** What the caller sends: `POST /api/v1/{commissions|disputes|referrals}/{id}/withdrawal`. */
export const withdrawalBody = lazy(() => z.object({ reason: withdrawalReason() }).strict());

/** The Update's argument: the caller as the API knows them, and the reason. */
export const withdrawalRequestSchema = lazy(() =>
  z
    .object({
      by: z.string().min(1),
      byPartner: z.string().optional(),
      byRoles: z.array(z.string()).default([]),
      reason: withdrawalReason(),
    })
    .strict(),
);
export type WithdrawalRequest = z.input<ReturnType<typeof withdrawalRequestSchema>>;

/** How a withdrawal is kept on the subject's page and in its record. */
export interface Withdrawal {
  by: string;
  reason: string;
  at: string;
}

/** Who a subject's rule looks at: the person who started it, and the partners it names. */
export interface WithdrawalScope {
  /** The commission's creator, the dispute's raiser, the referral's referrer. */
  owner: string;
  /** The lead partner now (commission); the parties (dispute); the funding partners (referral). */
  partners: string[];
}

export const withdrawalRule: Record<WithdrawableType, string> = {
  commission: "the commission's creator, or a commissioner or senior manager of its lead partner",
  dispute: 'the person who raised the dispute, or a senior manager of a partner it involves',
  referral: 'the person who made the referral, or a commissioner of one of its funding partners',
};

const rolesFor: Record<WithdrawableType, string[]> = {
  commission: ['commissioner', 'senior-manager'],
  dispute: ['senior-manager'],
  referral: ['commissioner'],
};

export function mayWithdraw(type: WithdrawableType, who: { id: string; partner?: string | undefined; roles: readonly string[] }, scope: WithdrawalScope): boolean {
  if (who.id === scope.owner) return true;
  return who.partner !== undefined && scope.partners.includes(who.partner) && who.roles.some((r) => rolesFor[type].includes(r));
}

/** The refusal's words, naming the rule. */
export const notAllowedToWithdraw = (type: WithdrawableType): string => `Withdrawal rule: only ${withdrawalRule[type]} may withdraw this ${type}.`;
