import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { readEnv } from '../config';
import { startDevMailbox, type DevMailbox } from './lib/devMailbox';
import { startDevServer, type DevServer } from './lib/devServer';
import { spawnRole, stopChild, waitForHttp } from './lib/processes';
import { ensureTemporalCli, projectRoot, ProvisionError } from './lib/provision';
import { partConsole } from './lib/consoleLines';

/**
 * `npm start`: the embedded default. A Temporal dev server persisting to var/temporal.db, a
 * local dev mailbox, the worker and the API, each a real process, stopped together by Ctrl-C.
 */
const varDir = path.join(projectRoot, 'var');
const TEMPORAL_PORT = 7233;
const UI_PORT = 8233;
const SMTP_PORT = 1025;

function signingKey(): string {
  const file = path.join(varDir, 'link-signing-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** A part's output as readable lines (scripts/lib/consoleLines.ts): its JSON logs stay the processes' own. */
const prefix = (name: string) => {
  const readable = partConsole(name);
  return (line: string) => {
    const shown = readable(line);
    if (shown) console.log(shown);
  };
};

async function main(): Promise<void> {
  const started = Date.now();
  const env = readEnv();
  mkdirSync(varDir, { recursive: true });
  let temporal: DevServer | undefined;
  let mailbox: DevMailbox | undefined;
  const children: ChildProcess[] = [];
  let stopping = false;

  async function stopAll(code: number): Promise<never> {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    const names = ['worker', 'api'];
    for (const [i, c] of [...children.entries()].reverse()) {
      console.log(`${names[i]}: stopping`);
      await stopChild(c);
      console.log(`${names[i]}: stopped`);
    }
    if (mailbox) console.log('mailbox: stopping');
    await mailbox?.close();
    if (temporal) console.log('Temporal: stopping');
    await temporal?.stop();
    console.log('stopped');
    process.exit(code);
  }
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  try {
    const externalTemporal = process.env['TEMPORAL_ADDRESS'];
    if (!externalTemporal) {
      console.log('Temporal: starting the dev server (var/temporal.db)');
      temporal = await startDevServer({
        cli: ensureTemporalCli((s) => console.log(s)),
        port: TEMPORAL_PORT,
        uiPort: UI_PORT,
        dbFile: path.join(varDir, 'temporal.db'),
        onOutput: prefix('Temporal'),
      });
      console.log(`Temporal: ready at ${temporal.address}`);
    }
    const mailDir = path.join(varDir, 'mail');
    let smtpUrl = env.SMTP_URL;
    if (!smtpUrl) {
      console.log('mailbox: starting');
      mailbox = await startDevMailbox({ dir: mailDir, port: SMTP_PORT });
      smtpUrl = mailbox.url;
      console.log(`mailbox: ready, SMTP at ${mailbox.url}`);
    }
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: externalTemporal ?? temporal!.address,
      SMTP_URL: smtpUrl,
      LINK_SIGNING_KEY: env.LINK_SIGNING_KEY ?? signingKey(),
      JCO_DATA_DIR: path.resolve(env.JCO_DATA_DIR),
      WORKER_METRICS_ADDRESS: env.WORKER_METRICS_ADDRESS ?? '127.0.0.1:9464',
      WORKER_METRICS_URL: env.WORKER_METRICS_URL ?? 'http://127.0.0.1:9464/metrics',
      ...(mailbox ? { JCO_DEV_MAIL_DIR: mailDir } : {}),
    };
    for (const role of ['worker', 'api'] as const) {
      console.log(`${role}: starting`);
      const child = spawnRole(role, childEnv, prefix(role));
      child.once('exit', (code, signal) => {
        if (!stopping) {
          console.error(`${role} stopped unexpectedly (${signal ?? `exit ${code}`}); stopping everything`);
          void stopAll(1);
        }
      });
      children.push(child);
    }
    const base = `http://localhost:${env.PORT}`;
    await waitForHttp(`${base}/readyz`, 120_000);
    console.log(
      [
        '',
        `Joint Commissioning Orchestrator is ready (${((Date.now() - started) / 1000).toFixed(1)}s)`,
        `  Web service    ${base}/  (sign in as a demonstration person)`,
        `  API            ${base}/api/v1  (docs: ${base}/api/v1/docs)`,
        `  Temporal UI    ${temporal?.uiUrl ?? `(external Temporal at ${externalTemporal})`}`,
        `  Mailbox        ${mailbox ? `${base}/dev/mail  (SMTP ${mailbox.url}, saved under var/mail)` : `SMTP_URL ${smtpUrl}`}`,
        `  Temporal data  ${temporal ? 'var/temporal.db (SQLite, WAL)' : 'external'}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    console.error(err instanceof ProvisionError ? err.message : `start failed: ${(err as Error).message}`);
    await stopAll(1);
  }
}

void main();
