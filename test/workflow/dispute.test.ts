import type { WorkflowHandle } from '@temporalio/client';
import { addWorkingDays } from '../../domain/calendar';
import { disputeWorkflowId, type DisputeInput, type DisputeView } from '../../domain/dispute';
import { decideTask, dispute, getDispute, withdrawDispute } from '../../workflows/dispute';
import { minute, MINUTE, plus, refusal, timeline } from '../helpers/timeline';
import { leadDisputeInput } from '../helpers/inputs';
import { harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h?.close();
});

const ew = { name: 'england-and-wales' as const, extraHolidays: [] };
let n = 0;
const disputeInput = (overrides: Partial<DisputeInput> = {}): DisputeInput =>
  leadDisputeInput(h.partnership, { id: `jd-test${String(++n).padStart(6, '0')}`, ...overrides });

async function start(input: DisputeInput) {
  const handle = await h.env.client.workflow.start(dispute, { workflowId: disputeWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
  const until = async (ok: (v: DisputeView) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const v = await handle.query(getDispute);
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the dispute did not reach the expected state');
  };
  const openTask = async () => (await until((v) => v.openTasks.length === 1)).openTasks[0]!;
  const decide = async (by: string, decision: string, comment?: string, data?: Record<string, unknown>) => {
    const task = await openTask();
    return handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by, channel: 'api', decision, comment, data }] });
  };
  return { handle, until, openTask, decide };
}

const events = (v: DisputeView, event: string) => v.history.filter((e) => e.event === event);

test('settled at stage 1 when the other partner accepts; a counter-proposal starts a new round', async () => {
  await h.run(async () => {
    const a = await start(disputeInput());
    await a.decide('nenc-commissioner', 'accept');
    expect(await a.handle.result()).toMatchObject({ status: 'resolved', stage: 'early-resolution', resolution: 'council', leadPartner: 'council' });

    const b = await start(disputeInput());
    expect(await refusal(b.decide('nenc-commissioner', 'counter-propose'))).toBe('ReasonRequired');
    await b.decide('nenc-commissioner', 'counter-propose', 'The ICB holds the budget', { leadPartner: 'nenc-icb' });
    // Now the council is asked whether it accepts the ICB's proposal.
    const second = await b.until((v) => v.openTasks[0]?.id.endsWith('early.r2') ?? false);
    expect(second.openTasks[0]!.awaiting).toEqual(['council']);
    await b.decide('council-commissioner', 'accept');
    const outcome = await b.handle.result();
    expect(outcome).toMatchObject({ status: 'resolved', stage: 'early-resolution', leadPartner: 'nenc-icb' });
    expect(outcome.decidedBy).toEqual(['nenc-commissioner', 'council-commissioner']);
  });
});

test('early escalation needs a reason; the Board chair then resolves it, the Board having been told', async () => {
  await h.run(async () => {
    const d = await start(disputeInput());
    expect(await refusal(d.decide('nenc-commissioner', 'escalate'))).toBe('ReasonRequired');
    await d.decide('nenc-commissioner', 'escalate', 'We have tried for months already');
    const board = await d.until((v) => v.stage === 'executive-board' && v.openTasks.length === 1);
    expect(board.openTasks[0]!.assignees).toEqual(['board-chair']);
    expect(events(board, 'dispute-stage').at(-1)!.detail).toContain('escalated early: We have tried for months already');
    await d.decide('board-chair', 'resolve', 'The ICB holds the budget', { leadPartner: 'nenc-icb' });
    expect(await d.handle.result()).toMatchObject({ status: 'resolved', stage: 'executive-board', leadPartner: 'nenc-icb', decidedBy: ['board-chair'] });
    const told = (await h.mails()).filter((m) => m.subject?.startsWith('For your information'));
    // The Board is told with the record so far.
    expect(told[0]!.text).toContain('The record so far:');
    expect(told[0]!.text).toContain('escalated early: We have tried for months already');
    expect(told.map((m) => (m.to && !Array.isArray(m.to) ? m.to.text : '')).sort()).toEqual([
      'board.chair@council.example',
      'director.children@council.example',
      'director.nursing@lsc-icb.example',
      'director.nursing@nenc-icb.example',
    ]);
  });
});

test('each timeout escalates on the right working day; the officers counter-propose, then sign; overdue, they are reminded daily', async () => {
  const { firstFutureCase, advanceTo } = timeline(h);
  const c = await firstFutureCase();
  await h.run(async () => {
    await advanceTo(c.start);
    const d = await start(disputeInput());
    const stage2At = c.dueAt;
    const stage3At = addWorkingDays(ew, new Date(stage2At), 20).toISOString();
    const officersDue = addWorkingDays(ew, new Date(stage3At), 10).toISOString();

    await advanceTo(plus(stage2At, MINUTE));
    let v = await d.until((x) => x.stage === 'executive-board');
    expect(minute(v.stages[1]!.from)).toBe(minute(stage2At));
    expect(v.stages[0]!.waitedOn).toEqual(['NHS North East and North Cumbria ICB']);

    await advanceTo(plus(stage3At, MINUTE));
    v = await d.until((x) => x.stage === 'accountable-officers' && x.openTasks.length === 1);
    expect(minute(v.stages[2]!.from)).toBe(minute(stage3At));
    expect(v.openTasks[0]!.assignees.sort()).toEqual(['council-director-children', 'nenc-director-nursing']);

    await d.decide('council-director-children', 'propose', 'The council runs the service', { leadPartner: 'council' });
    await d.until((x) => x.openTasks[0]?.id.endsWith('officers.r1') ?? false);
    await d.decide('nenc-director-nursing', 'counter-propose', 'Health needs dominate', { leadPartner: 'nenc-icb' });
    v = await d.until((x) => x.openTasks[0]?.id.endsWith('officers.r2') ?? false);
    expect(v.openTasks[0]!.assignees).toEqual(['council-director-children']);

    // Past the deadline: the Board chair is alerted, then daily reminders; nothing decides for them.
    await advanceTo(plus(addWorkingDays(ew, new Date(officersDue), 3).toISOString(), MINUTE));
    v = await d.handle.query(getDispute);
    expect(v.stage).toBe('accountable-officers');
    expect(events(v, 'escalated').length).toBeGreaterThanOrEqual(1);
    expect(events(v, 'reminder-sent').filter((e) => e.detail?.startsWith('Overdue reminder')).length).toBe(2);
    await d.decide('council-director-children', 'accept');
    expect(await d.handle.result()).toMatchObject({ status: 'resolved', stage: 'accountable-officers', leadPartner: 'nenc-icb', decidedBy: ['nenc-director-nursing', 'council-director-children'] });
  });
});

test('withdrawal by the raiser at each stage, with a reason; nobody else may', async () => {
  await h.run(async () => {
    const tryWithdraw = (d: { handle: WorkflowHandle<typeof dispute> }, by: string, reason: string) => d.handle.executeUpdate(withdrawDispute, { args: [{ by, reason }] });

    const one = await start(disputeInput());
    await one.openTask();
    expect(await refusal(tryWithdraw(one, 'nenc-commissioner', 'not mine to withdraw'))).toBe('NoAuthority');
    expect(await refusal(tryWithdraw(one, 'council-commissioner', ''))).toBe('ReasonRequired');
    await tryWithdraw(one, 'council-commissioner', 'We agreed over the phone');
    expect(await one.handle.result()).toMatchObject({ status: 'withdrawn', stage: 'early-resolution', reason: 'We agreed over the phone' });

    const two = await start(disputeInput({ startAt: 'executive-board' }));
    await two.until((v) => v.stage === 'executive-board' && v.openTasks.length === 1);
    await tryWithdraw(two, 'council-commissioner', 'Resolved informally');
    expect(await two.handle.result()).toMatchObject({ status: 'withdrawn', stage: 'executive-board' });
    expect((await two.handle.query(getDispute)).tasks[0]!.status).toBe('cancelled');

    const three = await start(disputeInput({ startAt: 'executive-board' }));
    await three.decide('board-chair', 'final-decision-required', 'The Board is split');
    await three.until((v) => v.stage === 'accountable-officers' && v.openTasks.length === 1);
    await tryWithdraw(three, 'council-commissioner', 'The ICB will lead after all');
    expect(await three.handle.result()).toMatchObject({ status: 'withdrawn', stage: 'accountable-officers' });
  });
});
