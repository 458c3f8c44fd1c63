import type { CommissionView } from '../../domain/commission';
import type { RunningSystem } from '../../scripts/lib/system';
import { headers, keys, sleep } from '../common';

/** What the load saw: every status by count, and the 5xx other than 503 (which must not happen). */
export interface LoadLog {
  statuses: Record<string, number>;
  faults: string[];
  /** 503s that came without Retry-After. */
  bare503: number;
}

export const newLog = (): LoadLog => ({ statuses: {}, faults: [], bare503: 0 });

/**
 * One HTTP call as a careful client makes it: on 503 or no answer it waits and tries again until
 * `deadlineMs`; it records every status it saw. Returns the last reply.
 */
export async function call(
  system: RunningSystem,
  log: LoadLog,
  method: string,
  path: string,
  key: string,
  body?: unknown,
  extra: Record<string, string> = {},
  deadlineMs = 180_000,
): Promise<{ status: number; json: unknown }> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    let status = 0;
    let json: unknown;
    try {
      const res = await fetch(`${system.baseUrl}${path}`, {
        method,
        headers: { ...headers(key), ...extra },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      status = res.status;
      const text = await res.text();
      json = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
      if (status === 503 && !res.headers.get('retry-after')) log.bare503++;
      if (status >= 500 && status !== 503) log.faults.push(`${method} ${path} → ${status} ${text.slice(0, 200)}`);
    } catch (err) {
      status = 0;
      json = (err as Error).message;
    }
    log.statuses[status] = (log.statuses[status] ?? 0) + 1;
    if ((status !== 0 && status !== 503) || Date.now() > until) return { status, json };
    await sleep(status === 503 ? 1000 : 500);
  }
}

/** Starts a three-partner commission (council leads; NENC and LSC must agree); an Idempotency-Key makes retries safe. */
export async function createCommission(system: RunningSystem, log: LoadLog, tag: string): Promise<string> {
  const res = await call(system, log, 'POST', '/api/v1/commissions', keys.council, {
    title: `Drill ${tag}`,
    partners: ['council', 'nenc-icb', 'lsc-icb'],
    proposedLead: 'council',
    estimatedValue: 50_000,
  }, { 'idempotency-key': `drill-${tag}` });
  if (res.status !== 201) throw new Error(`create ${tag}: ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`);
  return (res.json as { id: string }).id;
}

export const readCommission = async (system: RunningSystem, log: LoadLog, id: string): Promise<CommissionView> => {
  const res = await call(system, log, 'GET', `/api/v1/commissions/${id}`, keys.council);
  if (res.status !== 200) throw new Error(`read ${id}: ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`);
  return res.json as CommissionView;
};

/**
 * Agrees to the council's lead as NENC and LSC, once the task is open. A decision whose answer
 * was lost (the worker died) is retried; the workflow then says it was already made (409).
 */
export async function agreeToLead(system: RunningSystem, log: LoadLog, id: string): Promise<void> {
  const until = Date.now() + 300_000;
  while ((await readCommission(system, log, id)).openTasks.length === 0) {
    if (Date.now() > until) throw new Error(`${id}: the lead task never opened`);
    await sleep(300);
  }
  for (const key of [keys.nenc, keys.lsc]) {
    for (;;) {
      const res = await call(system, log, 'POST', `/api/v1/tasks/${id}.lead/decision`, key, { decision: 'agree' });
      if (res.status === 200 || res.status === 409) break;
      if (Date.now() > until) throw new Error(`${id}: decision ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`);
      await sleep(500);
    }
  }
}

/** Message-IDs of the mail the SMTP server received about these commissions (all, without), with how often each came. */
export function messageIds(system: RunningSystem, commissions?: string[]): Map<string, number> {
  const mine = commissions && new Set(commissions);
  const seen = new Map<string, number>();
  for (const raw of system.mailbox.messages) {
    const head = raw.subarray(0, raw.indexOf('\r\n\r\n') >>> 0).toString();
    const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '(none)';
    if (mine && !mine.has(/^<(jc-[a-z0-9]+)/.exec(id)?.[1] ?? '')) continue;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return seen;
}

export const duplicates = (ids: Map<string, number>): number => [...ids.values()].reduce((n, c) => n + c - 1, 0);

/** Every commission agreed, with both decisions recorded exactly once; returns what is wrong. */
export async function checkAgreed(system: RunningSystem, log: LoadLog, ids: string[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const id of ids) {
    const until = Date.now() + 60_000;
    let view = await readCommission(system, log, id);
    while (view.lead.status !== 'agreed' && Date.now() < until) {
      await sleep(500);
      view = await readCommission(system, log, id);
    }
    const decided = view.history.filter((e) => e.event === 'task-decided').map((e) => e.by).sort();
    if (view.lead.status !== 'agreed' || decided.join() !== 'lsc-commissioner,nenc-commissioner') {
      wrong.push(`${id}: lead ${view.lead.status}, decisions by ${decided.join(', ') || 'nobody'}`);
    }
  }
  return wrong;
}
