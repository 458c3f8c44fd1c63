import { extensionBody } from '../../api/schemas';
import { periodQuery } from '../../api/records';
import { addDuration, durationText } from '../../domain/duration';
import { delegationBodySchema } from '../../domain/delegation';
import { evaluationSetupSchema, scoringDueAt } from '../../domain/evaluation';
import { checkForm, checkTaskData } from '../../domain/taskData';
import type { Calendar } from '../../domain/calendar';
import type { ExtensionRequest, Task } from '../../domain/task';
import { TaskBook } from '../../workflows/tasks';

/**
 * Issue 17, item 3: every duration and date a caller can send has an upper bound, refused by the
 * one schema the API, the workflows' validators and the pages share, before anything is computed
 * from it. "99999999 working days" used to walk the calendar a day at a time for minutes, and
 * "P300000Y" to end in an Invalid Date and a 500.
 */
const ew: Calendar = { name: 'england-and-wales', extraHolidays: [] };
const friday = new Date('2026-05-22T09:00:00Z');

describe('durations', () => {
  test.each(['99999999 working days', 'P300000Y', `${'9'.repeat(40)} days`, 'P121M', '3654 days', '2611 working days', 'PT99999999999H'])('%s is beyond the bound and refused', (text) => {
    expect(durationText().safeParse(text).success).toBe(false);
  });

  test.each(['2610 working days', '3653 days', 'P10Y', 'P120M', '10 working days', 'PT30S'])('%s is within the bound', (text) => {
    expect(durationText().safeParse(text).success).toBe(true);
  });

  test('beyond the bound, adding a duration refuses at once instead of computing (no Invalid Date)', () => {
    expect(() => addDuration(ew, friday, 'P300000Y')).toThrow(RangeError);
    expect(() => addDuration(ew, friday, '99999999 working days')).toThrow(RangeError);
  });
});

describe('dates', () => {
  test('an extension to a date beyond the bound is refused by the body check', () => {
    expect(extensionBody.safeParse({ dueAt: '9999-12-31T00:00:00Z', reason: 'far away' }).success).toBe(false);
    expect(extensionBody.safeParse({ extendBy: 'P300000Y', reason: 'far away' }).success).toBe(false);
    expect(extensionBody.safeParse({ dueAt: '2027-01-04T17:00:00Z', reason: 'board meets later' }).success).toBe(true);
  });

  test("a panel's scoring deadline beyond the bound is refused by the set-up schema, and never becomes an Invalid Date", () => {
    const setup = { criteria: [{ id: 'q', name: 'Quality', kind: 'quality', weight: 100 }], bidders: [{ id: 'a', name: 'A' }], members: ['x'] };
    for (const scoringDue of ['P300000Y', '99999999 working days', '9999-12-31T17:00:00Z', '2026-13-45T00:00:00Z']) {
      expect({ scoringDue, ok: evaluationSetupSchema().safeParse({ ...setup, scoringDue }).success }).toEqual({ scoringDue, ok: false });
      expect({ scoringDue, at: scoringDueAt(scoringDue, ew, friday) }).toEqual({ scoringDue, at: undefined });
    }
    expect(evaluationSetupSchema().safeParse({ ...setup, scoringDue: '20 working days' }).success).toBe(true);
  });

  test("a delegation's window and a records period beyond the bound are refused", () => {
    expect(delegationBodySchema().safeParse({ deputy: 'x', from: '2026-12-01', to: '9999-12-31' }).success).toBe(false);
    expect(periodQuery.safeParse({ from: '0001-01-01', to: '0002-01-01' }).success).toBe(false);
  });

  test("dates in a decision's data are bounded the same way", () => {
    expect(checkTaskData('referral-panel', { returnDate: '9999-12-31' }, undefined, 'defer')).toBeDefined();
    expect(checkForm([{ path: ['start'], label: 'Start', type: 'date', required: true }], { start: '9999-12-31' })).toBeDefined();
    expect(checkForm([{ path: ['start'], label: 'Start', type: 'date', required: true }], { start: '2027-04-01' })).toBeUndefined();
  });
});

describe('an extension by a duration: authority first, then the computation, in the workflow', () => {
  const task: Task = {
    id: 'jc-abcdefghij.c12345678.lead',
    kind: 'lead-partner-agreement',
    title: 'Agree the lead partner',
    subject: { type: 'commission', id: 'jc-abcdefghij' },
    partner: 'nenc-icb',
    assignees: ['nenc-commissioner'],
    options: ['approve', 'reject'],
    status: 'open',
    createdAt: '2026-12-01T09:00:00.000Z',
    dueAt: '2026-12-15T17:00:00.000Z',
    reasonRequiredFor: [],
    escalationLevel: 0,
  };
  const book = (): TaskBook =>
    new TaskBook({ tasks: [{ ...task }], usedLinks: [] }, { leadCommissioner: () => ({ partner: 'council' }), maxExtensionDays: 60, calendar: ew });
  const refusal = (b: TaskBook, req: Partial<ExtensionRequest> & { extendBy?: string }): string | undefined => {
    try {
      b.validateExtension({ taskId: task.id, by: 'council-commissioner', byPartner: 'council', byRoles: ['commissioner'], reason: 'Board meets later', ...req } as ExtensionRequest);
      return undefined;
    } catch (err) {
      return (err as { type?: string }).type;
    }
  };

  test('someone who may not extend is refused before any date is computed', () => {
    // Beyond the 60 days: computing first would say InvalidExtension; the rule of who may extend comes first.
    expect(refusal(book(), { by: 'lsc-commissioner', byPartner: 'lsc-icb', extendBy: '2000 working days' })).toBe('NoAuthority');
  });

  test('the lead commissioner extends by working days on the case calendar; beyond the extension bound is refused', () => {
    const b = book();
    expect(refusal(b, { extendBy: '5 working days' })).toBeUndefined();
    expect(refusal(b, { extendBy: '2000 working days' })).toBe('InvalidExtension');
    const moved = b.extend({ taskId: task.id, by: 'council-commissioner', byPartner: 'council', byRoles: ['commissioner'], reason: 'Board meets later', extendBy: '5 working days' } as ExtensionRequest);
    expect(moved.dueAt).toBe('2026-12-22T17:00:00.000Z');
  });
});

describe('counts', () => {
  test('every list a caller sends has an upper bound', async () => {
    const { newCommissionRequestSchema } = await import('../../domain/commission');
    const { newDisputeRequestSchema } = await import('../../domain/dispute');
    const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
    const setup = { criteria: [{ id: 'q', name: 'Quality', kind: 'quality', weight: 100 }], bidders: [{ id: 'a', name: 'A' }], members: ['x'], scoringDue: '10 working days' };
    expect(evaluationSetupSchema().safeParse({ ...setup, criteria: many(31, (i) => ({ id: `c${i}`, name: 'Crit', kind: 'quality', weight: 1 })) }).success).toBe(false);
    expect(evaluationSetupSchema().safeParse({ ...setup, bidders: many(101, (i) => ({ id: `b${i}`, name: 'B' })) }).success).toBe(false);
    expect(evaluationSetupSchema().safeParse({ ...setup, members: many(31, (i) => `m${i}`) }).success).toBe(false);
    expect(newCommissionRequestSchema().safeParse({ title: 'Many', partners: many(51, (i) => `p${i}`), proposedLead: 'p0', estimatedValue: 1 }).success).toBe(false);
    expect(newDisputeRequestSchema().safeParse({ subject: { type: 'commission', id: 'jc-abcdefghij' }, partners: many(51, (i) => `p${i}`), matter: 'Many partners', desiredOutcome: 'Agree' }).success).toBe(false);
  });
});
