import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureSchemathesis, projectRoot } from './provision';

export interface SchemathesisRun {
  /** Schemathesis's exit status: 0 when it found nothing. */
  status: number | null;
  /** Its SUMMARY section (operations, phases, failures, test cases), or the output's last lines. */
  summary: string;
  output: string;
  ms: number;
}

export interface SchemathesisOptions {
  /** The API key of the person it signs in as. */
  apiKey: string;
  /** Test cases per operation and phase. */
  maxExamples: number;
  seed: number;
  /** Default: every phase (examples, coverage, fuzzing, stateful). */
  phases?: string[];
  /** Identifiers that exist, so generated requests reach a real subject as well as unknown ones. */
  parameters?: Record<string, string>;
  /**
   * Default 1: with more, Hypothesis describing its strategies parses source in several threads at
   * once, and CPython 3.11's parser then fails ("AST constructor recursion depth mismatch"), which
   * Schemathesis reports as a runtime error of the operation it was testing.
   */
  workers?: number;
  /** Default: both schema-valid and schema-invalid requests. */
  mode?: 'positive' | 'negative' | 'all';
}

/**
 * Schemathesis (PyPI, pinned in provision.ts) against a running API's OpenAPI document, with the
 * checks configured in scripts/schemathesis.toml. For the drill (bench/drills/schemathesis.ts) and
 * the test command's short run (test/e2e/operations.test.ts).
 */
export async function runSchemathesis(baseUrl: string, opts: SchemathesisOptions): Promise<SchemathesisRun> {
  const pythonPath = ensureSchemathesis();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jco-schemathesis-'));
  const config = path.join(dir, 'schemathesis.toml');
  const base = readFileSync(path.join(projectRoot, 'scripts', 'schemathesis.toml'), 'utf8');
  const parameters = Object.entries(opts.parameters ?? {}).map(([k, v]) => `${JSON.stringify(k)} = ${JSON.stringify(v)}`);
  writeFileSync(config, parameters.length ? `${base}\n[parameters]\n${parameters.join('\n')}\n` : base);
  const args = [
    '-m', 'schemathesis.cli', '--no-color', '--config-file', config, 'run', `${baseUrl}/api/v1/openapi.json`,
    '--header', `Authorization: Bearer ${opts.apiKey}`,
    '--max-examples', String(opts.maxExamples),
    '--seed', String(opts.seed),
    '--workers', String(opts.workers ?? 1),
    '--report', 'junit', '--report-dir', dir,
    ...(opts.phases ? ['--phases', opts.phases.join(',')] : []),
    ...(opts.mode ? ['--mode', opts.mode] : []),
  ];
  const started = Date.now();
  const child = spawn('python3', args, { env: { ...process.env, PYTHONPATH: pythonPath }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const at = output.lastIndexOf('SUMMARY');
  const summary = at >= 0 ? output.slice(output.lastIndexOf('\n', at) + 1).trim() : output.split('\n').slice(-40).join('\n');
  return { status, summary, output, ms: Date.now() - started };
}

/** The run's summary, and its errors and failures in full if there were any: what a report keeps. */
export const reportLines = (r: SchemathesisRun): string[] => {
  const starts = ['ERRORS', 'FAILURES'].map((h) => r.output.indexOf(`= ${h} =`)).filter((i) => i >= 0);
  const first = starts.length ? Math.min(...starts) : -1;
  const end = r.output.indexOf('= WARNINGS =');
  const detail = first >= 0 ? r.output.slice(r.output.lastIndexOf('\n', first) + 1, end > first ? r.output.lastIndexOf('\n', end) : undefined).trim().split('\n') : [];
  return [...detail, ...r.summary.split('\n')];
};
