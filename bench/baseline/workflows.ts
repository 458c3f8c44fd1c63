import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

/**
 * The baselines' workflow: as little as Temporal allows, so "bare" measures the server and the
 * SDK, not our code. It stays open (one workflow task to start) and answers a no-op update.
 */
export const ping = defineUpdate<number>('ping');
export const finish = defineSignal('finish');

export async function trivial(): Promise<void> {
  let pings = 0;
  let done = false;
  setHandler(ping, () => ++pings);
  setHandler(finish, () => void (done = true));
  await condition(() => done);
}
