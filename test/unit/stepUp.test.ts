import type { ApiContext } from '../../api/context';
import { decide } from '../../api/tasks';
import { DISPUTE_TASK_KINDS } from '../../domain/dispute';
import { LIFECYCLE_TASK_KINDS } from '../../domain/lifecycle';
import { PANEL_TASK_KINDS } from '../../domain/evaluation';
import { REFERRAL_TASK_KINDS } from '../../domain/referralRules';
import { isHighStakes, stepUpThroughLink } from '../../domain/stepUp';

test('high-stakes decisions are the award, the stage gates and the accountable officers\' resolution; every other kind stays one click by link', () => {
  const high = [LIFECYCLE_TASK_KINDS.award, LIFECYCLE_TASK_KINDS.stageGate, DISPUTE_TASK_KINDS.officersPropose, DISPUTE_TASK_KINDS.officersRespond];
  expect(high).toEqual(['commission-award', 'commission-stage-gate', 'dispute-officers-propose', 'dispute-officers-respond']);
  for (const kind of high) expect(isHighStakes({ kind })).toBe(true);
  const oneClick = [
    'lead-partner-agreement',
    'commission-procurement-response',
    'commission-signing',
    'commission-lived-experience',
    DISPUTE_TASK_KINDS.early,
    DISPUTE_TASK_KINDS.board,
    ...Object.values(PANEL_TASK_KINDS),
    ...Object.values(REFERRAL_TASK_KINDS),
  ];
  for (const kind of oneClick) expect(isHighStakes({ kind })).toBe(false);
});

test('through an emailed link a high-stakes decision needs the person the link was for signed in; nobody else will do', () => {
  const gate = { kind: LIFECYCLE_TASK_KINDS.stageGate };
  expect(stepUpThroughLink(gate, 'council-senior-manager', undefined)).toBe('sign-in-first');
  expect(stepUpThroughLink(gate, 'council-senior-manager', 'nenc-senior-manager')).toBe('someone-else');
  expect(stepUpThroughLink(gate, 'council-senior-manager', 'council-senior-manager')).toBe('signed-in');
  const lead = { kind: 'lead-partner-agreement' };
  expect(stepUpThroughLink(lead, 'nenc-commissioner', undefined)).toBe('not-needed');
  expect(stepUpThroughLink(lead, 'nenc-commissioner', 'board-chair')).toBe('not-needed');
});

test('the API itself refuses a high-stakes decision through a link without its person signed in, before anything reaches the workflow', async () => {
  // No Temporal client at all: the refusal must come first.
  const ctx = {} as ApiContext;
  const gate = 'jc-aaaaaaaaaa.c12345678.gate-1';
  const body = { decision: 'approve' };
  await expect(decide(ctx, gate, 'council-senior-manager', 'email', body, { id: 'l1', kind: LIFECYCLE_TASK_KINDS.stageGate })).rejects.toMatchObject({ status: 403, detail: expect.stringContaining('sign in') as string });
  await expect(decide(ctx, gate, 'council-senior-manager', 'email', body, { id: 'l1', kind: LIFECYCLE_TASK_KINDS.stageGate, signedInAs: 'nenc-senior-manager' })).rejects.toMatchObject({ status: 403 });
  await expect(decide(ctx, gate, 'council-senior-manager', 'email', body)).rejects.toMatchObject({ status: 403 });
});
