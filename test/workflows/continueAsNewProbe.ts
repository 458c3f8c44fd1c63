import { condition, continueAsNew, defineQuery, defineSignal, setHandler, sleep } from '@temporalio/workflow';

export const probeGeneration = defineQuery<number>('probeGeneration');
export const probeContinue = defineSignal('probeContinue');

/** Work a workflow task can do without I/O: about a quarter of a second of arithmetic, the same on every replay. */
function slowArithmetic(): number {
  let x = 0;
  for (let i = 0; i < 30_000_000; i++) x = (x * 31 + i) % 1_000_003;
  return x;
}

/**
 * A test-only workflow for the time-skipping server itself: once signalled it continues as new
 * from a workflow task slow enough for a query to arrive while it runs; the next run sleeps a day.
 * Its result comes only if the server still skips time after that continue-as-new.
 */
export async function continueAsNewProbe(generation = 0): Promise<number> {
  let go = false;
  setHandler(probeGeneration, () => generation);
  setHandler(probeContinue, () => {
    go = true;
  });
  if (generation > 0) {
    await sleep('1 day');
    return generation;
  }
  await condition(() => go);
  if (slowArithmetic() < 0) throw new Error('unreachable');
  return continueAsNew<typeof continueAsNewProbe>(generation + 1);
}
