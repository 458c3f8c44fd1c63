/**
 * Captures histories for the replay test from real end-to-end runs:
 * `npx tsx scripts/captureReplay.ts <label> [jest path patterns…]` (default: every test in
 * test/e2e). It runs those tests with JCO_CAPTURE_HISTORIES_DIR set, so each system they start
 * saves every workflow's history before it stops; then, for every workflow type the worker
 * bundles (workflows/index.ts, so new types are picked up by re-running this), it keeps a few
 * histories of distinct shapes under test/replay/<type>/<label>-<n>.json. Keep older files:
 * they prove new code still replays workflows started on old code.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import * as productWorkflows from '../workflows';
import { historyFromJSON } from '../test/histories/format';
import { projectRoot } from './lib/provision';

const PER_TYPE = 6;
const [label, ...patterns] = process.argv.slice(2);
if (!label || !/^[\w.-]+$/.test(label)) {
  console.error('usage: npx tsx scripts/captureReplay.ts <label, e.g. v4> [jest path patterns…]');
  process.exit(1);
}

const raw = mkdtempSync(path.join(os.tmpdir(), 'jco-capture-'));
const jest = spawnSync(process.execPath, [path.join(projectRoot, 'node_modules', 'jest', 'bin', 'jest.js'), '--runInBand', ...(patterns.length ? patterns : ['test/e2e'])], {
  cwd: projectRoot,
  env: { ...process.env, JCO_CAPTURE_HISTORIES_DIR: raw },
  stdio: 'inherit',
});
if (jest.status !== 0) console.error(`warning: the end-to-end tests exited with ${jest.status}; histories were still captured`);

/** What distinguishes one run from another: how it ended and which kinds of event it went through. */
function shapeOf(file: string): { shape: string; events: number } {
  const history = historyFromJSON(readFileSync(file, 'utf8'));
  const events = history.events ?? [];
  const types = [...new Set(events.map((e) => String(e.eventType)))].sort();
  const timers = events.filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_FIRED).length;
  return { shape: `${types.join(',')} timers:${Math.min(timers, 3)}`, events: events.length };
}

const out = path.join(projectRoot, 'test', 'replay');
const types = Object.entries(productWorkflows).filter(([, v]) => typeof v === 'function').map(([name]) => name);
const missing: string[] = [];
for (const type of types) {
  const dir = path.join(raw, type);
  const files = (() => {
    try {
      return readdirSync(dir).map((f) => path.join(dir, f));
    } catch {
      return [];
    }
  })();
  // The richest history of each shape first, then the shapes with the most events.
  const byShape = new Map<string, { file: string; events: number }>();
  for (const file of files) {
    const { shape, events } = shapeOf(file);
    const best = byShape.get(shape);
    if (!best || events > best.events) byShape.set(shape, { file, events });
  }
  const chosen = [...byShape.values()].sort((a, b) => b.events - a.events).slice(0, PER_TYPE);
  if (chosen.length === 0) missing.push(type);
  mkdirSync(path.join(out, type), { recursive: true });
  chosen.forEach((c, i) => {
    const target = path.join(out, type, `${label}-${i + 1}.json`);
    writeFileSync(target, readFileSync(c.file));
    console.log(`wrote ${path.relative(projectRoot, target)} (${c.events} events, from ${files.length} captured)`);
  });
}
rmSync(raw, { recursive: true, force: true });
if (missing.length) {
  console.error(`no end-to-end run started: ${missing.join(', ')}. Add an end-to-end test that does, then run this again.`);
  process.exit(1);
}
