import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../scripts/lib/provision';
import { verdict, writeResult } from './common';

/**
 * The test command as CI runs it (`.ci/run`: `npm ci && npm test`, with CI=true) on a fresh clone of
 * the last commit, `../shared` beside it, timed phase by phase, with the per-file times Jest
 * reports so the slowest files are visible. Caches outside the clone (npm's, the Temporal servers'
 * downloads are inside it) are what this machine has; a new machine downloads more.
 */
export async function testTimeBenchmark(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jco-test-time-'));
  const clone = path.join(dir, 'main');
  try {
    execFileSync('git', ['clone', '-q', projectRoot, clone]);
    cpSync(path.join(projectRoot, '..', 'shared'), path.join(dir, 'shared'), { recursive: true });
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: clone }).toString().trim();
    const install = await timed('npm', ['ci'], clone);
    const test = install.code === 0 ? await timed('npm', ['test'], clone) : { code: null, seconds: 0, output: '' };
    const total = install.seconds + test.seconds;
    // Jest prints a failed file's line again in its summary: one row a file.
    const rows = [...test.output.matchAll(/^(PASS|FAIL) (\S+)(?: \((\d+(?:\.\d+)?) s\))?/gm)].map((m) => ({ status: m[1]!, file: m[2]!, s: Number(m[3] ?? 0) }));
    const files = [...new Map(rows.map((f) => [f.file, f])).values()];
    // What failed, in Jest's words, so a failure in a fresh clone can be read afterwards.
    const failures = [...test.output.matchAll(/^\s+● [\s\S]*?(?=^\s+● |^Test Suites:|^Tests by kind)/gm)].map((m) => m[0].trimEnd()).filter((b) => !/^\s+● Console/.test(b)).map((b) => b.split('\n').slice(0, 40).join('\n'));
    const summary = /^\d+ passed, \d+ failed, \d+ skipped$/m.exec(test.output)?.[0] ?? 'no summary line';
    const jest = /^Time:\s+([\d.]+) s/m.exec(test.output)?.[1];
    const cpu = childCpuSeconds();
    return writeResult('test-time', [
      `# The test command's wall time from a fresh clone (${new Date().toISOString()}, commit ${commit})`,
      '',
      `\`npm ci && npm test\` (CI=true) exited ${test.code ?? install.code} after ${(total / 60).toFixed(1)} min (${total.toFixed(0)} s): ${summary}. Goal under 10 min: ${verdict(test.code === 0 && total < 600)}.`,
      '',
      '| phase | s |',
      '| --- | --- |',
      `| \`npm ci\` | ${install.seconds.toFixed(0)} |`,
      `| \`npm test\` before Jest (lint and typecheck beside provisioning) | ${jest ? (test.seconds - Number(jest)).toFixed(0) : '?'} |`,
      `| Jest (three workers) | ${jest ? Number(jest).toFixed(0) : '?'} |`,
      `| CPU of every process, user and system | ${cpu.toFixed(0)} (${(cpu / total / os.cpus().length * 100).toFixed(0)} % of ${os.cpus().length} cores) |`,
      '',
      '| test file | result | s |',
      '| --- | --- | --- |',
      ...files.sort((a, b) => b.s - a.s).map((f) => `| ${f.file} | ${f.status} | ${f.s ? f.s.toFixed(1) : '< 5'} |`),
      ...(failures.length ? ['', '## Failures (the first 40 lines of each)', '', '```', ...failures.slice(0, 10), '```'] : []),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timed(command: string, args: string[], cwd: string): Promise<{ code: number | null; seconds: number; output: string }> {
  const began = performance.now();
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => void output.push(chunk.toString());
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', resolve);
  });
  return { code, seconds: (performance.now() - began) / 1000, output: output.join('') };
}

/** CPU seconds of the children this process has waited for (and theirs): /proc's cutime and cstime. */
function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the command's name: state is field 3; cutime and cstime are fields 16 and 17.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
