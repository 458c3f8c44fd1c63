import { READS_PAGE, readsOf, recordReads, type AccessRead } from '../../db/accessAudit';
import { dbTest, engines, type EngineName } from './helpers';

const read = (n: number, over: Partial<AccessRead> = {}): AccessRead => ({
  subjectId: 'rf-pw1234567',
  subjectType: 'referral',
  readOf: 'rf-pw1234567',
  kind: 'referral',
  person: `reader-${n}`,
  partner: 'council',
  channel: 'api',
  address: '192.0.2.10',
  at: new Date(Date.UTC(2026, 11, 1, 9, 0, n)).toISOString(),
  ...over,
});

describe.each(engines)('the access audit on %s', (engine: EngineName) => {
  const it = dbTest(engine);

  it('keeps who read which subject, what kind of read, when, how and from where; lists a subject\'s reads newest first, in pages', async ({ database: d }) => {
    await recordReads(d.db, [1, 2, 3, 4, 5].map((n) => read(n)));
    await recordReads(d.db, [read(6, { subjectId: 'jc-abcdefghij', subjectType: 'commission', readOf: 'je-abcdefghij', kind: 'evaluation' })]);
    // Two reads in the same millisecond are both kept, and both listed once.
    await recordReads(d.db, [read(7), read(7, { person: 'twin' })]);

    const first = await readsOf(d.db, 'rf-pw1234567', { limit: 3 });
    expect(first.rows[2]).toMatchObject({ person: 'reader-5', kind: 'referral', channel: 'api', address: '192.0.2.10', partner: 'council', subject_type: 'referral', read_of: 'rf-pw1234567' });
    expect(first.next).toBeDefined();
    const seen = [...first.rows];
    let next = first.next;
    while (next) {
      const page = await readsOf(d.db, 'rf-pw1234567', { limit: 3, after: next });
      seen.push(...page.rows);
      next = page.next;
    }
    expect(seen.map((r) => r.person)).toEqual([...seen.slice(0, 2).map((r) => r.person), 'reader-5', 'reader-4', 'reader-3', 'reader-2', 'reader-1']);
    expect(new Set(seen.slice(0, 2).map((r) => r.person))).toEqual(new Set(['reader-7', 'twin']));
    // A panel's read is listed under its commission, saying what was read.
    expect((await readsOf(d.db, 'jc-abcdefghij', { limit: READS_PAGE.max })).rows).toEqual([expect.objectContaining({ read_of: 'je-abcdefghij', kind: 'evaluation', person: 'reader-6' })]);
  });

  it("records a period export's many subjects in one go, all or none", async ({ database: d }) => {
    const many = Array.from({ length: 1201 }, (_, n) => read(n % 60, { subjectId: `jc-${String(n).padStart(10, 'a')}`, subjectType: 'commission', kind: 'decision-record-period' }));
    await recordReads(d.db, many);
    const count = async () => Number((await d.db.selectFrom('access_reads').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count()).toBe(1201);
    // The last part refused (a person id the column refuses): none of the export's rows stay.
    await expect(recordReads(d.db, [...many, { ...read(1), person: null as unknown as string }])).rejects.toThrow();
    expect(await count()).toBe(1201);
  });
});
