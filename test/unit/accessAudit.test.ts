import { auditRead, listedUnder } from '../../api/accessAudit';
import { HttpProblem } from '../../api/problem';
import type { Database } from '../../db';

const person = { id: 'council-rap-member', name: 'Example Council RAP Member', email: 'rap@council.example', partner: 'council', roles: ['rap-member' as const] };
const reader = { person, channel: 'api' as const, address: '192.0.2.10' };

/** A database whose every insert fails as a full disk or a lost connection would. */
function failingDatabase(): Database {
  const refuse = () => Promise.reject(Object.assign(new Error('disk I/O error'), { code: 'ERR_SQLITE_ERROR' }));
  const chain: Record<string, unknown> = {};
  for (const m of ['insertInto', 'values']) chain[m] = () => chain;
  chain['execute'] = refuse;
  return { db: chain, engine: 'sqlite', where: 'test', write: refuse, close: () => Promise.resolve() } as unknown as Database;
}

test('a read whose audit row cannot be written is refused (503 naming the rule), and the log names neither the person, the subject nor the address', async () => {
  const logged: unknown[] = [];
  const logger = { error: (...args: unknown[]) => logged.push(args) } as never;
  const refused = await auditRead({ database: failingDatabase(), logger }, reader, 'rf-pw1234567', 'referral').catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(HttpProblem);
  expect(refused).toMatchObject({ status: 503, headers: { 'Retry-After': '5' } });
  expect((refused as HttpProblem).detail).toMatch(/^Access audit rule: /);
  expect(logged).toHaveLength(1);
  expect(JSON.stringify(logged)).not.toMatch(/council-rap-member|rf-pw1234567|PW1234567|192\.0\.2\.10|rap@council/);
});

test("an evaluation panel's reads are listed under its commission; a referral's, a dispute's and a commission's under themselves", () => {
  expect(listedUnder('je-abcdefghij')).toEqual({ subjectId: 'jc-abcdefghij', subjectType: 'commission' });
  expect(listedUnder('jc-abcdefghij')).toEqual({ subjectId: 'jc-abcdefghij', subjectType: 'commission' });
  expect(listedUnder('jd-abcdefghij')).toEqual({ subjectId: 'jd-abcdefghij', subjectType: 'dispute' });
  expect(listedUnder('rf-pw1234567')).toEqual({ subjectId: 'rf-pw1234567', subjectType: 'referral' });
});
