import type { Selectable } from 'kysely';
import { coverOf, type Cover, type DelegationRecord } from '../domain/delegation';
import type { RecordDb } from './index';
import type { RecordSchema } from './schema';

type Row = Selectable<RecordSchema['delegations']>;

/** A delegation in force: whom the deputy acts for, in which roles, for which window. */
export interface DelegationInForce {
  id: string;
  principal: string;
  deputy: string;
  roles: string[];
  from: string;
  to: string;
}

function recordOf(r: Row): DelegationRecord {
  return {
    id: r.delegation_id,
    principal: r.principal,
    deputy: r.deputy,
    roles: JSON.parse(r.roles) as string[],
    from: r.from_at,
    to: r.to_at,
    setAt: r.set_at,
    status: r.status as DelegationRecord['status'],
    ...(r.revoked_at ? { revokedAt: r.revoked_at, revokedBy: r.revoked_by ?? undefined } : {}),
  };
}

const inForce = (r: Row): DelegationInForce => ({ id: r.delegation_id, principal: r.principal, deputy: r.deputy, roles: JSON.parse(r.roles) as string[], from: r.from_at, to: r.to_at });

/**
 * Writes delegations as of the register's projection `seq`, in the caller's transaction: a row
 * whose stored number is not below `seq` is newer or the same (a retry) and is left alone.
 * Returns how many rows were written.
 */
export async function applyDelegations(tx: RecordDb, seq: number, records: DelegationRecord[]): Promise<number> {
  let written = 0;
  for (const d of records) {
    const values = {
      principal: d.principal,
      deputy: d.deputy,
      roles: JSON.stringify(d.roles),
      from_at: d.from,
      to_at: d.to,
      set_at: d.setAt,
      status: d.status,
      revoked_at: d.revokedAt ?? null,
      revoked_by: d.revokedBy ?? null,
      seq,
    };
    const result = await tx
      .insertInto('delegations')
      .values({ delegation_id: d.id, ...values })
      .onConflict((oc) => oc.column('delegation_id').doUpdateSet(values).where('delegations.seq', '<', seq))
      .executeTakeFirst();
    written += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return written;
}

/** Rows that let their deputy act at `at`: started, not yet ended, not cut short before `at`. */
function inForceAt(db: RecordDb, at: string) {
  return db
    .selectFrom('delegations')
    .selectAll()
    .where('from_at', '<=', at)
    .where('to_at', '>', at)
    .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', at)]));
}

/** Every delegation in force at `at`: who acts for whom, in which roles. */
export async function delegationsInForceAt(db: RecordDb, at: string): Promise<DelegationInForce[]> {
  const rows = await inForceAt(db, at).orderBy('principal').execute();
  return rows.map(inForce);
}

/** The delegations in force at `at` for which `deputy` is the deputy: whom they may act for, in which roles. */
export async function activeDelegationsOf(db: RecordDb, deputy: string, at: string): Promise<DelegationInForce[]> {
  const rows = await inForceAt(db, at).where('deputy', '=', deputy).orderBy('principal').execute();
  return rows.map(inForce);
}

/** The principal's delegation in force at `at`, if any (one per person at a time). */
export async function activeDelegationFor(db: RecordDb, principal: string, at: string): Promise<DelegationInForce | undefined> {
  const row = await inForceAt(db, at).where('principal', '=', principal).orderBy('set_at', 'desc').limit(1).executeTakeFirst();
  return row ? inForce(row) : undefined;
}

/** The principal's delegation that has not ended by `now`: in force, or starting later. */
export async function currentDelegationOf(db: RecordDb, principal: string, now: string): Promise<DelegationRecord | undefined> {
  const row = await db
    .selectFrom('delegations')
    .selectAll()
    .where('principal', '=', principal)
    .where('to_at', '>', now)
    .where('revoked_at', 'is', null)
    .orderBy('set_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? recordOf(row) : undefined;
}

/** Every delegation a person gave or received, newest first: the history auditors read. */
export async function delegationHistoryOf(db: RecordDb, person: string): Promise<DelegationRecord[]> {
  const rows = await db
    .selectFrom('delegations')
    .selectAll()
    .where((eb) => eb.or([eb('principal', '=', person), eb('deputy', '=', person)]))
    .orderBy('set_at', 'desc')
    .orderBy('delegation_id', 'desc')
    .execute();
  return rows.map(recordOf);
}

/**
 * The covers a person holds as deputy, as a decision carries them to the workflow (which checks
 * each window against its own clock): those in force, and those that ended within the last year,
 * so a refusal can say when a cover ended. Newest first, at most 50.
 */
export async function coversOf(db: RecordDb, deputy: string, now: string): Promise<Cover[]> {
  const since = new Date(Date.parse(now) - 366 * 86_400_000).toISOString();
  const rows = await db
    .selectFrom('delegations')
    .selectAll()
    .where('deputy', '=', deputy)
    .where('to_at', '>', since)
    .orderBy('set_at', 'desc')
    .limit(50)
    .execute();
  return rows.map((r) => coverOf(recordOf(r)));
}
