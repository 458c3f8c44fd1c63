import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadConfigOrExit, loadPartnership, parsePartnership, readEnv } from '../../config';
import { digestOfApiKey, newApiKey } from '../../config/apiKeys';
import { reloadPeople } from '../../config/reload';
import { linkSigningKeyWeakness, unsafeSettings } from '../../config/safety';
import { identify } from '../../api/auth';
import type { Partnership } from '../../domain/partnership';
import { freePorts } from '../../scripts/lib/ports';

/** A deployment as an operator would set it up, wrong in every way this item refuses. */
const deployment = { PUBLIC_BASE_URL: 'https://jco.cumberland.example', NODE_ENV: 'production' };
const strongKey = 'kT9wYq2Lx7Vb3Nm8Rp4Zs6Hd1Gf5Jc0QaUeWiOyTrEx';
const root = path.join(__dirname, '..', '..');

/** The bundled partnership with every key replaced by a fresh one, written as its digest. */
function ownPartnership(): { file: string; keys: Map<string, string>; raw: Partnership } {
  const raw = loadPartnership();
  const keys = new Map<string, string>();
  for (const p of raw.people) {
    const k = newApiKey();
    keys.set(p.id, k.key);
    p.apiKey = k.entry;
  }
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'jco-own-')), 'partnership.yaml');
  writeFileSync(file, stringify(raw));
  return { file, keys, raw };
}

test('outside a local run, the bundled partnership, its keys and a missing signing key are each refused by name', () => {
  const env = readEnv(deployment);
  const unsafe = unsafeSettings(env, loadPartnership());
  expect(unsafe.map((u) => u.setting)).toEqual(expect.arrayContaining(['JCO_CONFIG', 'JCO_CONFIG people[0].apiKey', 'LINK_SIGNING_KEY']));
  expect(unsafe.find((u) => u.setting === 'JCO_CONFIG')!.problem).toMatch(/point it at your partnership's file/);
  expect(unsafe.find((u) => u.setting === 'JCO_CONFIG people[0].apiKey')!.problem).toMatch(/demonstration key .* `npm run key:new`/);
  expect(unsafe.find((u) => u.setting === 'LINK_SIGNING_KEY')!.problem).toMatch(/openssl rand -base64 48/);
});

test('a demonstration key is recognised written as its digest too', () => {
  const p = loadPartnership();
  p.people[3]!.apiKey = `sha256:${digestOfApiKey(p.people[3]!.apiKey!).toString('hex')}`;
  const own = ownPartnership();
  own.raw.people[5]!.apiKey = p.people[3]!.apiKey;
  const env = readEnv({ ...deployment, JCO_CONFIG: own.file, LINK_SIGNING_KEY: strongKey });
  expect(unsafeSettings(env, own.raw)).toEqual([{ setting: 'JCO_CONFIG people[5].apiKey', problem: expect.stringContaining(`give "${own.raw.people[5]!.id}" a new one`) }]);
});

test('weak means published, short, or guessable: under 128 bits by a cautious estimate', () => {
  expect(linkSigningKeyWeakness('system-test-signing-key-0123456789abcdef')).toMatch(/published in this repository/);
  expect(linkSigningKeyWeakness('x'.repeat(40))).toMatch(/guessable \(about 0 bits/);
  expect(linkSigningKeyWeakness('passwordpasswordpasswordpassword')).toMatch(/guessable/);
  expect(linkSigningKeyWeakness('abcdefghijklmnopqrstuvwxyz0123456789')).toMatch(/guessable/);
  expect(linkSigningKeyWeakness('short')).toMatch(/shorter than 32/);
  expect(linkSigningKeyWeakness(strongKey)).toBeUndefined();
  // What the README and compose file say to use always passes.
  for (let i = 0; i < 200; i++) expect(linkSigningKeyWeakness(randomBytes(32).toString('base64'))).toBeUndefined();
  const env = readEnv({ ...deployment, JCO_CONFIG: ownPartnership().file, LINK_SIGNING_KEY: 'x'.repeat(40), LINK_SIGNING_KEYS_PREVIOUS: `${strongKey.slice(1)},system-test-signing-key-0123456789abcdef` });
  expect(unsafeSettings(env, loadPartnership(env.JCO_CONFIG)).map((u) => u.setting)).toEqual(['LINK_SIGNING_KEY', 'LINK_SIGNING_KEYS_PREVIOUS[1]']);
});

test('a deployment with its own file, digests and a strong key has nothing unsafe; a local run is never refused', () => {
  const own = ownPartnership();
  expect(unsafeSettings(readEnv({ ...deployment, JCO_CONFIG: own.file, LINK_SIGNING_KEY: strongKey }), loadPartnership(own.file))).toEqual([]);
});

test('an API key written as its digest signs its holder in; a malformed digest or one key given twice is refused', async () => {
  const own = ownPartnership();
  const check = identify(loadPartnership(own.file));
  const who = async (key: string) => {
    const req = { get: () => `Bearer ${key}` } as unknown as Parameters<typeof check>[0];
    let error: unknown;
    await check(req, {} as Parameters<typeof check>[1], (e?: unknown) => void (error = e));
    return error ? 'refused' : req.person!.id;
  };
  expect(await who(own.keys.get('nenc-commissioner')!)).toBe('nenc-commissioner');
  expect(await who('demo-key-nenc-commissioner-00001')).toBe('refused');
  expect(await who(own.raw.people[0]!.apiKey!)).toBe('refused');
  const bad = loadPartnership();
  bad.people[0]!.apiKey = 'sha256:abc';
  bad.people[2]!.apiKey = `sha256:${digestOfApiKey(bad.people[1]!.apiKey!).toString('hex').toUpperCase()}`;
  try {
    parsePartnership(bad);
    throw new Error('accepted');
  } catch (err) {
    expect((err as ConfigError).problems).toEqual([
      { path: 'people[0].apiKey', message: 'an API key has at least 24 characters, or is its digest written sha256:<64 hex digits> (npm run key:new)' },
      { path: 'people[2].apiKey', message: 'this API key is already given to another person' },
    ]);
  }
});

test('re-reading the file changes people and keys; a bad file, a demonstration key or new partners are refused and the old people stay', () => {
  const own = ownPartnership();
  const env = readEnv({ ...deployment, JCO_CONFIG: own.file, LINK_SIGNING_KEY: strongKey });
  const running = loadPartnership(own.file);
  const edited = structuredClone(own.raw);
  edited.people = edited.people.filter((p) => p.id !== 'lsc-finance');
  edited.people[0]!.apiKey = newApiKey().entry;
  edited.people.push({ ...edited.people[1]!, id: 'council-new-commissioner', email: 'new@council.example', apiKey: newApiKey().entry });
  edited.policies.leadPartnerAgreement.due = '20 working days';
  writeFileSync(own.file, stringify(edited));
  expect(reloadPeople(running, env)).toEqual({ added: 1, removed: 1, changed: 1, waitingForRestart: ['policies'] });
  expect(running.people.map((p) => p.id)).toContain('council-new-commissioner');
  expect(running.policies.leadPartnerAgreement.due).toBe(own.raw.policies.leadPartnerAgreement.due);
  const inForce = running.people;

  writeFileSync(own.file, 'people: [');
  expect(() => reloadPeople(running, env)).toThrow(ConfigError);
  writeFileSync(own.file, stringify({ ...edited, people: edited.people.map((p, i) => (i === 2 ? { ...p, apiKey: 'demo-key-council-procurement-0001' } : p)) }));
  expect(() => reloadPeople(running, env)).toThrow(/people\[2\]\.apiKey: is a demonstration key/);
  writeFileSync(own.file, stringify({ ...edited, partners: edited.partners.slice(0, 2), people: edited.people.filter((p) => p.partner !== 'lsc-icb') }));
  expect(() => reloadPeople(running, env)).toThrow(/restart the API and the worker/);
  expect(running.people).toBe(inForce);
});

test('the worker refuses the same settings at start-up (one rule, config/index.ts); scripts and local runs do not', () => {
  const run = (source: NodeJS.ProcessEnv, serving?: 'worker') => {
    const errors: string[] = [];
    const error = jest.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exited');
    });
    try {
      loadConfigOrExit(source, serving ? { serving } : {});
      return 'started';
    } catch {
      return errors.join('\n');
    } finally {
      error.mockRestore();
      exit.mockRestore();
    }
  };
  expect(run(deployment, 'worker')).toMatch(/^The worker will not start with settings anyone could use[^]*- JCO_CONFIG is not set[^]*- LINK_SIGNING_KEY is not set/);
  expect(run(deployment)).toBe('started');
  expect(run({ PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }, 'worker')).toBe('started');
});

test('the API refuses to start in production with the bundled partnership, naming each setting', () => {
  const role = 'api';
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, role, 'main.ts')], {
    env: { PATH: process.env['PATH'], ...deployment, SMTP_URL: 'smtp://127.0.0.1:1', PORT: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`The ${role} will not start with settings anyone could use`);
  expect(r.stderr).toMatch(/- JCO_CONFIG is not set/);
  expect(r.stderr).toMatch(/- JCO_CONFIG people\[0\]\.apiKey is a demonstration key/);
  expect(r.stderr).toMatch(/- LINK_SIGNING_KEY is not set/);
});

test('SIGHUP: the running API takes a new key at once, and keeps it when the next file is bad', async () => {
  const own = ownPartnership();
  const [port] = (await freePorts(1)) as [number];
  const api = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'api', 'main.ts')], {
    env: { PATH: process.env['PATH'], JCO_CONFIG: own.file, LINK_SIGNING_KEY: strongKey, PORT: String(port), JCO_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'jco-hup-')), TEMPORAL_ADDRESS: '127.0.0.1:1', PUBLIC_BASE_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  api.stdout.on('data', (c: Buffer) => (output += c.toString()));
  api.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const until = async (what: () => boolean | Promise<boolean>, ms = 30_000) => {
    for (const end = Date.now() + ms; !(await what()); ) {
      if (Date.now() > end) throw new Error(`timed out; the API said:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const status = async (key: string) => (await fetch(`http://127.0.0.1:${port}/api/v1/people/me`, { headers: { authorization: `Bearer ${key}` } })).status;
  try {
    await until(() => output.includes('api listening'));
    const oldKey = own.keys.get('council-finance')!;
    expect(await status(oldKey)).toBe(200);
    const fresh = newApiKey();
    writeFileSync(own.file, stringify({ ...own.raw, people: own.raw.people.map((p) => (p.id === 'council-finance' ? { ...p, apiKey: fresh.entry } : p)) }));
    api.kill('SIGHUP');
    await until(async () => (await status(fresh.key)) === 200);
    expect(await status(oldKey)).toBe(401);
    expect(output).toContain('"changed":1');
    writeFileSync(own.file, 'partners: [');
    api.kill('SIGHUP');
    await until(() => output.includes('partnership file refused on SIGHUP'));
    expect(await status(fresh.key)).toBe(200);
  } finally {
    api.kill('SIGTERM');
  }
}, 60_000);
