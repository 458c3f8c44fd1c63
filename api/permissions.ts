import type { Person, Role } from '../domain/partnership';
import { mayWithdraw, withdrawalRule, type WithdrawableType } from '../domain/withdrawal';
import { problem } from './problem';

/**
 * Who may do what, in one place (the README has the same table). The API checks these before
 * touching a workflow; the workflow's own validators then check what only it knows (whether a
 * task is still open, whether the caller is an assignee or a deputy now, who may extend).
 */
export type Action =
  | 'commission.start'
  | 'commission.list'
  | 'commission.read'
  | 'commission.plan'
  | 'commission.challenge'
  | 'commission.withdraw'
  | 'task.read'
  | 'task.decide'
  | 'task.extend'
  | 'dispute.raise'
  | 'dispute.read'
  | 'dispute.list'
  | 'dispute.withdraw'
  | 'referral.start'
  | 'referral.list'
  | 'referral.read'
  | 'referral.withdraw'
  | 'evaluation.setup'
  | 'evaluation.read'
  | 'inbox.read'
  | 'delegation.manage'
  | 'record.read'
  | 'record.hold'
  | 'record.export'
  | 'record.policy'
  | 'payloads.read'
  | 'record.reads';

/** What a rule looks at: the subject's partners and the people its tasks ask. */
export interface Scope {
  partners?: string[];
  assignees?: string[];
  /** The partner leading the commission, once agreed. */
  leadPartner?: string;
  /** The members of its evaluation panel. */
  panel?: string[];
  /** Who started it (creator, raiser, referrer), for the withdrawal rules. */
  owner?: string;
  /** The partners a withdrawal rule names: the lead partner, the parties, the funding partners. */
  withdrawalPartners?: string[];
}

interface Rule {
  who: string;
  denied: 403 | 404;
  allows(person: Person, scope: Scope): boolean;
}

const holds = (person: Person, ...roles: Role[]): boolean => roles.some((r) => person.roles.includes(r));
const atParticipating = (person: Person, scope: Scope): boolean => person.partner !== undefined && (scope.partners ?? []).includes(person.partner);
const asked = (person: Person, scope: Scope): boolean => (scope.assignees ?? []).includes(person.id);
/** The withdrawal rules are defined once, in domain/withdrawal.ts: the workflows check them too. */
const withdrawalOf = (type: WithdrawableType): Rule => ({
  who: withdrawalRule[type],
  denied: 403,
  allows: (p, s) => mayWithdraw(type, p, { owner: s.owner ?? '', partners: s.withdrawalPartners ?? [] }),
});
const followsCommissions = (person: Person, scope: Scope): boolean =>
  atParticipating(person, scope) && holds(person, 'commissioner', 'senior-manager', 'procurement', 'finance', 'legal');

export const permissions: Record<Action, Rule> = {
  'commission.start': {
    who: 'a commissioner of one of the partners listed in the request',
    denied: 403,
    allows: (p, s) => holds(p, 'commissioner') && atParticipating(p, s),
  },
  'commission.list': {
    who: "anyone at a partner; the list holds only their partner's commissions",
    denied: 403,
    allows: (p) => p.partner !== undefined,
  },
  'commission.read': {
    who: 'a commissioner, senior manager, procurement, finance or legal officer of a participating partner, or anyone a task of it asks (others: 404, not the data)',
    denied: 404,
    allows: (p, s) => followsCommissions(p, s) || asked(p, s),
  },
  'commission.plan': {
    who: 'anyone at a partner',
    denied: 403,
    allows: (p) => p.partner !== undefined,
  },
  'commission.challenge': {
    who: 'a commissioner, senior manager, procurement or legal officer of a participating partner',
    denied: 403,
    allows: (p, s) => holds(p, 'commissioner', 'senior-manager', 'procurement', 'legal') && atParticipating(p, s),
  },
  'commission.withdraw': withdrawalOf('commission'),
  'task.read': {
    who: 'whoever may read its subject',
    denied: 404,
    allows: (p, s) => followsCommissions(p, s) || asked(p, s),
  },
  'task.decide': {
    who: 'its assignees and their deputies now (checked by the workflow: 403 otherwise)',
    denied: 404,
    allows: (p, s) => followsCommissions(p, s) || asked(p, s),
  },
  'task.extend': {
    who: "the subject's lead commissioner, or a senior manager of a partner the task asks (checked by the workflow: 403 otherwise)",
    denied: 404,
    allows: (p, s) => followsCommissions(p, s) || asked(p, s),
  },
  'dispute.raise': {
    who: 'a commissioner or senior manager of one of the partners the dispute involves',
    denied: 403,
    allows: (p, s) => holds(p, 'commissioner', 'senior-manager') && atParticipating(p, s),
  },
  'dispute.read': {
    who: 'staff of an involved partner as for commissions, anyone a task of it asks, and the Board and the accountable officers who must decide disputes',
    denied: 404,
    allows: (p, s) => followsCommissions(p, s) || asked(p, s) || holds(p, 'executive-board', 'board-chair', 'accountable-officer'),
  },
  'dispute.list': {
    who: "anyone at a partner: their partner's disputes; the Board and accountable officers: all",
    denied: 403,
    allows: (p) => p.partner !== undefined,
  },
  'dispute.withdraw': withdrawalOf('dispute'),
  // A referral is about a child: only the panel and the funding partners' commissioners see it.
  'referral.start': {
    who: 'a commissioner or RAP member of a funding partner named in the proposed split',
    denied: 403,
    allows: (p, s) => holds(p, 'commissioner', 'rap-member') && atParticipating(p, s),
  },
  'referral.list': {
    who: "RAP members and the RAP chair: every referral; commissioners: their partner's",
    denied: 403,
    allows: (p) => holds(p, 'rap-member', 'rap-chair', 'commissioner'),
  },
  'referral.read': {
    who: "RAP members, the RAP chair, the funding partners' commissioners, or anyone a task of it asks (others: 404, not the data); the same for its tasks",
    denied: 404,
    allows: (p, s) => holds(p, 'rap-member', 'rap-chair') || (holds(p, 'commissioner') && atParticipating(p, s)) || asked(p, s),
  },
  'referral.withdraw': withdrawalOf('referral'),
  'evaluation.setup': {
    who: "a commissioner of the commission's lead partner",
    denied: 403,
    allows: (p, s) => holds(p, 'commissioner') && p.partner !== undefined && p.partner === s.leadPartner,
  },
  'evaluation.read': {
    who: "the panel's members and the participating partners' commissioners (others: 404)",
    denied: 404,
    allows: (p, s) => (holds(p, 'commissioner') && atParticipating(p, s)) || (s.panel ?? []).includes(p.id),
  },
  'inbox.read': { who: 'anyone signed in: their own open tasks', denied: 403, allows: () => true },
  'delegation.manage': { who: 'anyone at a partner, for themselves', denied: 403, allows: (p) => p.partner !== undefined },
  // The decision record is the records officers' alone: each reads the subjects their partner takes part in.
  'record.read': {
    who: 'a records officer of a partner the subject involves (others: 404, not the data)',
    denied: 404,
    allows: (p, s) => holds(p, 'records-officer') && atParticipating(p, s),
  },
  'record.hold': {
    who: 'a records officer of a partner the subject involves (others: 404, not the data)',
    denied: 404,
    allows: (p, s) => holds(p, 'records-officer') && atParticipating(p, s),
  },
  'record.export': {
    who: "a records officer, for their own partner's subjects",
    denied: 403,
    allows: (p, s) => holds(p, 'records-officer') && p.partner !== undefined && (s.partners === undefined || (s.partners.length === 1 && s.partners[0] === p.partner)),
  },
  // Who read a child's referral, a panel's record or a decision record: the records officers' to answer.
  'record.reads': {
    who: 'a records officer of a partner the subject involves (others: 404, not the data)',
    denied: 404,
    allows: (p, s) => holds(p, 'records-officer') && atParticipating(p, s),
  },
  'record.policy': {
    who: 'a records officer',
    denied: 403,
    allows: (p) => holds(p, 'records-officer') && p.partner !== undefined,
  },
  // Temporal's payloads hold every partner's cases in raw form, not scoped to any one subject:
  // decrypting them for an operator's Temporal UI is the records officers' alone.
  'payloads.read': {
    who: 'a records officer',
    denied: 403,
    allows: (p) => holds(p, 'records-officer') && p.partner !== undefined,
  },
};

/** The kinds of subject a person reads, and what a dispute is about (its subject's type). */
export interface ReadSubject {
  kind: 'commission' | 'dispute' | 'evaluation' | 'referral';
  /** For a dispute: the type of the subject it was raised on. */
  about?: 'commission' | 'referral' | undefined;
}

/**
 * The one rule a subject is read under, with everything that shows it: its page, its tasks, its
 * history and timeline, for the API and the web service alike. An evaluation panel's (its
 * declarations and scores) is the panel's own rule, not the commission's wider one; a dispute on
 * a referral's funding split names the child's case, so it is read under the referral's rule.
 */
export function readRuleOf(subject: ReadSubject): Action {
  switch (subject.kind) {
    case 'evaluation':
      return 'evaluation.read';
    case 'referral':
      return 'referral.read';
    case 'dispute':
      return subject.about === 'referral' ? 'referral.read' : 'dispute.read';
    default:
      return 'commission.read';
  }
}

export function can(person: Person, action: Action, scope: Scope = {}): boolean {
  return permissions[action].allows(person, scope);
}

/** Throws the rule's refusal: 404 where even the existence of the thing is not theirs to know. */
export function authorize(person: Person, action: Action, scope: Scope, notFound: string): void {
  if (can(person, action, scope)) return;
  const rule = permissions[action];
  throw problem(rule.denied, rule.denied === 404 ? notFound : `Not allowed: only ${rule.who} may do this.`);
}
