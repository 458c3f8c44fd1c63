import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { connectWithRetry } from './retry';

export interface DevServer {
  address: string;
  uiUrl?: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `temporal server start-dev` on loopback. With a database file it persists to SQLite in WAL
 * mode, so open workflows survive a restart; without one it keeps everything in memory.
 */
export async function startDevServer(opts: {
  cli: string;
  port: number;
  dbFile?: string;
  uiPort?: number;
  onOutput?: (line: string) => void;
}): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'error', '--namespace', 'default'];
  if (opts.dbFile) {
    mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  const child = spawn(opts.cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) opts.onOutput?.(line);
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${opts.port}`;
  let earlyExit = false;
  void exited.then(() => (earlyExit = true));

  await connectWithRetry(
    'the Temporal dev server',
    async () => {
      if (earlyExit) throw Object.assign(new Error(`temporal exited with code ${child.exitCode}`), { fatal: true });
      const c = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await c.workflowService.getSystemInfo({});
      } finally {
        await c.close();
      }
    },
    60_000,
  );
  return {
    address,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
