import nodemailer from 'nodemailer';
import { createActivities } from '../../activities';
import { createLinkSigner } from '../../activities/links';
import { openDatabase, openMigratedDatabase } from '../../db';
import { applyDelegations } from '../../db/delegations';
import { loadPartnership } from '../../config';
import type { Delegation } from '../../domain/delegation';
import type { Partnership } from '../../domain/partnership';

const base = loadPartnership();
const partnership: Partnership = {
  ...base,
  people: [
    ...base.people,
    { id: 'nenc-deputy', name: 'Deputy', email: 'd@nenc-icb.example', partner: 'nenc-icb', roles: ['commissioner'] },
    { id: 'nenc-deputy-2', name: 'Second deputy', email: 'd2@nenc-icb.example', partner: 'nenc-icb', roles: ['finance'] },
  ],
};

function resolverWith(delegations: Delegation[]) {
  return createActivities({
    partnership,
    delegations: async () => delegations,
    mailer: nodemailer.createTransport({ jsonTransport: true }),
    links: createLinkSigner('unit-test-signing-key-0123456789abcdef'),
    database: openDatabase({ url: 'sqlite::memory:', dataDir: '' }),
    publicBaseUrl: 'http://localhost:3000',
    mailFrom: 'x@example.org',
  }).resolveAssignees;
}

const window = (principal: string, deputy: string, roles: string[]): Delegation => ({
  principal,
  deputy,
  roles,
  from: '2027-01-01T00:00:00.000Z',
  to: '2027-01-08T00:00:00.000Z',
  setAt: '2026-12-01T00:00:00.000Z',
});

test('a deputy in their window joins and is recorded as acting for the principal', async () => {
  const resolve = resolverWith([window('nenc-senior-manager', 'nenc-deputy', ['senior-manager'])]);
  expect(await resolve({ specs: [{ person: 'nenc-senior-manager' }], at: '2027-01-03T10:00:00.000Z' })).toEqual({
    people: ['nenc-senior-manager', 'nenc-deputy'],
    deputies: { 'nenc-deputy': 'nenc-senior-manager' },
  });
});

test('window edges: from is inclusive, to is exclusive', async () => {
  const resolve = resolverWith([window('nenc-commissioner', 'nenc-deputy', ['commissioner'])]);
  const at = (iso: string) => resolve({ specs: [{ person: 'nenc-commissioner' }], at: iso });
  expect((await at('2026-12-31T23:59:59.999Z')).deputies).toEqual({});
  expect((await at('2027-01-01T00:00:00.000Z')).deputies).toEqual({ 'nenc-deputy': 'nenc-commissioner' });
  expect((await at('2027-01-07T23:59:59.999Z')).deputies).toEqual({ 'nenc-deputy': 'nenc-commissioner' });
  expect((await at('2027-01-08T00:00:00.000Z')).deputies).toEqual({});
});

test('delegation never cascades: a deputy\'s own deputy is not added', async () => {
  const resolve = resolverWith([
    window('nenc-commissioner', 'nenc-deputy', ['commissioner']),
    window('nenc-deputy', 'nenc-deputy-2', ['commissioner']),
  ]);
  const r = await resolve({ specs: [{ person: 'nenc-commissioner' }], at: '2027-01-03T10:00:00.000Z' });
  expect(r.people).toEqual(['nenc-commissioner', 'nenc-deputy']);
});

test('a role-based task passes on only for the roles the deputy shares', async () => {
  const resolve = resolverWith([window('nenc-commissioner', 'nenc-deputy', ['panel-member'])]);
  const r = await resolve({ specs: [{ role: 'commissioner', partner: 'nenc-icb' }], at: '2027-01-03T10:00:00.000Z' });
  expect(r.deputies).toEqual({});
});

test('the local look-up reads the record\'s delegations and answers as the register does, revocations included', async () => {
  const database = await openMigratedDatabase({ url: 'sqlite::memory:', dataDir: '' });
  try {
    const delegations = [window('nenc-commissioner', 'nenc-deputy', ['commissioner']), window('nenc-senior-manager', 'nenc-deputy-2', ['senior-manager'])];
    // As the register projects them (workflows/delegations.ts), before it answers the change.
    await database.write((tx) => applyDelegations(tx, 1, delegations.map((d, i) => ({ ...d, id: `r.${i + 1}`, status: 'set' as const }))));
    const activities = createActivities({
      partnership,
      delegations: async () => delegations,
      mailer: nodemailer.createTransport({ jsonTransport: true }),
      links: createLinkSigner('unit-test-signing-key-0123456789abcdef'),
      database,
      publicBaseUrl: 'http://localhost:3000',
      mailFrom: 'x@example.org',
    });
    const asks = [
      { specs: [{ role: 'commissioner' as const, partner: 'nenc-icb' }], at: '2027-01-03T10:00:00.000Z' },
      { specs: [{ person: 'nenc-senior-manager' }, { role: 'commissioner' as const, partner: 'nenc-icb' }], at: '2027-01-03T10:00:00.000Z' },
      { specs: [{ role: 'commissioner' as const, partner: 'nenc-icb' }], at: '2027-01-08T00:00:00.000Z' },
    ];
    for (const ask of asks) expect(await activities.peopleToAsk(ask)).toEqual(await activities.resolveAssignees(ask));
    expect((await activities.peopleToAsk(asks[0]!)).deputies).toEqual({ 'nenc-deputy': 'nenc-commissioner' });

    // Revoked on the 2nd: not in force after it, still in force before it.
    await database.write((tx) => applyDelegations(tx, 2, [{ ...delegations[0]!, id: 'r.1', status: 'revoked', revokedAt: '2027-01-02T00:00:00.000Z', revokedBy: 'nenc-commissioner' }]));
    expect((await activities.peopleToAsk(asks[0]!)).deputies).toEqual({});
    expect((await activities.peopleToAsk({ ...asks[0]!, at: '2027-01-01T12:00:00.000Z' })).deputies).toEqual({ 'nenc-deputy': 'nenc-commissioner' });
  } finally {
    await database.close();
  }
});
