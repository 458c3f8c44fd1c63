import type { Database } from '../../db';
import { activeDelegationFor, activeDelegationsOf, applyDelegations, currentDelegationOf, delegationHistoryOf } from '../../db/delegations';
import type { DelegationRecord } from '../../domain/delegation';
import { at, dbTest, engines, type EngineName } from './helpers';

const apply = (d: Database, seq: number, records: DelegationRecord[]) => d.write((tx) => applyDelegations(tx, seq, records));
const delegation = (id: string, over: Partial<DelegationRecord> = {}): DelegationRecord => ({
  id,
  principal: 'alice',
  deputy: 'bob',
  roles: ['commissioner'],
  from: at(10),
  to: at(100),
  setAt: at(0),
  status: 'set',
  ...over,
});

describe.each(engines)('the delegations record on %s', (engine: EngineName) => {
  const it = dbTest(engine);

  it('a newer projection overwrites a delegation; a retried or older one changes nothing', async ({ database: d }) => {
    expect(await apply(d, 1, [delegation('r.1')])).toBe(1);
    expect(await apply(d, 3, [delegation('r.1', { status: 'revoked', revokedAt: at(50), revokedBy: 'alice' })])).toBe(1);
    expect(await apply(d, 3, [delegation('r.1', { status: 'set' })])).toBe(0);
    expect(await apply(d, 2, [delegation('r.1', { status: 'set' })])).toBe(0);
    expect(await delegationHistoryOf(d.db, 'alice')).toEqual([delegation('r.1', { status: 'revoked', revokedAt: at(50), revokedBy: 'alice' })]);
  });

  it('in force from its start, until its end or its revocation; history stays readable', async ({ database: d }) => {
    await apply(d, 1, [delegation('r.1'), delegation('r.2', { principal: 'carol', roles: ['finance'], from: at(0), to: at(30) })]);
    await apply(d, 2, [delegation('r.1', { status: 'revoked', revokedAt: at(60), revokedBy: 'alice' })]);
    expect(await activeDelegationsOf(d.db, 'bob', at(5))).toEqual([{ id: 'r.2', principal: 'carol', deputy: 'bob', roles: ['finance'], from: at(0), to: at(30) }]);
    expect((await activeDelegationsOf(d.db, 'bob', at(20))).map((x) => x.principal)).toEqual(['alice', 'carol']);
    expect((await activeDelegationsOf(d.db, 'bob', at(59))).map((x) => x.principal)).toEqual(['alice']);
    expect(await activeDelegationsOf(d.db, 'bob', at(60))).toEqual([]);
    expect(await activeDelegationFor(d.db, 'alice', at(59))).toMatchObject({ deputy: 'bob', roles: ['commissioner'] });
    expect(await activeDelegationFor(d.db, 'alice', at(60))).toBeUndefined();
    // Current: not ended and not revoked. The revoked one and the ended one stay in the history.
    expect(await currentDelegationOf(d.db, 'alice', at(20))).toBeUndefined();
    expect(await currentDelegationOf(d.db, 'carol', at(20))).toMatchObject({ id: 'r.2' });
    expect(await currentDelegationOf(d.db, 'carol', at(30))).toBeUndefined();
    expect((await delegationHistoryOf(d.db, 'bob')).map((x) => x.id).sort()).toEqual(['r.1', 'r.2']);
  });
});
