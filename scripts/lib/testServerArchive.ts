import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

/**
 * The time-skipping server's class archive (Java's application class-data sharing): every workflow
 * test starts a server of its own, and most of a start is the JVM loading and verifying the same
 * classes again. With an archive of the classes a server uses, a start takes about half the CPU
 * (measured: 1.3 s → 0.6 s until it listens). The launcher uses the archive when it is there and
 * was made by this JVM from these jars; otherwise Java quietly loads classes as before, so the
 * archive is only ever a speed-up.
 */
export function testServerArchivePath(testServerLib: string): string {
  return path.join(testServerLib, '..', 'classes.jsa');
}

/** What the archive was made from: a new JVM or new jars make a new one. */
function stampOf(testServerLib: string, javaVersion: string): string {
  return `${javaVersion.trim()}\n${readFileSync(path.join(testServerLib, '.complete'), 'utf8').trim()}\n`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function listening(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the test server did not listen within 60 s');
}

/**
 * What every test asks of the server, once: start a workflow, hand out and complete a workflow
 * task that schedules an activity and a timer, complete the activity, wait for the timer, describe,
 * read the history and terminate. The classes these load go into the archive.
 */
async function exercise(port: number): Promise<void> {
  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  try {
    const svc = connection.workflowService;
    const namespace = 'default';
    const taskQueue = { name: 'archive-training' };
    const workflowId = 'archive-training';
    const identity = 'provision';
    await svc.startWorkflowExecution({ namespace, workflowId, requestId: 'archive-training-1', workflowType: { name: 'training' }, taskQueue, identity, workflowTaskTimeout: msToTs(10_000) });
    const first = await svc.pollWorkflowTaskQueue({ namespace, taskQueue, identity });
    const C = temporal.api.enums.v1.CommandType;
    await svc.respondWorkflowTaskCompleted({
      namespace,
      identity,
      taskToken: first.taskToken,
      commands: [
        { commandType: C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK, scheduleActivityTaskCommandAttributes: { activityId: '1', activityType: { name: 'training' }, taskQueue, startToCloseTimeout: msToTs(10_000) } },
        { commandType: C.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: '1', startToFireTimeout: msToTs(1_000) } },
      ],
    });
    const activity = await svc.pollActivityTaskQueue({ namespace, taskQueue, identity });
    await svc.respondActivityTaskCompleted({ namespace, identity, taskToken: activity.taskToken });
    // The activity's completion, then the timer's.
    for (let i = 0; i < 2; i++) {
      const task = await svc.pollWorkflowTaskQueue({ namespace, taskQueue, identity });
      await svc.respondWorkflowTaskCompleted({ namespace, identity, taskToken: task.taskToken, commands: [] });
    }
    await svc.describeWorkflowExecution({ namespace, execution: { workflowId } });
    await svc.getWorkflowExecutionHistory({ namespace, execution: { workflowId } });
    await svc.terminateWorkflowExecution({ namespace, workflowExecution: { workflowId }, reason: 'archive made' });
  } finally {
    await connection.close();
  }
}

/**
 * Makes the archive if it is missing or stale. Never fails provisioning: without an archive the
 * tests run as before, only slower; it says why.
 */
export async function ensureTestServerArchive(testServerLib: string, log: (s: string) => void = console.error): Promise<void> {
  const archive = testServerArchivePath(testServerLib);
  const stampFile = `${archive}.stamp`;
  let partial: string | undefined;
  try {
    const javaVersion = await new Promise<string>((resolve, reject) => {
      const p = spawn('java', ['-version']);
      let out = '';
      p.stderr.on('data', (d) => (out += d));
      p.on('error', reject);
      p.on('close', () => resolve(out));
    });
    const stamp = stampOf(testServerLib, javaVersion);
    if (existsSync(archive) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
    rmSync(archive, { force: true });
    partial = `${archive}.${process.pid}`;
    const port = await freePort();
    const started = Date.now();
    // The same flags as the launcher (scripts/test-server/temporal-test-server), which an archive must match.
    const server = spawn('java', [`-XX:ArchiveClassesAtExit=${partial}`, '-XX:TieredStopAtLevel=1', '-Xss4m', '-XX:+UseSerialGC', '-cp', `${testServerLib}/*`, 'io.temporal.testserver.TestServer', String(port)], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
      await listening(port, Date.now() + 60_000);
      await exercise(port);
    } finally {
      // The archive is written as the JVM exits normally (SIGTERM runs its shutdown), never on SIGKILL.
      server.kill('SIGTERM');
      await exited;
    }
    if (!existsSync(partial)) throw new Error('the JVM wrote no archive');
    // Whole or not at all: a test server started meanwhile never sees half an archive.
    renameSync(partial, archive);
    writeFileSync(stampFile, stamp);
    log(`time-skipping test server: class archive made in ${Date.now() - started} ms`);
  } catch (err) {
    if (partial) rmSync(partial, { force: true });
    log(`WARNING: time-skipping test server: no class archive (${(err as Error).message}); tests start each server without one, a little slower`);
  }
}
