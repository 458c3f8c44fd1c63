import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { bundleWorkflowCode } from '@temporalio/worker';
// The SDK's own set-up of a workflow's context (globals, console), so the contexts here are the worker's.
import { injectGlobals } from '@temporalio/worker/lib/workflow/vm-shared';
import { cachedWorkflowBundle } from '../worker/bundle';
import { loadPartnership, policyVersionOf } from '../config';
import { calendarOf } from '../domain/partnership';
import { ms, writeResult } from './common';

/**
 * What each cached workflow pays for the bundle's modules (issue 15, item 1): the worker gives
 * every cached workflow a V8 context of its own, in which the bundle's modules are evaluated
 * afresh. For the code at `base` (before) and the working tree (after), in one run: the time to
 * set up a context and evaluate the workflow modules, then the first commission input check
 * (which builds its schema, if the modules did not already), and the heap each such context keeps.
 */
const root = path.join(__dirname, '..');
const CONTEXTS = 50;

type Loaded = { context: vm.Context; loadMs: number; firstCheckMs: number };

function newContext(code: vm.Script, input: unknown, check: boolean): Loaded {
  const began = performance.now();
  const context = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
  injectGlobals(context);
  context.__webpack_module_cache__ = {};
  code.runInContext(context);
  vm.runInContext('__TEMPORAL__.importWorkflows()', context);
  const loaded = performance.now();
  if (!check) return { context, loadMs: loaded - began, firstCheckMs: 0 };
  // The check every commission's first workflow task runs: a schema, or (since item 1) the getter of one.
  context.__input = input;
  const ok = vm.runInContext(
    `(() => { const c = __webpack_module_cache__; const m = c[Object.keys(c).find((k) => k.endsWith('domain/commission.ts'))].exports; const s = typeof m.commissionInputSchema === 'function' ? m.commissionInputSchema() : m.commissionInputSchema; return s.safeParse(__input).success; })()`,
    context,
  ) as boolean;
  if (!ok) throw new Error('the sample commission input did not pass its check');
  return { context, loadMs: loaded - began, firstCheckMs: performance.now() - loaded };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Figures = { loadMs: number; loadHeapKb: number; firstCheckMs: number; heapKb: number };

/** Heap kept per context (KB) and the contexts, after a full collection with all of them alive. */
function kept(script: vm.Script, input: unknown, check: boolean, gc: () => void): { heapKb: number; contexts: Loaded[] } {
  gc();
  const before = process.memoryUsage().heapUsed;
  const contexts = Array.from({ length: CONTEXTS }, () => newContext(script, input, check));
  gc();
  return { heapKb: (process.memoryUsage().heapUsed - before) / CONTEXTS / 1024, contexts };
}

function measure(code: string, input: unknown, gc: () => void): Figures {
  const script = new vm.Script(code, { filename: 'workflow-bundle.js' });
  for (let i = 0; i < 5; i++) newContext(script, input, true); // warm up the compiler
  const loadOnly = kept(script, input, false, gc);
  const loadMs = median(loadOnly.contexts.map((k) => k.loadMs));
  loadOnly.contexts.length = 0; // let them go before the next side is measured
  const checked = kept(script, input, true, gc);
  return {
    loadMs,
    loadHeapKb: loadOnly.heapKb,
    firstCheckMs: median(checked.contexts.map((k) => k.firstCheckMs)),
    heapKb: checked.heapKb,
  };
}

/** The workflow bundle of the code at a git revision, built from a copy of its tree. */
async function bundleAt(rev: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jco-bench-base-'));
  try {
    execSync(`git archive --format=tar ${rev} | tar -x -C ${JSON.stringify(dir)}`, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    const quiet = () => undefined;
    const { code } = await bundleWorkflowCode({ workflowsPath: path.join(dir, 'workflows', 'index.ts'), logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error } });
    return code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function workflowLoadBenchmark(base = process.env.JCO_BENCH_BASE ?? 'main'): Promise<string> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const p = loadPartnership();
  const input = {
    id: 'jc-abcdefghij',
    title: 'Short breaks for disabled children',
    partners: p.partners.slice(0, 2).map((x) => ({ id: x.id, name: x.name })),
    proposedLead: p.partners[0]!.id,
    estimatedValue: 10_000,
    highRiskFactors: [],
    healthCareService: false,
    createdBy: { person: 'council-commissioner', partner: p.partners[0]!.id },
    calendar: calendarOf(p),
    policy: { leadPartnerAgreement: p.policies.leadPartnerAgreement, dispute: p.policies.dispute, lifecycle: p.policies.lifecycle },
    partnership: p.partners.map((x) => ({ id: x.id, name: x.name })),
    policyVersion: policyVersionOf(p),
  };
  const baseRev = execSync(`git rev-parse --short ${base}`, { cwd: root }).toString().trim();
  const head = execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim();
  const bundles = { before: await bundleAt(base), after: (await cachedWorkflowBundle()).code };
  // Alternate, so neither side has the warmer process.
  const runs = { before: [] as Figures[], after: [] as Figures[] };
  for (let round = 0; round < 3; round++) for (const side of ['before', 'after'] as const) runs[side].push(measure(bundles[side], input, gc));
  const pick = (side: 'before' | 'after'): Figures => ({
    loadMs: median(runs[side].map((r) => r.loadMs)),
    loadHeapKb: median(runs[side].map((r) => r.loadHeapKb)),
    firstCheckMs: median(runs[side].map((r) => r.firstCheckMs)),
    heapKb: median(runs[side].map((r) => r.heapKb)),
  });
  const before = pick('before');
  const after = pick('after');
  const row = (name: string, r: Figures) => `| ${name} | ${ms(r.loadMs)} | ${r.loadHeapKb.toFixed(0)} | ${ms(r.firstCheckMs)} | ${ms(r.loadMs + r.firstCheckMs)} | ${r.heapKb.toFixed(0)} |`;
  return writeResult('workflow-load', [
    `# Each cached workflow's own copy of the workflow modules (${new Date().toISOString()})`,
    '',
    `${CONTEXTS} fresh workflow contexts per side (the SDK's globals, the bundle run, the workflow modules imported, as the worker does for each`,
    `new or evicted workflow without \`reuseV8Context\`), 3 rounds alternating, medians. Before: \`${base}\` (${baseRev}); after: the working tree at ${head}.`,
    'The first check is the commission input check its first workflow task runs (since item 1 it builds the schemas it reads).',
    'Heap: kept per context after a full collection, all contexts alive, as the sticky cache keeps them. Shared 2-core machine.',
    '',
    '| code | load (ms) | heap after load (KB) | first commission check (ms) | load and check (ms) | heap after load and check (KB) |',
    '| --- | --- | --- | --- | --- | --- |',
    row('before', before),
    row('after', after),
  ]);
}
