import { coverOf, delegationBodySchema, setDelegationSchema, standingOn } from '../../domain/delegation';

describe('a delegation given as dates', () => {
  test('runs from the start of the first UK day to the end of the last (Europe/London, winter)', () => {
    const parsed = delegationBodySchema().safeParse({ deputy: 'board-chair', from: '2026-12-01', to: '2026-12-14' });
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual({ deputy: 'board-chair', from: '2026-12-01T00:00:00.000Z', to: '2026-12-15T00:00:00.000Z' });
  });

  test('follows British Summer Time: a UK day in June starts at 23:00 UTC the day before', () => {
    const parsed = delegationBodySchema().safeParse({ deputy: 'board-chair', from: '2027-06-01', to: '2027-06-01' });
    expect(parsed.data).toEqual({ deputy: 'board-chair', from: '2027-05-31T23:00:00.000Z', to: '2027-06-01T23:00:00.000Z' });
  });

  test('full timestamps are still accepted, and mixed with a date', () => {
    const parsed = delegationBodySchema().safeParse({ deputy: 'board-chair', from: '2026-12-01T09:30:00+00:00', to: '2026-12-14' });
    expect(parsed.data).toEqual({ deputy: 'board-chair', from: '2026-12-01T09:30:00.000Z', to: '2026-12-15T00:00:00.000Z' });
  });

  test('a window that ends before it starts, or a date that does not exist, is refused', () => {
    expect(delegationBodySchema().safeParse({ deputy: 'x', from: '2026-12-14', to: '2026-12-01' }).success).toBe(false);
    expect(delegationBodySchema().safeParse({ deputy: 'x', from: '2026-02-30', to: '2026-03-01' }).success).toBe(false);
  });
});

test('the register reads the same window as the API: a date there is a UK day too', () => {
  const parsed = setDelegationSchema().safeParse({ principal: 'council-director-children', deputy: 'board-chair', roles: ['executive-board'], from: '2026-12-01', to: '2026-12-14' });
  expect(parsed.data).toMatchObject({ from: '2026-12-01T00:00:00.000Z', to: '2026-12-15T00:00:00.000Z' });
});

describe('who may decide a task now (standingOn, the one rule)', () => {
  const now = Date.parse('2027-01-10T12:00:00Z');
  const cover = (principal: string, from: string, to: string) => ({ principal, from, to });
  const party = (assignees: string[], deputies: Record<string, string> = {}) => ({ assignees, deputies });

  test('an assignee answers for themselves, with or without covers', () => {
    const own = standingOn([party(['ann'])], 'ann', [], now);
    expect(own.ok && own.actingFor).toBeUndefined();
    expect(standingOn([party(['ann'])], 'ann', undefined, now)).toMatchObject({ ok: true });
  });

  test('a cover in force reaches a principal still asked, one hop only', () => {
    const c = cover('ann', '2027-01-09T00:00:00Z', '2027-01-12T00:00:00Z');
    expect(standingOn([party(['ann'])], 'dee', [c], now)).toMatchObject({ ok: true, actingFor: 'ann' });
    // Ann is only a deputy on this task: her cover does not pass on.
    expect(standingOn([party(['bob', 'ann'], { ann: 'bob' })], 'dee', [c], now).ok).toBe(false);
    // Decided parties ask nobody.
    expect(standingOn([{ ...party(['ann']), decision: {} }], 'dee', [c], now).ok).toBe(false);
  });

  test('a deputy recorded at opening is refused once the cover ends, naming the rule and the end', () => {
    const ended = cover('ann', '2027-01-01T00:00:00Z', '2027-01-05T00:00:00Z');
    const r = standingOn([party(['ann', 'dee'], { dee: 'ann' })], 'dee', [ended], now);
    expect(r).toEqual({ ok: false, message: expect.stringContaining('Delegation rule: your cover for ann ended on 2027-01-05T00:00:00Z') });
    // Requests from before covers were sent keep the old rule.
    expect(standingOn([party(['ann', 'dee'], { dee: 'ann' })], 'dee', undefined, now)).toMatchObject({ ok: true, actingFor: 'ann' });
  });

  test('a revoked delegation covers only up to its revocation', () => {
    expect(coverOf({ principal: 'ann', from: '2027-01-01T00:00:00Z', to: '2027-02-01T00:00:00Z', revokedAt: '2027-01-10T09:00:00.000Z' })).toEqual(
      cover('ann', '2027-01-01T00:00:00Z', '2027-01-10T09:00:00.000Z'),
    );
  });
});
