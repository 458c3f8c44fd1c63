import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits for a dependency that may still be starting (Temporal after `npm start`). An error
 * marked `fatal` stops the wait at once (the server process died).
 */
export async function connectWithRetry<T>(what: string, connect: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      return await connect();
    } catch (err) {
      if ((err as { fatal?: boolean }).fatal) throw err;
      if (Date.now() > deadline) throw new Error(`${what} is not reachable after ${timeoutMs / 1000}s: ${(err as Error).message}`);
      if (!told && Date.now() + timeoutMs - deadline > 5000) {
        console.error(`waiting for ${what}: ${(err as Error).message}`);
        told = true;
      }
      await sleep(250);
    }
  }
}
