import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { freePorts } from './ports';
import { run, testServerWrapper } from './provision';
import { connectWithRetry } from './retry';

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

/**
 * What every test asks of the server, once: start a workflow, hand out and complete a workflow
 * task that schedules an activity and a timer, complete the activity, wait for the timer, describe,
 * read the history and terminate. The classes these load go into the archive.
 */
async function exercise(port: number): Promise<void> {
  const connection = await connectWithRetry('the time-skipping test server', async () => {
    const c = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 1000 });
    await c.workflowService.getSystemInfo({}).catch(async (err: unknown) => {
      await c.close();
      throw err;
    });
    return c;
  }, 60_000);
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
    const javaVersion = run('java', ['-version']).output;
    const stamp = stampOf(testServerLib, javaVersion);
    if (existsSync(archive) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
    rmSync(archive, { force: true });
    partial = `${archive}.${process.pid}`;
    const [port] = (await freePorts(1)) as [number];
    const started = Date.now();
    // The launcher itself, so the archive is made with exactly the flags it is used with.
    const server = spawn(testServerWrapper, [String(port)], { stdio: 'ignore', env: { ...process.env, JCO_TEST_SERVER_ARCHIVE_OUT: partial } });
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
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
