import { holdersOf, type Partner, type Partnership, type Role } from './partnership';

/**
 * Every role a workflow asks (an `ask`, an escalation or a notice naming `role:`), where it asks
 * it, and what would be left asking nobody without a holder. The one list: a workflow that asks a
 * new role adds it here, and start-up checks the partnership file against it.
 */
export interface AskedRole {
  role: Role;
  /** `each`: at every partner; `may-lead`: at every partner that can lead a commission; `somewhere`: at one partner at least. */
  at: 'each' | 'may-lead' | 'somewhere';
  /** `error`: a task would ask nobody; `warning`: only some paths need it, or nobody would merely not be told. */
  level: 'error' | 'warning';
  /** What asks it, in the partnership's words. */
  asks: string;
}

export const askedRoles: readonly AskedRole[] = [
  { role: 'commissioner', at: 'each', level: 'error', asks: "the lead-partner agreement, a dispute's early resolution and the lead commissioner's tasks" },
  { role: 'senior-manager', at: 'each', level: 'error', asks: 'escalations, the lifecycle gates and the specification sign-off' },
  { role: 'accountable-officer', at: 'each', level: 'error', asks: "a dispute's accountable officers' stage and an unanswered gate" },
  { role: 'board-chair', at: 'somewhere', level: 'error', asks: "a dispute's Executive Board stage" },
  { role: 'executive-board', at: 'somewhere', level: 'warning', asks: 'the notice of a dispute reaching the Executive Board' },
  { role: 'legal', at: 'may-lead', level: 'error', asks: "the legal review and a challenge's outcome of a commission it leads" },
  { role: 'procurement', at: 'may-lead', level: 'error', asks: 'the quotes and the procurement steps of a commission it leads' },
  { role: 'rap-member', at: 'each', level: 'error', asks: "a referral's positions at the Resource Allocation Panel" },
  { role: 'rap-chair', at: 'somewhere', level: 'error', asks: "the Resource Allocation Panel's decision on a referral" },
  { role: 'panel-member', at: 'somewhere', level: 'warning', asks: "an evaluation panel's scoring (panels are chosen from the people holding it)" },
];

/** Partners that can be proposed as a commission's lead: a council or an ICB. */
const mayLead = (p: Partner): boolean => p.kind === 'local-authority' || p.kind === 'icb';

export interface RoleGap {
  level: AskedRole['level'];
  role: Role;
  /** The partner with nobody in the role; absent for a role wanted somewhere in the partnership. */
  partner?: string | undefined;
  message: string;
}

/** Each role a workflow can ask that nobody holds where it would be asked. */
export function roleGaps(p: Partnership): RoleGap[] {
  const gaps: RoleGap[] = [];
  for (const asked of askedRoles) {
    if (asked.at === 'somewhere') {
      if (!p.people.some((person) => person.roles.includes(asked.role))) {
        gaps.push({ level: asked.level, role: asked.role, message: `nobody in the partnership is ${asked.role}: ${asked.asks} would ask nobody` });
      }
      continue;
    }
    for (const partner of p.partners) {
      if (holdersOf(p, partner.id, asked.role).length > 0) continue;
      // Roles for the lead only matter at partners that can lead; elsewhere a gap is only worth saying.
      const level = asked.at === 'may-lead' && !mayLead(partner) ? 'warning' : asked.level;
      gaps.push({ level, role: asked.role, partner: partner.id, message: `${partner.id} (${partner.name}) has no ${asked.role}: ${asked.asks} would ask nobody there` });
    }
  }
  return gaps;
}
