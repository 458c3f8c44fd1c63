import { spawn } from 'node:child_process';
import { projectRoot } from '../scripts/lib/provision';
import { verdict, writeResult } from './common';

/**
 * The whole test command's wall time (`npm test`: lint, typecheck, provisioning check, every
 * Jest test), with the per-test-file times Jest reports, so the slowest files are visible.
 */
export async function testTimeBenchmark(): Promise<string> {
  const began = performance.now();
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('npm', ['test'], { cwd: projectRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => void output.push(chunk.toString());
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', resolve);
  });
  const seconds = (performance.now() - began) / 1000;
  const text = output.join('');
  // Jest prints "PASS test/e2e/x.test.ts (12.3 s)" for files slower than a few seconds.
  const files = [...text.matchAll(/^(PASS|FAIL) (\S+)(?: \((\d+(?:\.\d+)?) s\))?/gm)].map((m) => ({ status: m[1]!, file: m[2]!, s: Number(m[3] ?? 0) }));
  const summary = /^\d+ passed, \d+ failed, \d+ skipped$/m.exec(text)?.[0] ?? 'no summary line';
  return writeResult('test-time', [
    `# The test command's wall time (${new Date().toISOString()})`,
    '',
    `\`npm test\` exited ${code} after ${(seconds / 60).toFixed(1)} min (${seconds.toFixed(0)} s): ${summary}. Goal under 10 min: ${verdict(code === 0 && seconds < 600)}. Shared 2-core machine.`,
    '',
    '| test file | result | s |',
    '| --- | --- | --- |',
    ...files.sort((a, b) => b.s - a.s).map((f) => `| ${f.file} | ${f.status} | ${f.s ? f.s.toFixed(1) : '< 5'} |`),
  ]);
}
