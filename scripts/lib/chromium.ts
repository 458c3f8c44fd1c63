import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian's Chromium for the browser tests (Playwright drives it by its executablePath: no browser
 * download is possible here). Installed with apt-get when absent (root only), as PostgreSQL is.
 * JCO_CHROMIUM names another binary instead; nothing is installed then.
 */
export const CHROMIUM = process.env['JCO_CHROMIUM'] ?? '/usr/bin/chromium';

/** The flags every run uses: headless, no sandbox (root in a container), nothing fetched from Google. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class ChromiumUnavailable extends Error {
  override name = 'ChromiumUnavailable';
}

function run(cmd: string, args: string[], timeoutMs: number): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: '/', timeout: timeoutMs, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim().split('\n').slice(-8).join('\n') };
}

/** Returns Chromium's path, installing Debian's package first when it is absent and we may. */
export function ensureChromium(log: (line: string) => void = (l) => console.error(`[chromium] ${l}`)): { path: string; did: string } {
  if (existsSync(CHROMIUM)) return { path: CHROMIUM, did: 'already installed' };
  if (process.env['JCO_CHROMIUM']) throw new ChromiumUnavailable(`JCO_CHROMIUM=${CHROMIUM} does not exist`);
  if (process.getuid?.() !== 0) throw new ChromiumUnavailable('Chromium is not installed and installing it needs root: run `apt-get install -y chromium` as root, or set JCO_CHROMIUM');
  if (!existsSync('/usr/bin/apt-get')) throw new ChromiumUnavailable('Chromium is not installed and apt-get is not here (not Debian/Ubuntu): install Chromium and set JCO_CHROMIUM to it');
  log('Chromium is not installed: apt-get install -y chromium');
  let inst = run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], 15 * 60_000);
  if (!inst.ok) {
    // A fresh machine's package lists may be empty or stale.
    log('apt-get update');
    run('apt-get', ['update'], 10 * 60_000);
    inst = run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], 15 * 60_000);
  }
  if (!inst.ok || !existsSync(CHROMIUM)) throw new ChromiumUnavailable(`apt-get install -y chromium failed: ${inst.output}`);
  return { path: CHROMIUM, did: 'installed (apt-get)' };
}
