import type { Options } from 'express-rate-limit';
import { SharedRateLimitStore } from '../../db/rateLimits';
import { dbTest, engines, type EngineName } from './helpers';

const T0 = Date.parse('2026-12-01T09:00:10Z');

describe.each(engines)('rate limits shared through the record database on %s', (engine: EngineName) => {
  const it = dbTest(engine);

  it('two API instances count one client together; a new minute starts again; the client is kept only as a digest', async (t) => {
    let now = T0;
    const instance = (db: typeof t.database.db) => {
      const s = new SharedRateLimitStore(db, { name: 'address', flushMs: 60_000, now: () => now });
      s.init({ windowMs: 60_000 } as Options);
      return s;
    };
    const other = t.open();
    const a = instance(t.database.db);
    const b = instance(other.db);
    try {
      for (let i = 0; i < 5; i++) a.increment('203.0.113.7');
      for (let i = 0; i < 3; i++) b.increment('203.0.113.7');
      // Each instance knows only its own hits until it flushes.
      expect(b.get('203.0.113.7').totalHits).toBe(3);
      await a.flush();
      await b.flush();
      expect(b.increment('203.0.113.7').totalHits).toBe(9);
      // An instance with nothing to add still learns what the others counted.
      await a.flush();
      expect(a.get('203.0.113.7').totalHits).toBe(8);
      await b.flush();
      await a.flush();
      expect(a.increment('203.0.113.7')).toEqual({ totalHits: 10, resetTime: new Date('2026-12-01T09:01:00Z') });
      // Another client has its own count.
      expect(a.increment('198.51.100.9').totalHits).toBe(1);
      await a.flush();
      const rows = await t.database.db.selectFrom('rate_limit_hits').selectAll().execute();
      expect(JSON.stringify(rows)).not.toMatch(/203\.0\.113|198\.51\.100/);
      // The next minute starts from nothing, and the rows of ended windows are deleted.
      now += 120_000;
      expect(a.increment('203.0.113.7').totalHits).toBe(1);
      await a.flush();
      const left = await t.database.db.selectFrom('rate_limit_hits').select('window_start').execute();
      expect(left.map((r) => r.window_start)).toEqual(['2026-12-01T09:02:00.000Z']);
    } finally {
      a.shutdown();
      b.shutdown();
    }
  });
});
