import { spawn } from 'node:child_process';
import { startSystem } from '../scripts/lib/system';
import { benchEnv, startCommission } from './common';
import { forDuration } from './stats';

async function main(): Promise<void> {
  const system = await startSystem({ env: benchEnv });
  try {
    await system.killWorker();
    const w = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--import', 'tsx', 'worker/main.ts'], { env: system.env, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => w.stdout.on('data', (c: Buffer) => c.toString().includes('worker polling') && r()));
    const r = await forDuration(20_000, 20, (i) => startCommission(system.baseUrl, `probe ${i}`, `probe-${i}`));
    console.log(`done ${r.done} ${r.perSecond.toFixed(1)}/s`);
    await new Promise((r) => setTimeout(r, 3000));
    w.kill('SIGINT');
    await new Promise((r) => w.once('exit', r));
  } finally {
    await system.stop();
  }
}
void main();
