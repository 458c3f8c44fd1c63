import type { ParsedMail } from 'mailparser';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSystem, type RunningSystem } from '../../scripts/lib/system';
import type { Partnership } from '../../domain/partnership';
import { checkAgainstContract } from './contract';
import { answerFor } from './answer';
import { loadPartnership } from '../../config';
import type { CommissionView } from '../../domain/commission';

export const keys = {
  council: 'demo-key-council-commissioner-0001',
  nenc: 'demo-key-nenc-commissioner-00001',
  lsc: 'demo-key-lsc-commissioner-000001',
  councilFinance: 'demo-key-council-finance-000001',
};

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export function client(system: RunningSystem) {
  async function call<T = Record<string, unknown>>(method: string, path: string, opts: { key?: string; json?: unknown; headers?: Record<string, string>; form?: Record<string, string> } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers['authorization'] = `Bearer ${opts.key}`;
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    }
    const url = path.startsWith('http') ? path : `${system.baseUrl}${path}`;
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    checkAgainstContract(method, new URL(url).pathname, res.status, res.headers.get('content-type'), parsed);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }
  return { call };
}

/** The one decision link a mail carries (text and HTML parts must agree). */
export function linkIn(mail: ParsedMail): string {
  const inText = [...new Set((mail.text ?? '').match(/https?:\/\/\S+/g) ?? [])];
  const inHtml = [...new Set([...(typeof mail.html === 'string' ? mail.html : '').matchAll(/href="([^"]+)"/g)].map((m) => m[1]!))];
  if (inText.length !== 1 || inHtml.length !== 1 || inText[0] !== inHtml[0]) {
    throw new Error(`expected exactly one link, found text ${JSON.stringify(inText)} html ${JSON.stringify(inHtml)}`);
  }
  return inText[0]!;
}

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * What a person does with an emailed link: open the page, then press a button on it; with
 * `cookie`, in a browser signed in to the web service (as high-stakes decisions need).
 */
export async function decideByLink(api: ReturnType<typeof client>, link: string, fields: { decision: string; comment?: string; [input: string]: string | undefined }, opts: { cookie?: string } = {}) {
  const headers = opts.cookie ? { cookie: opts.cookie } : undefined;
  const pageReply = await api.call('GET', link, { headers });
  const formToken = /name="form" value="([^"]+)"/.exec(pageReply.text)?.[1];
  if (!formToken) return pageReply;
  const form = Object.fromEntries(Object.entries({ ...fields, comment: fields.comment ?? '', form: formToken }).filter((e): e is [string, string] => e[1] !== undefined));
  return api.call('POST', link, { form, headers });
}

/**
 * The development sign-in (embedded default only) as a browser goes through it: the sign-in page
 * (an anonymous session and its CSRF token), then the person's button. The session's cookie, and
 * where the service sends the browser next (`returnTo`, if it is a page of this service).
 */
export async function developmentSignIn(system: RunningSystem, person: string, returnTo: string): Promise<{ cookie: string; location: string | null }> {
  const cookieOf = (res: Response): string => res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  const page = await fetch(`${system.baseUrl}/sign-in?returnTo=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const signedIn = await fetch(`${system.baseUrl}/sign-in/development`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookieOf(page), origin: system.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ person, returnTo, csrf }).toString(),
  });
  expect(signedIn.status).toBe(303);
  return { cookie: cookieOf(signedIn), location: signedIn.headers.get('location') };
}

/** The emails to an address whose subject names `title`, once `count` have arrived. */
export async function mailAbout(system: RunningSystem, address: string, title: string, count = 1, timeoutMs = 30_000): Promise<ParsedMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await system.mailbox.parsed();
    const mine = all.filter(
      (m) => m.subject?.includes(title) && (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.value.some((v) => v.address === address)),
    );
    if (mine.length >= count) return mine;
    if (Date.now() > deadline) throw new Error(`expected ${count} email(s) to ${address} about "${title}", got ${mine.length}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const apiKeys = new Map(loadPartnership().people.flatMap((p) => (p.apiKey ? [[p.id, p.apiKey] as const] : [])));

/**
 * Walks a commission on over HTTP: answers its open tasks one at a time, each by an assignee
 * with an API key, as a willing participant would, until `stop` holds.
 */
export async function answerOpenTasks(api: ReturnType<typeof client>, commissionId: string, stop: (v: CommissionView) => boolean, timeoutMs = 60_000): Promise<CommissionView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = (await api.call<CommissionView>('GET', `/api/v1/commissions/${commissionId}`, { key: keys.council })).body;
    if (stop(v)) return v;
    if (Date.now() > deadline) throw new Error(`commission ${commissionId} did not reach the expected state; waiting for ${JSON.stringify(v.lifecycle?.waitingFor)}`);
    const task = v.openTasks[0];
    const answer = task && answerFor(task, { canAct: (p) => apiKeys.has(p) });
    if (!task || !answer) {
      await new Promise((r) => setTimeout(r, 150));
      continue;
    }
    const { by, ...json } = answer;
    await api.call('POST', `/api/v1/tasks/${task.id}/decision`, { key: apiKeys.get(by)!, json });
  }
}

/** The whole system on a changed copy of the bundled partnership (shorter policies, usually). */
export async function startSystemWith(change: (p: Partnership) => void): Promise<RunningSystem> {
  const partnership = loadPartnership();
  change(partnership);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'jco-partnership-')), 'partnership.json');
  writeFileSync(file, JSON.stringify(partnership));
  return startSystem({ env: { JCO_CONFIG: file } });
}
