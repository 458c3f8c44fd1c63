import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPartnership } from '../config';
import type { Partnership } from '../domain/partnership';

/** API keys of the bundled partnership's demonstration people. */
export const keys = {
  council: 'demo-key-council-commissioner-0001',
  nenc: 'demo-key-nenc-commissioner-00001',
  lsc: 'demo-key-lsc-commissioner-000001',
};

export const headers = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

/** Benchmarks are one caller's load: lift the per-key limit so they measure the system, not the limiter. */
export const benchEnv = { RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'warn' };

/** Starts a two-partner commission (council leads, NENC must agree) and returns its id. */
export async function startCommission(baseUrl: string, title: string, idempotencyKey?: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/commissions`, {
    method: 'POST',
    headers: { ...headers(keys.council), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify({ title, partners: ['council', 'nenc-icb'], proposedLead: 'council', estimatedValue: 10_000 }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`start "${title}": ${res.status} ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { id: string }).id;
}

/** A copy of the bundled partnership file with some policies changed (short deadlines), for JCO_CONFIG. */
export function partnershipFile(change: (p: Partnership) => void): string {
  const partnership = loadPartnership();
  change(partnership);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'jco-bench-partnership-')), 'partnership.json');
  writeFileSync(file, JSON.stringify(partnership));
  return file;
}

/** Writes bench/results/<name>.md and returns the text, so the runner can print it too. */
export function writeResult(name: string, lines: string[]): string {
  const text = lines.join('\n');
  writeFileSync(path.join(__dirname, 'results', `${name}.md`), `${text}\n`);
  return text;
}

export const verdict = (met: boolean): string => (met ? 'met' : 'not met');
export const ms = (n: number): string => n.toFixed(1);
export const sleep = (millis: number): Promise<void> => new Promise((r) => setTimeout(r, millis));

/** Waits until the NENC commissioner's inbox shows `n` tasks: that many commissions have run their first steps. */
export async function settled(baseUrl: string, n: number, timeoutMs = 600_000): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inbox = (await (await fetch(`${baseUrl}/api/v1/tasks`, { headers: headers(keys.nenc) })).json()) as { tasks: { id: string; subject: { id: string } }[] };
    // Subject id → its open task's id (ids name their case, so they are read, not built).
    if (inbox.tasks.length >= n) return new Map(inbox.tasks.map((t) => [t.subject.id, t.id]));
    if (Date.now() > deadline) throw new Error(`only ${inbox.tasks.length} of ${n} tasks opened`);
    await sleep(500);
  }
}
