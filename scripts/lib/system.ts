import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { PayloadEncryptionCodec, payloadKeysFrom } from '../../codec/payloadEncryption';
import { captureHistories } from './captureHistories';
import { startDevMailbox, type DevMailbox } from './devMailbox';
import { startDevServer, type DevServer } from './devServer';
import { spawnRole, stopChild, waitForHttp } from './processes';
import { freePorts } from './ports';
import { ensureTemporalCli } from './provision';

export interface RunningSystem {
  baseUrl: string;
  dataDir: string;
  temporal: DevServer;
  mailbox: DevMailbox;
  env: NodeJS.ProcessEnv;
  /** The payload codec the system's processes use: a client of its own (a benchmark, a test) needs it to read or send. */
  dataConverter: DataConverter | undefined;
  worker: ChildProcess;
  api: ChildProcess;
  startWorker(): Promise<void>;
  /** Stops the Temporal dev server (its SQLite file stays). */
  stopTemporal(): Promise<void>;
  /** Starts it again on the same port and file. */
  startTemporal(): Promise<void>;
  /** Stops the SMTP server (mail cannot be delivered until `startMailbox`). */
  stopMailbox(): Promise<void>;
  /** Starts it again on the same port, keeping what it received before. */
  startMailbox(opts?: Omit<Parameters<typeof startDevMailbox>[0], 'port'>): Promise<void>;
  killWorker(signal?: NodeJS.Signals): Promise<void>;
  /** Another API process on the same Temporal server and database; returns its base URL. */
  startAnotherApi(): Promise<string>;
  /** Another worker process on the same task queue and database. */
  startAnotherWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole system on loopback, as real processes: a dev server (SQLite, WAL), a real SMTP
 * receiver, the production worker and API entry points. Used by end-to-end tests and benchmarks.
 */
export async function startSystem(opts: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<RunningSystem> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'jco-system-'));
  const [apiPort, workerMetricsPort] = (await freePorts(2)) as [number, number];
  // The dev server picks some of its own ports at random; on a busy machine another process can
  // take one first, and the server exits at once. A fresh set of ports then starts it.
  let temporal: Awaited<ReturnType<typeof startDevServer>> | undefined;
  let temporalPort = 0;
  for (let attempt = 1; !temporal; attempt++) {
    [temporalPort] = (await freePorts(1)) as [number];
    try {
      temporal = await startDevServer({ cli: ensureTemporalCli(), port: temporalPort, dbFile: path.join(dataDir, 'temporal.db') });
    } catch (err) {
      if (attempt >= 3 || !/exited with code/.test((err as Error).message)) throw err;
    }
  }
  const mailbox = await startDevMailbox();
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: 'jco-system',
    SMTP_URL: mailbox.url,
    MAIL_FROM: 'Joint Commissioning <jco@test.example>',
    PUBLIC_BASE_URL: baseUrl,
    PORT: String(apiPort),
    LINK_SIGNING_KEY: 'system-test-signing-key-0123456789abcdef',
    JCO_DATA_DIR: dataDir,
    WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}`,
    WORKER_METRICS_URL: `http://127.0.0.1:${workerMetricsPort}/metrics`,
    // Payloads encrypted as in production (histories captured for replay tests stay plain: they replay without keys).
    ...(process.env['JCO_CAPTURE_HISTORIES_DIR'] ? {} : { JCO_PAYLOAD_KEYS: `system-test:${randomBytes(32).toString('base64')}` }),
    ...opts.env,
  };
  // The last lines each process printed, to say why if the system does not come up.
  const recent: string[] = [];
  const log = (line: string): void => {
    recent.push(line);
    if (recent.length > 40) recent.shift();
    opts.log?.(line);
  };
  const others: ChildProcess[] = [];
  const system: RunningSystem = {
    baseUrl,
    dataDir,
    temporal,
    mailbox,
    env,
    dataConverter: env['JCO_PAYLOAD_KEYS'] ? { payloadCodecs: [new PayloadEncryptionCodec(payloadKeysFrom(env['JCO_PAYLOAD_KEYS']))] } : undefined,
    worker: spawnRole('worker', env, (l) => log(`[worker] ${l}`)),
    api: spawnRole('api', env, (l) => log(`[api] ${l}`)),
    async startWorker() {
      system.worker = spawnRole('worker', env, (l) => log(`[worker] ${l}`));
      await waitForWorkerPolling(system);
    },
    async stopTemporal() {
      await system.temporal.stop();
    },
    async startTemporal() {
      system.temporal = await startDevServer({ cli: ensureTemporalCli(), port: temporalPort, dbFile: path.join(dataDir, 'temporal.db') });
    },
    async stopMailbox() {
      await system.mailbox.close();
    },
    async startMailbox(mailOpts = {}) {
      const before = system.mailbox.messages;
      system.mailbox = await startDevMailbox({ port: mailbox.port, ...mailOpts });
      system.mailbox.messages.unshift(...before);
    },
    async killWorker(signal: NodeJS.Signals = 'SIGKILL') {
      const w = system.worker;
      if (w.exitCode !== null || w.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.kill(signal);
      await exited;
    },
    async startAnotherApi() {
      const [port] = (await freePorts(1)) as [number];
      others.push(spawnRole('api', { ...env, PORT: String(port) }, (l) => log(`[api ${port}] ${l}`)));
      const url = `http://127.0.0.1:${port}`;
      await waitForHttp(`${url}/readyz`, 120_000);
      return url;
    },
    async startAnotherWorker() {
      // A second worker's metrics need a port of their own.
      const [port] = (await freePorts(1)) as [number];
      const worker = spawnRole('worker', { ...env, WORKER_METRICS_ADDRESS: `127.0.0.1:${port}` }, (l) => log(`[worker 2] ${l}`));
      others.push(worker);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the second worker did not start polling within 120s')), 120_000);
        worker.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('worker polling')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    },
    async stop() {
      for (const child of others) await stopChild(child);
      const captureDir = process.env['JCO_CAPTURE_HISTORIES_DIR'];
      if (captureDir) await captureHistories(system.temporal.address, captureDir).catch((err: unknown) => console.error(`capturing histories failed: ${(err as Error).message}`));
      await stopChild(system.api);
      await stopChild(system.worker);
      await system.mailbox.close().catch(() => undefined);
      await system.temporal.stop();
    },
  };
  try {
    await waitForHttp(`${baseUrl}/readyz`, 120_000);
  } catch (err) {
    await system.stop();
    throw new Error(`${(err as Error).message}\nlast output:\n${recent.join('\n')}`);
  }
  return system;
}

/** Waits for the worker's line that it polls; /readyz may still remember the last one's polls. */
async function waitForWorkerPolling(system: RunningSystem): Promise<void> {
  const w = system.worker;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not start polling within 120s')), 120_000);
    const onData = (chunk: Buffer): void => {
      if (chunk.toString().includes('worker polling')) {
        clearTimeout(timer);
        resolve();
      }
    };
    w.stdout?.on('data', onData);
    w.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited with ${code}`));
    });
  });
}
