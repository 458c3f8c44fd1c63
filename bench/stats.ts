/** Percentiles of a sample of durations (ms), nearest-rank. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

/** Runs `total` jobs with at most `concurrency` in flight. */
export async function pool(total: number, concurrency: number, job: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await job(next++);
    }),
  );
}

/** Runs `job` from `concurrency` loops for `durationMs`; what finished in time counts. */
export async function forDuration(
  durationMs: number,
  concurrency: number,
  job: (i: number) => Promise<unknown>,
): Promise<{ done: number; failed: number; perSecond: number; times: number[]; firstError?: string }> {
  const end = performance.now() + durationMs;
  const times: number[] = [];
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await job(next++);
          times.push(performance.now() - t);
        } catch (err) {
          failed++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  return { done: times.length, failed, perSecond: times.length / seconds, times: times.sort((a, b) => a - b), ...(firstError ? { firstError } : {}) };
}
