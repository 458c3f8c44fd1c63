import { loadPartnership, parsePartnership } from '../../config';
import { panelDateFor, panelOnOrAfter } from '../../domain/panel';
import {
  checkCaseReference,
  icbFor,
  localities,
  newReferralRequestSchema,
  parseSplit,
  referralIdOf,
  referralWorkflowId,
  splitDisputeId,
  splitProblems,
  splitSchema,
} from '../../domain/referral';

const partnership = loadPartnership();
const calendar = { name: 'england-and-wales' as const, extraHolidays: [] };
const policy = partnership.policies.resourceAllocation;

describe('case references are pseudonymous', () => {
  test.each([
    ['CYP-48213', 'CYP48213'],
    ['rap 7q2 k9', 'RAP7Q2K9'],
    ['AB12CD34', 'AB12CD34'],
  ])('%s is accepted as %s', (raw, caseRef) => {
    expect(checkCaseReference(raw)).toEqual({ caseRef });
  });

  test.each([
    ['Jane Smith', 'looks like a name'],
    ['SMITHJ01', 'looks like a name'],
    ['olivia-2015', 'looks like a name'],
    ['04/03/2015', 'looks like a date of birth'],
    ['2015-03-04', 'looks like a date of birth'],
    ['4 March 2015', 'looks like a date of birth'],
    ['04032015', 'looks like a date of birth'],
    ['RAP-20151231', 'looks like a date of birth'],
    ['943 476 5919', 'looks like an NHS number'],
    ['9434765919', 'looks like an NHS number'],
    ['AB1', '5 to 16 letters and digits'],
    ['12345', 'at least one of each'],
  ])('%s is refused: it %s', (raw, why) => {
    const r = checkCaseReference(raw);
    expect('problem' in r && r.problem).toContain(why);
    expect('problem' in r && r.problem).toContain('Case reference rule');
  });

  test('the case reference is the only identifier in the workflow id and the subject id', () => {
    expect(referralWorkflowId('CYP48213')).toBe('referral:CYP48213');
    expect(referralIdOf('CYP48213')).toBe('rf-cyp48213');
    expect(splitDisputeId('rf-cyp48213', 1)).toMatch(/^jd-[a-z2-7]{10}$/);
    expect(splitDisputeId('rf-cyp48213', 1)).not.toBe(splitDisputeId('rf-cyp48213', 2));
  });
});

describe('the split sums to exactly 100', () => {
  test.each([
    [{ council: 50, 'nenc-icb': 50 }, true],
    [{ council: 33.33, 'nenc-icb': 66.67 }, true],
    [{ council: 100 }, true],
    [{ council: 50, 'nenc-icb': 49 }, false],
    [{ council: 60, 'nenc-icb': 50 }, false],
    [{ council: 33.333, 'nenc-icb': 66.667 }, false],
    [{ council: -10, 'nenc-icb': 110 }, false],
    [{}, false],
  ])('%j valid: %s', (split, ok) => {
    expect(splitSchema().safeParse(split).success).toBe(ok);
  });

  test('the refusal names the rule', () => {
    const r = splitSchema().safeParse({ council: 40, 'nenc-icb': 40 });
    expect(r.error?.issues[0]?.message).toBe('Split rule: the percentages must sum to exactly 100');
  });
});

describe('locality decides the ICB', () => {
  test('Millom is served by LSC ICB; every other Key Service Centre and "not in a KSC" by NENC ICB', () => {
    expect(localities).toHaveLength(15);
    for (const l of localities) expect(icbFor(l)).toBe(l === 'Millom' ? 'lsc-icb' : 'nenc-icb');
  });

  test('a split naming the other ICB is refused with the locality rule', () => {
    expect(splitProblems({ council: 50, 'lsc-icb': 50 }, 'Millom', partnership.partners)).toEqual([]);
    expect(splitProblems({ council: 50, 'nenc-icb': 50 }, 'Millom', partnership.partners)).toEqual(['Locality rule: Millom is served by lsc-icb, so nenc-icb cannot fund this package']);
    expect(splitProblems({ council: 50, 'lsc-icb': 50 }, 'Keswick', partnership.partners)).toEqual(['Locality rule: Keswick is served by nenc-icb, so lsc-icb cannot fund this package']);
    expect(splitProblems({ council: 50, elsewhere: 50 }, 'Keswick', partnership.partners)).toEqual(['no partner has the id "elsewhere"']);
  });

  test('an unknown locality is refused by the request schema', () => {
    const base = { caseRef: 'CYP-48213', needs: ['health'], packageDescription: 'Overnight nursing care', annualCost: 120_000, proposedSplit: { council: 50, 'nenc-icb': 50 } };
    expect(newReferralRequestSchema().safeParse({ ...base, locality: 'Keswick' }).success).toBe(true);
    expect(newReferralRequestSchema().safeParse({ ...base, locality: 'not in a KSC' }).success).toBe(true);
    const r = newReferralRequestSchema().safeParse({ ...base, locality: 'Penrith' });
    expect(r.error?.issues[0]?.message).toContain('14 Key Service Centres');
  });
});

describe('a dispute resolution in words sets the split', () => {
  const partners = partnership.partners.filter((p) => p.id !== 'lsc-icb');
  test.each([
    ['council 40%, nenc-icb 60%', { council: 40, 'nenc-icb': 60 }],
    ['Cumberland Council: 30; NHS North East and North Cumbria ICB: 70', { council: 30, 'nenc-icb': 70 }],
    ['council 40%, nenc-icb 50%', undefined],
    ['council 100%', undefined],
    ['the council pays more', undefined],
  ])('%s', (text, split) => {
    expect(parseSplit(text, partners)).toEqual(split);
  });
});

describe('the panel meets on its schedule', () => {
  const at = (iso: string, urgent = false) => panelDateFor(calendar, policy, new Date(iso), urgent).toISOString();

  test('the next monthly panel (second Tuesday, 10:00 UK time) at least 5 working days ahead', () => {
    expect(at('2026-11-23T10:00:00Z')).toBe('2026-12-08T10:00:00.000Z');
    // Too close to the December panel: January's.
    expect(at('2026-12-02T10:00:00Z')).toBe('2027-01-12T10:00:00.000Z');
    // British Summer Time: 10:00 in London is 09:00 UTC.
    expect(at('2027-05-20T10:00:00Z')).toBe('2027-06-08T09:00:00.000Z');
  });

  test('urgent referrals within 2 working days, over Christmas bank holidays', () => {
    expect(at('2026-12-24T10:00:00Z', true)).toBe('2026-12-30T10:00:00.000Z');
  });

  test('a meeting on a bank holiday moves to the next working day', () => {
    const firstMonday = { ...policy, panel: { week: 1 as const, weekday: 'monday' as const, at: '10:00' } };
    expect(panelDateFor(calendar, firstMonday, new Date('2027-04-20T10:00:00Z'), false).toISOString()).toBe('2027-05-04T09:00:00.000Z');
  });

  test('a deferred referral returns to the first panel on or after its return date', () => {
    expect(panelOnOrAfter(calendar, policy, '2027-01-13', new Date('2026-12-08T12:00:00Z')).toISOString()).toBe('2027-02-09T10:00:00.000Z');
    expect(panelOnOrAfter(calendar, policy, '2027-01-12', new Date('2026-12-08T12:00:00Z')).toISOString()).toBe('2027-01-12T10:00:00.000Z');
  });

  test('panel policies have defaults and are validated', () => {
    const minimal = { partnership: { id: 'p', name: 'P' }, partners: [{ id: 'a', name: 'A', kind: 'local-authority' }, { id: 'b', name: 'B', kind: 'icb' }], people: [] };
    expect(parsePartnership(minimal).policies.resourceAllocation).toEqual({
      panel: { week: 2, weekday: 'tuesday', at: '10:00' },
      notice: '5 working days',
      urgentWithin: '2 working days',
      positionsRemindBefore: '2 working days',
      recordWithin: '1 working day',
      reviewFirst: 'P3M',
      reviewEvery: 'P12M',
      reviewDue: '10 working days',
    });
    expect(() => parsePartnership({ ...minimal, policies: { resourceAllocation: { panel: { weekday: 'sunday' }, reviewEvery: 'yearly' } } })).toThrow(/policies\.resourceAllocation\.panel\.weekday[\s\S]*policies\.resourceAllocation\.reviewEvery/);
  });
});
