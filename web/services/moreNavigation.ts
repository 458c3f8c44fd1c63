import { can } from '../../api/permissions';
import type { Person } from '../../domain/partnership';

/** The navigation's entries after Your tasks: each only for those its pages are for (Commissions for people at a partner: the list is their partner's). */
export function moreNavigation(person: Person, path: string): { href: string; text: string; active: boolean }[] {
  return [
    ...(person.partner ? [{ href: '/commissions', text: 'Commissions', active: path.startsWith('/commissions') }] : []),
    { href: '/disputes', text: 'Disputes', active: path.startsWith('/disputes') },
    ...(can(person, 'referral.list') ? [{ href: '/referrals', text: 'Referrals', active: path.startsWith('/referrals') }] : []),
    ...(can(person, 'record.policy') ? [{ href: '/records', text: 'Records', active: path.startsWith('/records') }] : []),
    ...(can(person, 'delegation.manage') ? [{ href: '/delegation', text: 'Your deputy', active: path.startsWith('/delegation') }] : []),
  ];
}
