import type { WorkflowHandle } from '@temporalio/client';
import { disputeWorkflowId, type DisputeInput, type DisputeView } from '../../domain/dispute';
import { calendarOf } from '../../domain/partnership';
import { policyVersionOf } from '../../config';
import { decideTask, dispute, getDispute, withdrawDispute } from '../../workflows/dispute';
import { getCommission } from '../../workflows/jointCommission';
import { entries, MINUTE, plus, refusal, timeline } from '../helpers/timeline';
import { describeRuns } from '../helpers/runs';
import { harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

/**
 * What a dispute gives back to what raised it: a choice among its partners or a split, carried as
 * the decision's data and checked by the validator, never read from the words of a comment.
 */
let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h?.close();
});

let n = 0;
function disputeInput(overrides: Partial<DisputeInput> = {}): DisputeInput {
  const p = h.partnership;
  return {
    id: `jd-outc${String(++n).padStart(6, '0')}`,
    subject: { type: 'commission', id: 'jc-abcdefghij', title: 'Short breaks' },
    partners: p.partners.filter((x) => x.id !== 'lsc-icb').map((x) => ({ id: x.id, name: x.name })),
    partnership: p.partners.map((x) => ({ id: x.id, name: x.name })),
    matter: 'Who leads the short breaks procurement',
    desiredOutcome: 'council',
    resolutionKind: 'lead-partner',
    raisedBy: { person: 'council-commissioner', partner: 'council' },
    calendar: calendarOf(p),
    policy: p.policies.dispute,
    policyVersion: policyVersionOf(p),
    ...overrides,
  };
}

async function start(input: DisputeInput) {
  const handle = await h.env.client.workflow.start(dispute, { workflowId: disputeWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
  return disputeDriver(handle);
}

function disputeDriver(handle: WorkflowHandle<typeof dispute>) {
  const until = async (ok: (v: DisputeView) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const v = await handle.query(getDispute).catch(() => undefined);
      if (v && ok(v)) return v;
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

test('a lead choice travels as data: the Board resolves in words and chooses a partner; a choice outside the dispute, or none, is refused', async () => {
  await h.run(async () => {
    const d = await start(disputeInput({ startAt: 'executive-board' }));
    const board = await d.openTask();
    // The page and the API offer the dispute's partners, and only them.
    expect(board.fields?.[0]?.choices?.map((c) => c.value)).toEqual(['council', 'nenc-icb']);
    expect(await refusal(d.decide('board-chair', 'resolve', 'NENC ICB should lead'))).toBe('InvalidData');
    expect(await refusal(d.decide('board-chair', 'resolve', 'NENC ICB should lead', { leadPartner: 'lsc-icb' }))).toBe('InvalidData');
    await d.decide('board-chair', 'resolve', 'NENC ICB should lead', { leadPartner: 'nenc-icb' });
    expect(await d.handle.result()).toMatchObject({ status: 'resolved', stage: 'executive-board', leadPartner: 'nenc-icb', decidedBy: ['board-chair'] });
  });
});

test('a counter-proposal at stage 1 carries its lead choice, and accepting it settles that partner', async () => {
  await h.run(async () => {
    const d = await start(disputeInput());
    expect(await refusal(d.decide('nenc-commissioner', 'counter-propose', 'The ICB should lead'))).toBe('InvalidData');
    await d.decide('nenc-commissioner', 'counter-propose', 'The ICB holds most of the budget', { leadPartner: 'nenc-icb' });
    await d.until((v) => v.openTasks[0]?.id.endsWith('early.r2') ?? false);
    expect(await refusal(d.decide('council-commissioner', 'accept', undefined, { leadPartner: 'council' }))).toBe('InvalidData');
    await d.decide('council-commissioner', 'accept');
    const outcome = await d.handle.result();
    expect(outcome).toMatchObject({ status: 'resolved', stage: 'early-resolution', leadPartner: 'nenc-icb', decidedBy: ['nenc-commissioner', 'council-commissioner'] });
    expect((await d.handle.query(getDispute)).proposals.at(-1)).toMatchObject({ by: 'nenc-commissioner', partner: 'nenc-icb', leadPartner: 'nenc-icb' });
  });
});

test('a split dispute takes the split as data, naming exactly its partners and summing to 100', async () => {
  await h.run(async () => {
    const d = await start(disputeInput({ resolutionKind: 'split', desiredOutcome: 'council 50%, nenc-icb 50%', matter: 'The funding split for referral CYP-1' }));
    expect(await refusal(d.decide('nenc-commissioner', 'counter-propose', 'Health should pay less'))).toBe('InvalidData');
    expect(await refusal(d.decide('nenc-commissioner', 'counter-propose', 'Health should pay less', { split: { council: 100 } }))).toBe('InvalidData');
    expect(await refusal(d.decide('nenc-commissioner', 'counter-propose', 'Health should pay less', { split: { council: 60, 'nenc-icb': 30 } }))).toBe('InvalidData');
    await d.decide('nenc-commissioner', 'counter-propose', 'Health should pay less', { split: { council: 60, 'nenc-icb': 40 } });
    await d.until((v) => v.openTasks[0]?.id.endsWith('early.r2') ?? false);
    await d.decide('council-commissioner', 'accept');
    expect(await d.handle.result()).toMatchObject({ status: 'resolved', split: { council: 60, 'nenc-icb': 40 } });
  });
});

test("a lead dispute the Board resolves in words, choosing a partner, settles the commission's lead", async () => {
  const { firstFutureCase, advanceTo, waitFor, startAt } = timeline(h);
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    await advanceTo(plus(c.finalDueAt, MINUTE));
    const opened = await waitFor(handle, (v) => entries(v, 'dispute-opened').length === 1);
    const disputeId = entries(opened, 'dispute-opened')[0]!.detail!.split(' ')[1]!;
    const d = disputeDriver(h.env.client.workflow.getHandle(disputeWorkflowId(disputeId)));
    await d.until((v) => v.stage === 'executive-board' && v.openTasks.length === 1);
    await d.decide('board-chair', 'resolve', 'NENC ICB should lead', { leadPartner: 'nenc-icb' });
    const view = await waitFor(handle, (v) => v.lead.status !== 'disputed' || entries(v, 'dispute-closed').length > 0);
    expect(view.lead).toMatchObject({ status: 'decided', partner: 'nenc-icb' });
    expect((await handle.query(getCommission)).stage).toBe('analyse');
  });
});

test("the accountable officer who proposes is recorded for his partner, and only the other partners' officers are asked to sign", async () => {
  await h.run(async () => {
    const d = await start(disputeInput({ startAt: 'executive-board' }));
    await d.decide('board-chair', 'final-decision-required', 'The Board is split');
    await d.until((v) => v.stage === 'accountable-officers' && v.openTasks.length === 1);
    await d.decide('council-director-children', 'propose', 'The council runs the service', { leadPartner: 'council' });
    const signing = await d.until((v) => v.openTasks[0]?.id.endsWith('officers.r1') ?? false);
    expect(signing.openTasks[0]!.awaiting).toEqual(['nenc-icb']);
    expect(signing.openTasks[0]!.assignees).toEqual(['nenc-director-nursing']);
    expect(signing.proposals.at(-1)).toMatchObject({ by: 'council-director-children', partner: 'council' });
    const proposed = signing.history.filter((e) => e.event === 'task-decided').at(-1)!;
    expect([proposed.by, proposed.partner]).toEqual(['council-director-children', 'council']);
    expect(await refusal(d.decide('council-director-children', 'accept'))).toBe('NotAssignee');
    await d.decide('nenc-director-nursing', 'accept');
    expect(await d.handle.result()).toMatchObject({ status: 'resolved', stage: 'accountable-officers', leadPartner: 'council', decidedBy: ['council-director-children', 'nenc-director-nursing'] });
  });
});

test('when the commission\'s creator withdraws the lead dispute, the commission does not idle: a fresh round opens under a new dispute id, and settles the lead', async () => {
  const { firstFutureCase, waitFor, startAt } = timeline(h);
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    const lead = (await handle.query(getCommission)).openTasks[0]!;
    await handle.executeUpdate(decideTask, { args: [{ taskId: lead.id, by: 'nenc-commissioner', channel: 'api', decision: 'object', comment: 'The ICB should lead' }] });
    const opened = await waitFor(handle, (v) => entries(v, 'dispute-opened').length === 1);
    const firstId = entries(opened, 'dispute-opened')[0]!.detail!.split(' ')[1]!;
    const first = disputeDriver(h.env.client.workflow.getHandle(disputeWorkflowId(firstId)));
    await first.openTask();
    await first.handle.executeUpdate(withdrawDispute, { args: [{ by: 'council-commissioner', reason: 'We are talking it over by phone' }] });

    const again = await waitFor(handle, (v) => entries(v, 'dispute-opened').length === 2);
    const secondId = entries(again, 'dispute-opened')[1]!.detail!.split(' ')[1]!;
    expect(secondId).not.toBe(firstId);
    expect(again.lead.status).toBe('disputed');
    const second = disputeDriver(h.env.client.workflow.getHandle(disputeWorkflowId(secondId)));
    const task = await second.openTask();
    expect(task.id.startsWith(`${secondId}.`)).toBe(true);
    await second.decide('nenc-commissioner', 'accept');
    await second.decide('lsc-commissioner', 'accept');
    const view = await waitFor(handle, (v) => v.lead.status === 'decided');
    expect(view.lead).toMatchObject({ status: 'decided', partner: 'council' });
  });
});

test('four months overdue at the accountable officers: reminded every working day, the dispute continues as new at the default bound (each run past 1,000 events continues), each run stays under 2,000 events, and the open task still settles it', async () => {
  await h.run(async () => {
    const d = await start(disputeInput({ startAt: 'executive-board' }));
    await d.decide('board-chair', 'final-decision-required', 'The Board is split');
    await d.until((v) => v.stage === 'accountable-officers' && v.openTasks.length === 1);
    await d.decide('council-director-children', 'propose', 'The council runs the service', { leadPartner: 'council' });
    await d.until((v) => v.openTasks[0]?.id.endsWith('officers.r1') ?? false);
    const firstRunId = (await d.handle.describe()).runId;

    // The one long wait kept at the default bound (1,000 events; the others set a smaller one of their
    // own): long enough for about 1,400 events (about 10 a day), so the first run continues as new
    // with room to spare; longer costs time here and proves nothing more.
    await h.env.sleep(120 * 24 * 60 * MINUTE);

    const latest = h.env.client.workflow.getHandle(d.handle.workflowId);
    const first = await h.env.client.workflow.getHandle(d.handle.workflowId, firstRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    const now = disputeDriver(latest);
    const v = await now.until((x) => x.openTasks.length === 1);
    expect(v.stage).toBe('accountable-officers');
    // Still asking the other partner's officer to sign the same proposal; reminders kept coming.
    expect(v.openTasks[0]!.awaiting).toEqual(['nenc-icb']);
    expect(v.openTasks[0]!.title).toContain('Sign');
    expect(v.history.filter((e) => e.event === 'reminder-sent').length).toBeGreaterThanOrEqual(60);
    expect((await latest.fetchHistory()).events!.length).toBeLessThan(2000);
    const runs = await describeRuns(h.env.client, d.handle.workflowId);
    console.log(`officers' long wait, events per run: ${JSON.stringify(runs.map((r) => r.events))}`);
    expect(runs.length).toBeGreaterThan(1);
    expect(Math.max(...runs.map((r) => r.events))).toBeLessThan(2000);

    await now.decide('nenc-director-nursing', 'accept');
    expect(await d.handle.result()).toMatchObject({ status: 'resolved', stage: 'accountable-officers', leadPartner: 'council', decidedBy: ['council-director-children', 'nenc-director-nursing'] });
  });
}, 600_000);
