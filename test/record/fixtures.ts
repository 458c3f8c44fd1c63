import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import type { ApiContext } from '../../api/context';
import { openMigratedDatabase, type Database } from '../../db';
import { appendEvents, keepPolicy, type RecordEvent } from '../../db/record';
import { checkAgainstContract } from '../helpers/contract';
import { testApiContext } from '../helpers/apiContext';

/** JSON answers (not NDJSON) are checked against the OpenAPI document, as the end-to-end tests do. */
function contract(method: string, p: string, status: number, headers: Headers, text: string): void {
  const type = headers.get('content-type') ?? '';
  if (/^application\/(problem\+)?json/.test(type)) checkAgainstContract(method, new URL(p, 'http://x').pathname, status, type, JSON.parse(text));
}

/** An embedded system of record in a fresh temporary folder. */
export async function tempDatabase(): Promise<{ database: Database; dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jco-record-'));
  return { database: await openMigratedDatabase({ dataDir: dir }), dir };
}

export interface CaseSpec {
  id: string;
  instance?: string;
  type?: 'commission' | 'dispute' | 'referral' | 'evaluation';
  partners: string[];
  startedAt?: string;
  /** Closed at this time; open when absent. */
  endedAt?: string;
  events?: RecordEvent[];
  /** Or this many generated events, one a minute from startedAt. */
  count?: number;
}

export const POLICY = 'policy-test-1';

/** A subject row, one task with an assignee, and its record events, as the workflows would write them. */
export async function seedCase(database: Database, c: CaseSpec): Promise<void> {
  const instance = c.instance ?? `${c.id}-run-1`;
  const type = c.type ?? 'commission';
  const startedAt = c.startedAt ?? '2026-01-05T09:00:00.000Z';
  const events =
    c.events ??
    Array.from({ length: c.count ?? 3 }, (_, i): RecordEvent => ({
      at: new Date(Date.parse(startedAt) + i * 60_000).toISOString(),
      event: i === 0 ? `${type}-created` : 'task-decided',
      by: 'council-commissioner',
      partner: 'council',
      role: 'commissioner',
      channel: 'api',
      what: `step ${i}`,
      reason: i % 2 ? 'because, as "agreed"' : undefined,
      policyVersion: POLICY,
    }));
  await database.write(async (tx) => {
    await tx
      .insertInto('subjects')
      .values({
        subject_id: c.id,
        instance,
        subject_type: type,
        workflow_id: `${type}-${c.id}`,
        title: `Test ${c.id}`,
        status: c.endedAt ? 'ended' : 'open',
        lead_partner: c.partners[0] ?? null,
        lead_status: 'agreed',
        partners: JSON.stringify(c.partners),
        next_due_at: null,
        is_open: c.endedAt ? 0 : 1,
        started_at: startedAt,
        ended_at: c.endedAt ?? null,
        updated_at: c.endedAt ?? startedAt,
        seq: 1,
        view: '{}',
      })
      .execute();
    const taskId = `task-${c.id}-${instance}`;
    await tx
      .insertInto('tasks')
      .values({ task_id: taskId, subject_id: c.id, instance, subject_type: type, kind: 'lead-partner-agreement', status: 'open', due_at: startedAt, created_at: startedAt, body: '{}', seq: 1 })
      .execute();
    await tx.insertInto('task_assignees').values({ task_id: taskId, instance, person: 'nenc-commissioner' }).execute();
    await appendEvents(tx, { id: c.id, instance, type }, 0, events, startedAt);
  });
  await keepPolicy(database, POLICY, '{"policies":{"test":true}}');
}

export const keys = {
  councilOfficer: 'demo-key-council-records-officer-01',
  nencOfficer: 'demo-key-nenc-records-officer-0001',
  lscOfficer: 'demo-key-lsc-records-officer-00001',
  councilCommissioner: 'demo-key-council-commissioner-0001',
  boardChair: 'demo-key-board-chair-0000000001',
};

/** The real app on the given database; its Temporal connection is lazy and these routes never use it. */
export async function serve(database: Database, overrides: Partial<ApiContext> = {}): Promise<{ base: string; close(): Promise<void> }> {
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const ctx = testApiContext(connection, database, { policyVersion: POLICY, rateLimitPerMinute: 10_000, ...overrides });
  const server: http.Server = createApp(ctx).listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((r) => server.close(r));
      await connection.close();
    },
  };
}

export async function get(base: string, p: string, key?: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; json: () => Record<string, unknown> }> {
  const res = await fetch(`${base}${p}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
  const text = await res.text();
  contract('GET', p, res.status, res.headers, text);
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

export async function post(base: string, p: string, key: string | undefined, body: unknown): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  contract('POST', p, res.status, res.headers, text);
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
