import type { Calendar, CalendarName } from './calendar';
import type { PanelPolicy } from './evaluation';
import type { LifecyclePolicy } from './lifecycle';
import type { ResourceAllocationPolicy } from './referral';

export const roles = [
  'commissioner',
  'senior-manager',
  'procurement',
  'finance',
  'legal',
  'panel-member',
  'lived-experience',
  'rap-member',
  'rap-chair',
  'executive-board',
  'board-chair',
  'accountable-officer',
] as const;

export type Role = (typeof roles)[number];

export interface Partner {
  id: string;
  name: string;
  kind: 'local-authority' | 'icb' | 'other';
}

export interface Person {
  id: string;
  name: string;
  email: string;
  partner?: string | undefined;
  roles: Role[];
  apiKey?: string | undefined;
  oidcSubject?: string | undefined;
}

export interface LeadPartnerAgreementPolicy {
  due: string;
  remindBefore: string;
  escalateFor: string;
}

export interface DisputePolicy {
  earlyResolution: { due: string; remindBefore: string };
  executiveBoard: { due: string };
  accountableOfficers: { due: string; remindEvery: string };
}

export interface Policies {
  leadPartnerAgreement: LeadPartnerAgreementPolicy;
  dispute: DisputePolicy;
  evaluationPanel: PanelPolicy;
  lifecycle: LifecyclePolicy;
  resourceAllocation: ResourceAllocationPolicy;
}

export interface Partnership {
  partnership: { id: string; name: string; calendar: CalendarName; extraHolidays: string[] };
  partners: Partner[];
  people: Person[];
  policies: Policies;
}

export function calendarOf(p: Partnership): Calendar {
  return { name: p.partnership.calendar, extraHolidays: p.partnership.extraHolidays };
}

export function personById(p: Partnership, id: string): Person | undefined {
  return p.people.find((person) => person.id === id);
}

export function partnerById(p: Partnership, id: string): Partner | undefined {
  return p.partners.find((partner) => partner.id === id);
}

/** People holding `role` at `partner`, in the order the partnership file lists them. */
export function holdersOf(p: Partnership, partner: string, role: Role): string[] {
  return p.people.filter((person) => person.partner === partner && person.roles.includes(role)).map((person) => person.id);
}
