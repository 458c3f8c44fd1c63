import { delegationBodySchema, setDelegationSchema } from '../../domain/delegation';

describe('a delegation given as dates', () => {
  test('runs from the start of the first UK day to the end of the last (Europe/London, winter)', () => {
    const parsed = delegationBodySchema.safeParse({ deputy: 'board-chair', from: '2026-12-01', to: '2026-12-14' });
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual({ deputy: 'board-chair', from: '2026-12-01T00:00:00.000Z', to: '2026-12-15T00:00:00.000Z' });
  });

  test('follows British Summer Time: a UK day in June starts at 23:00 UTC the day before', () => {
    const parsed = delegationBodySchema.safeParse({ deputy: 'board-chair', from: '2027-06-01', to: '2027-06-01' });
    expect(parsed.data).toEqual({ deputy: 'board-chair', from: '2027-05-31T23:00:00.000Z', to: '2027-06-01T23:00:00.000Z' });
  });

  test('full timestamps are still accepted, and mixed with a date', () => {
    const parsed = delegationBodySchema.safeParse({ deputy: 'board-chair', from: '2026-12-01T09:30:00+00:00', to: '2026-12-14' });
    expect(parsed.data).toEqual({ deputy: 'board-chair', from: '2026-12-01T09:30:00.000Z', to: '2026-12-15T00:00:00.000Z' });
  });

  test('a window that ends before it starts, or a date that does not exist, is refused', () => {
    expect(delegationBodySchema.safeParse({ deputy: 'x', from: '2026-12-14', to: '2026-12-01' }).success).toBe(false);
    expect(delegationBodySchema.safeParse({ deputy: 'x', from: '2026-02-30', to: '2026-03-01' }).success).toBe(false);
  });
});

test('the register reads the same window as the API: a date there is a UK day too', () => {
  const parsed = setDelegationSchema.safeParse({ principal: 'council-director-children', deputy: 'board-chair', roles: ['executive-board'], from: '2026-12-01', to: '2026-12-14' });
  expect(parsed.data).toMatchObject({ from: '2026-12-01T00:00:00.000Z', to: '2026-12-15T00:00:00.000Z' });
});
