import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { bundledPartnershipFile, loadConfigOrExit } from '../../config';

type File = { people: { id: string; partner?: string; roles: string[] }[] };
const bundled = (): File => parseYaml(readFileSync(bundledPartnershipFile, 'utf8')) as File;

/** Start-up as the worker and the API do it, with this partnership file: what it printed, and whether it exited. */
function startUp(file: File): { exited: boolean; errors: string; warnings: string } {
  const where = path.join(mkdtempSync(path.join(os.tmpdir(), 'jco-roles-')), 'partnership.json');
  writeFileSync(where, JSON.stringify(file));
  const errors: string[] = [];
  const warnings: string[] = [];
  const error = jest.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
  const warn = jest.spyOn(console, 'warn').mockImplementation((m: unknown) => void warnings.push(String(m)));
  const exit = jest.spyOn(process, 'exit').mockImplementation(() => {
    throw new Error('exited');
  });
  let exited = false;
  try {
    loadConfigOrExit({ JCO_CONFIG: where });
  } catch {
    exited = true;
  } finally {
    error.mockRestore();
    warn.mockRestore();
    exit.mockRestore();
  }
  return { exited, errors: errors.join('\n'), warnings: warnings.join('\n') };
}

test('the bundled partnership starts up without errors', () => {
  expect(startUp(bundled())).toMatchObject({ exited: false, errors: '' });
});

test('a partnership without a legal officer at an ICB is refused at start-up, naming the partner, the role and what would ask nobody', () => {
  const file = bundled();
  file.people = file.people.filter((p) => !(p.partner === 'nenc-icb' && p.roles.includes('legal')));
  const r = startUp(file);
  expect(r.exited).toBe(true);
  expect(r.errors).toMatch(/nenc-icb.*legal/);
  expect(r.errors).toMatch(/legal review/i);
});

test('a partner without an accountable officer, or a partnership without a board chair, is refused at start-up', () => {
  const file = bundled();
  file.people = file.people.map((p) => ({ ...p, roles: p.roles.filter((r) => !(r === 'board-chair' || (p.partner === 'lsc-icb' && r === 'accountable-officer'))) }));
  const r = startUp(file);
  expect(r.exited).toBe(true);
  expect(r.errors).toMatch(/lsc-icb.*accountable-officer/);
  expect(r.errors).toMatch(/board-chair/);
});
