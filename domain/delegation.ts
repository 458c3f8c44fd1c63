import { z } from 'zod';
import { lazy } from './lazy';
import { boundedDate, boundedInstant, DATE_BOUNDS_MESSAGE, nextUkDate, ukOffsetMs } from './calendar';

/** A person's deputy for a window: tasks created or escalated then go to the deputy too. */
export interface Delegation {
  /** The register's id (delegations recorded before ids get one at the register's next run). */
  id?: string;
  principal: string;
  deputy: string;
  /** The principal's roles the deputy also holds: role-based tasks only pass on for these. */
  roles: string[];
  from: string;
  to: string;
  setAt: string;
}

/** When a UK civil day (Europe/London) starts, as an instant. */
export function ukDayStart(isoDate: string): Date {
  const localMidnight = Date.parse(`${isoDate}T00:00:00Z`);
  // The offset an hour before local midnight: a clock change happens at 01:00 UTC, never at midnight.
  return new Date(localMidnight - ukOffsetMs(localMidnight - 3_600_000));
}

/**
 * One end of a window: an instant with its offset, or a UK date, because people think of cover in
 * days. A date as `from` starts at the start of that UK day; as `to` it ends at the end of it
 * (the next UK midnight: a window holds instants from ≤ t < to). Always read as UTC ISO text.
 */
const windowEnd = (end: 'from' | 'to') =>
  z
    .union([boundedInstant(), boundedDate()], { error: `a timestamp with its offset, or a date written YYYY-MM-DD; ${DATE_BOUNDS_MESSAGE}` })
    .transform((v) => (v.length === 10 ? ukDayStart(end === 'from' ? v : nextUkDate(v)) : new Date(v)).toISOString())
    .describe(
      end === 'from'
        ? 'when the cover starts: a timestamp with its offset, or a date ("2026-12-01": from the start of that UK day)'
        : 'when the cover ends: a timestamp with its offset, or a date ("2026-12-14": to the end of that UK day)',
    );

const endsAfterItStarts = { path: ['to'], message: 'the delegation must end after it starts' };

/** What a person sends to name their deputy (PUT /people/me/delegation). */
export const delegationBodySchema = lazy(() =>
  z
    .object({
      deputy: z.string().min(1, 'name the deputy by their person id'),
      from: windowEnd('from'),
      to: windowEnd('to'),
    })
    .strict()
    .refine((d) => d.from < d.to, endsAfterItStarts),
);

/** What the register is asked to record: the API has checked the deputy and the roles. */
export const setDelegationSchema = lazy(() =>
  z
    .object({
      principal: z.string().min(1),
      deputy: z.string().min(1),
      roles: z.array(z.string().min(1)).min(1, 'the deputy must hold at least one of your roles'),
      from: windowEnd('from'),
      to: windowEnd('to'),
    })
    .refine((d) => d.from < d.to, endsAfterItStarts),
);

export type SetDelegation = z.input<ReturnType<typeof setDelegationSchema>>;

/**
 * A delegation as the record keeps it, for good: `set` runs to `to`; `revoked` (by a person) and
 * `replaced` (by the principal's next delegation) end early, at `revokedAt`.
 */
export interface DelegationRecord extends Delegation {
  id: string;
  status: 'set' | 'revoked' | 'replaced';
  revokedAt?: string | undefined;
  revokedBy?: string | undefined;
}

/** Whether a recorded delegation lets its deputy act for the principal at instant `at`. */
export function inForceAt(d: Pick<DelegationRecord, 'from' | 'to' | 'revokedAt'>, at: string): boolean {
  return d.from <= at && at < d.to && (d.revokedAt === undefined || at < d.revokedAt);
}

/** What the register is asked when a person revokes their delegation (by: who revoked it). */
export const revokeDelegationSchema = lazy(() => z.object({ principal: z.string().min(1), by: z.string().min(1) }).strict());
export type RevokeDelegation = z.infer<ReturnType<typeof revokeDelegationSchema>>;

export const DELEGATIONS_WORKFLOW_ID = 'delegations';

/**
 * A delegation as a decision carries it: whom the deputy acts for and the window, its end cut
 * short by a revocation or replacement. The API reads the deputy's covers from the record at the
 * moment of decision; the workflow checks them against its own clock.
 */
export const coverSchema = lazy(() =>
  z
    .object({ principal: z.string().min(1), from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
    .strict(),
);
export type Cover = z.infer<ReturnType<typeof coverSchema>>;

/** The cover a delegation record gives: its window ends when it was revoked or replaced, if sooner. */
export function coverOf(d: Pick<DelegationRecord, 'principal' | 'from' | 'to' | 'revokedAt'>): Cover {
  return { principal: d.principal, from: d.from, to: d.revokedAt !== undefined && d.revokedAt < d.to ? d.revokedAt : d.to };
}

/** Who a person answers for on a task now: themselves, or (as deputy) a principal still asked. */
export type Standing<P> = { ok: true; party: P; actingFor?: string | undefined } | { ok: false; message: string };

const ms = (iso: string): number => Date.parse(iso);

/**
 * The one rule of who may decide an open task at instant `now` (the update validator, the
 * decision itself and the inbox all use it). Someone asked in their own right answers for their
 * party. A deputy answers for a principal the task still asks, one hop, only while a cover is in
 * force at `now`: a delegation that started after the task opened reaches it, and one that has
 * ended no longer lets its deputy decide, even if they were asked as deputy when it opened.
 * `covers` undefined (a request from before covers were sent) honours the deputies recorded at
 * opening, as before.
 */
export function standingOn<P extends { assignees: string[]; deputies: Record<string, string>; decision?: unknown }>(
  parties: P[],
  person: string,
  covers: Cover[] | undefined,
  now: number,
): Standing<P> {
  const waiting = parties.filter((p) => !p.decision);
  const own = waiting.find((p) => p.assignees.includes(person) && !(person in p.deputies));
  if (own) return { ok: true, party: own };
  if (covers === undefined) {
    const recorded = waiting.find((p) => person in p.deputies);
    return recorded ? { ok: true, party: recorded, actingFor: recorded.deputies[person] } : { ok: false, message: 'You are not one of the people this task is assigned to.' };
  }
  const inForce = covers.filter((c) => ms(c.from) <= now && now < ms(c.to));
  for (const c of inForce) {
    // The principal must be asked in their own right, not as someone else's deputy: one hop.
    const party = waiting.find((p) => p.assignees.includes(c.principal) && !(c.principal in p.deputies));
    if (party) return { ok: true, party, actingFor: c.principal };
  }
  const recorded = waiting.find((p) => person in p.deputies);
  if (recorded) {
    const principal = recorded.deputies[person]!;
    const theirs = covers.filter((c) => c.principal === principal).sort((a, b) => ms(b.to) - ms(a.to))[0];
    if (theirs && ms(theirs.from) > now) return { ok: false, message: `Delegation rule: your cover for ${principal} starts on ${theirs.from}; until then only the people this task asks may decide it.` };
    return {
      ok: false,
      message: theirs
        ? `Delegation rule: your cover for ${principal} ended on ${theirs.to}; a deputy may decide only while their cover is in force.`
        : `Delegation rule: your cover for ${principal} is no longer in force; a deputy may decide only while their cover is in force.`,
    };
  }
  // A cover that ended (or has not begun) for someone the task asks: say so, naming the rule.
  const lapsed = covers.filter((c) => !inForce.includes(c) && waiting.some((p) => p.assignees.includes(c.principal) && !(c.principal in p.deputies))).sort((a, b) => ms(b.to) - ms(a.to))[0];
  if (lapsed) {
    return ms(lapsed.from) > now
      ? { ok: false, message: `Delegation rule: your cover for ${lapsed.principal} starts on ${lapsed.from}; until then only the people this task asks may decide it.` }
      : { ok: false, message: `Delegation rule: your cover for ${lapsed.principal} ended on ${lapsed.to}; a deputy may decide only while their cover is in force.` };
  }
  return { ok: false, message: 'You are not one of the people this task is assigned to, nor the deputy now of anyone it asks.' };
}
