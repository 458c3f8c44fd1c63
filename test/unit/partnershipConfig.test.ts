import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadPartnership, parsePartnership } from '../../config';
import { holdersOf, roles } from '../../domain/partnership';

test('the bundled Cumberland SEND partnership is valid and has someone in every role', () => {
  const p = loadPartnership();
  expect(p.partners.map((x) => x.id)).toEqual(['council', 'nenc-icb', 'lsc-icb']);
  for (const role of roles) expect(p.people.some((person) => person.roles.includes(role))).toBe(true);
  for (const partner of ['council', 'nenc-icb', 'lsc-icb']) {
    expect(holdersOf(p, partner, 'commissioner').length).toBeGreaterThan(0);
    expect(holdersOf(p, partner, 'senior-manager').length).toBeGreaterThan(0);
  }
  expect(p.policies.leadPartnerAgreement).toEqual({ due: '10 working days', remindBefore: '3 working days', escalateFor: '5 working days' });
});

const minimal = {
  partnership: { id: 'p', name: 'P', calendar: 'england-and-wales' },
  partners: [
    { id: 'council', name: 'Council', kind: 'local-authority' },
    { id: 'icb', name: 'ICB', kind: 'icb' },
  ],
  people: [],
};

test('policies default to the domain numbers and accept all three duration forms', () => {
  expect(parsePartnership(minimal).policies.leadPartnerAgreement.due).toBe('10 working days');
  const p = parsePartnership({ ...minimal, policies: { leadPartnerAgreement: { due: 'PT30S', remindBefore: '2 days', escalateFor: '1 working day' } } });
  expect(p.policies.leadPartnerAgreement).toEqual({ due: 'PT30S', remindBefore: '2 days', escalateFor: '1 working day' });
});

test('every problem is reported with its path', () => {
  const bad = {
    ...minimal,
    partnership: { ...minimal.partnership, calendar: 'mars' },
    people: [
      { id: 'a', name: 'A', email: 'not-an-email', partner: 'nowhere', roles: ['commissioner'], apiKey: 'short' },
      { id: 'a', name: 'B', email: 'b@x.example', roles: ['commissioner'] },
    ],
    policies: { leadPartnerAgreement: { due: 'soon' } },
  };
  let error: ConfigError | undefined;
  try {
    parsePartnership(bad);
  } catch (err) {
    error = err as ConfigError;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const paths = error!.problems.map((p) => p.path);
  expect(paths).toEqual(
    expect.arrayContaining(['partnership.calendar', 'people[0].email', 'people[0].apiKey', 'policies.leadPartnerAgreement.due']),
  );
});

test('cross-references are checked: unknown partner, duplicate id, partnerless staff', () => {
  const bad = {
    ...minimal,
    people: [
      { id: 'a', name: 'A', email: 'a@x.example', partner: 'nowhere', roles: ['commissioner'] },
      { id: 'a', name: 'B', email: 'b@x.example', roles: ['commissioner'] },
    ],
  };
  expect(() => parsePartnership(bad)).toThrow(ConfigError);
  try {
    parsePartnership(bad);
  } catch (err) {
    expect((err as ConfigError).problems).toEqual(
      expect.arrayContaining([
        { path: 'people[0].partner', message: 'no partner has the id "nowhere"' },
        { path: 'people[1].id', message: 'person id "a" is used twice' },
        { path: 'people[1].partner', message: 'only lived-experience representatives may have no partner' },
      ]),
    );
  }
});

test("people's sign-in identities: an Entra ID tenant and object id, or an issuer and subject; each given to one person only", () => {
  const entra = { entraTenantId: '0B7C5D1E-0000-4000-8000-00000000C0C1', entraObjectId: '4f0c6a52-0000-4000-8000-000000000001' };
  const ok = parsePartnership({
    ...minimal,
    people: [
      { id: 'a', name: 'A', email: 'a@x.example', partner: 'council', roles: ['commissioner'], identities: [entra] },
      { id: 'b', name: 'B', email: 'b@x.example', partner: 'icb', roles: ['commissioner'], identities: [{ issuer: 'https://idp.example', subject: 'b-1' }] },
    ],
  });
  // Tenant and object ids are compared as Entra ID writes them: lower case.
  expect(ok.people[0]!.identities).toEqual([{ entraTenantId: '0b7c5d1e-0000-4000-8000-00000000c0c1', entraObjectId: '4f0c6a52-0000-4000-8000-000000000001' }]);
  const problems = (raw: unknown): { path: string; message: string }[] => {
    try {
      parsePartnership(raw);
    } catch (err) {
      return (err as ConfigError).problems;
    }
    return [];
  };
  const person = (id: string, extra: Record<string, unknown>) => ({ id, name: id, email: `${id}@x.example`, partner: 'council', roles: ['commissioner'], ...extra });
  expect(problems({ ...minimal, people: [person('a', { identities: [entra] }), person('b', { identities: [{ ...entra, entraTenantId: entra.entraTenantId.toLowerCase() }] })] })).toEqual([
    { path: 'people[1].identities[0]', message: 'this sign-in identity is already given to "a"' },
  ]);
  expect(problems({ ...minimal, people: [person('a', { identities: [{ entraTenantId: 'council', entraObjectId: 'x' }] })] }).map((p) => p.path)).toEqual(
    expect.arrayContaining(['people[0].identities[0].entraTenantId']),
  );
  expect(problems({ ...minimal, people: [person('a', { oidcSubject: 'abc' })] })).toEqual([
    expect.objectContaining({ path: 'people[0].oidcSubject', message: expect.stringContaining('identities') as string }),
  ]);
});

test('a process given an invalid partnership file exits non-zero naming each problem', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jco-config-'));
  const file = path.join(dir, 'partnership.yaml');
  writeFileSync(file, 'partnership: { id: p, name: P }\npartners:\n  - { id: council, name: Council, kind: council }\npeople: []\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', '..', 'api', 'main.ts')], {
    env: { ...process.env, JCO_CONFIG: file, LINK_SIGNING_KEY: 'x'.repeat(40), PORT: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`${file} is not valid`);
  expect(r.stderr).toContain('partners[0].kind');
  expect(r.stderr).toContain('partners: a partnership has at least two partners');
});
