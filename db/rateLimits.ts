import { createHash } from 'node:crypto';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { RecordDb } from './index';

interface Count {
  window: number;
  /** Hits here not yet added to the shared row. */
  pending: number;
  /** The shared row's total the last time this instance added to it (every instance's hits). */
  shared: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * A rate limiter's counts shared by every API instance through the record database, in fixed
 * windows aligned to the clock (so instances agree on them without talking). Each instance counts
 * locally and adds its hits to the shared row every `flushMs`, reading back everyone's total (and
 * reads the totals of clients it saw this window but not since): one write per client a second at
 * most, whatever the request rate, and never a database round trip
 * on a request's path. Until the next flush a client can get, on each other instance, what it
 * sends there in `flushMs`; on one instance the count is exact. When the database is away the
 * local counts still limit, as a per-process limiter would.
 */
export class SharedRateLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;
  private readonly counts = new Map<string, Count>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private purgedBefore = 0;
  private readonly flushMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: RecordDb,
    opts: { name: string; flushMs?: number; now?: () => number },
  ) {
    this.prefix = `${opts.name}:`;
    this.flushMs = opts.flushMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.timer ??= setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  private windowOf(ms: number): number {
    return ms - (ms % this.windowMs);
  }

  /** The client's count in this window: the key kept only as a digest (an address is personal data). */
  private bucket(key: string): string {
    return this.prefix + createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 22);
  }

  private current(key: string): Count {
    const window = this.windowOf(this.now());
    let c = this.counts.get(key);
    if (!c || c.window !== window) {
      c = { window, pending: 0, shared: 0 };
      this.counts.set(key, c);
    }
    return c;
  }

  increment(key: string): ClientRateLimitInfo {
    const c = this.current(key);
    c.pending++;
    return { totalHits: c.shared + c.pending, resetTime: new Date(c.window + this.windowMs) };
  }

  get(key: string): ClientRateLimitInfo {
    const c = this.current(key);
    return { totalHits: c.shared + c.pending, resetTime: new Date(c.window + this.windowMs) };
  }

  decrement(key: string): void {
    this.current(key).pending--;
  }

  async resetKey(key: string): Promise<void> {
    this.counts.delete(key);
    await this.db.deleteFrom('rate_limit_hits').where('bucket', '=', this.bucket(key)).execute();
  }

  /** Adds this instance's hits to the shared rows and learns everyone's totals; drops ended windows. */
  flush(): Promise<void> {
    this.flushing ??= this.flushNow().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    const window = this.windowOf(this.now());
    const idle: [string, Count][] = [];
    for (const [key, c] of this.counts) {
      if (c.window < window) {
        this.counts.delete(key);
        continue;
      }
      if (c.pending === 0) {
        idle.push([key, c]);
        continue;
      }
      const adding = c.pending;
      try {
        const row = await this.db
          .insertInto('rate_limit_hits')
          .values({ bucket: this.bucket(key), window_start: iso(c.window), hits: adding })
          .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet((eb) => ({ hits: eb('rate_limit_hits.hits', '+', eb.ref('excluded.hits')) })))
          .returning('hits')
          .executeTakeFirst();
        // Hits counted while the write was in flight stay pending for the next flush.
        c.pending -= adding;
        c.shared = Number(row?.hits ?? c.shared + adding);
      } catch {
        // The database is away (or not migrated, in a test): the local count goes on limiting.
        return;
      }
    }
    // Clients seen here this window but not since: what the other instances have counted, in one read.
    try {
      for (let i = 0; i < idle.length; i += 500) {
        const chunk = new Map(idle.slice(i, i + 500).map(([key, c]) => [this.bucket(key), c]));
        const rows = await this.db.selectFrom('rate_limit_hits').select(['bucket', 'hits']).where('window_start', '=', iso(window)).where('bucket', 'in', [...chunk.keys()]).execute();
        for (const row of rows) {
          const c = chunk.get(row.bucket)!;
          if (c.window === window) c.shared = Math.max(c.shared, Number(row.hits) - c.pending);
        }
      }
    } catch {
      return;
    }
    // Rows of ended windows go, whoever wrote them: once a window, by whichever instance is first.
    if (this.purgedBefore >= window) return;
    this.purgedBefore = window;
    await this.db
      .deleteFrom('rate_limit_hits')
      .where('window_start', '<', iso(window - this.windowMs))
      .execute()
      .catch(() => undefined);
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
