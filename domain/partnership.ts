import { z } from 'zod';
import { lazy } from './lazy';
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
  /** Keeps the partner's decision record: reads and exports it, places legal holds. */
  'records-officer',
] as const;

export type Role = (typeof roles)[number];

/** A partner's id, as requests and inputs name partners: lower-case letters, digits and hyphens. */
export const partnerIdSchema = lazy(() => z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a partner id'));

export interface Partner {
  id: string;
  name: string;
  kind: 'local-authority' | 'icb' | 'other';
}

/**
 * Who a person is at their organisation's sign-in service, as the partnership file records it.
 * Microsoft Entra ID: the "Directory (tenant) ID" and the user's "Object ID" (the token's `tid` and
 * `oid`), which stay the same when their name or email changes. Any other OpenID provider: its
 * issuer and the person's subject there (`iss` and `sub`).
 */
export type SignInIdentity = { entraTenantId: string; entraObjectId: string } | { issuer: string; subject: string };

export interface Person {
  id: string;
  name: string;
  email: string;
  partner?: string | undefined;
  roles: Role[];
  apiKey?: string | undefined;
  /** How single sign-on recognises them; none, and only a verified email can (when allowed). */
  identities?: SignInIdentity[] | undefined;
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

/** Subject types whose decision record is kept, each for its own retention period. */
export const retainedTypes = ['commission', 'dispute', 'referral', 'evaluation'] as const;
export type RetainedType = (typeof retainedTypes)[number];

/**
 * How long the decision record of a subject is kept after the subject ends, per subject type:
 * "7 years", "18 months", "90 days" or ISO 8601 ("P7Y"). Then it may be disposed of, unless a
 * legal hold keeps it.
 */
export type RetentionPolicy = Record<RetainedType, string>;

export const defaultRetention: RetentionPolicy = { commission: '7 years', dispute: '7 years', referral: '7 years', evaluation: '7 years' };

export interface Partnership {
  partnership: { id: string; name: string; calendar: CalendarName; extraHolidays: string[] };
  partners: Partner[];
  people: Person[];
  policies: Policies;
  /** Validated files always have it (defaults: 7 years each); absent only in hand-built test partnerships. */
  retention?: RetentionPolicy | undefined;
}

export function retentionOf(p: Partnership): RetentionPolicy {
  return { ...defaultRetention, ...p.retention };
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

/** A person and a partner by name, never by id (`lsc-icb`), as pages, emails and timelines show them; the id if unknown. */
export const personName = (p: Partnership, id: string): string => personById(p, id)?.name ?? id;
export const partnerName = (p: Partnership, id: string): string => partnerById(p, id)?.name ?? id;

/** People holding `role` at `partner`, in the order the partnership file lists them. */
export function holdersOf(p: Partnership, partner: string, role: Role): string[] {
  return p.people.filter((person) => person.partner === partner && person.roles.includes(role)).map((person) => person.id);
}
