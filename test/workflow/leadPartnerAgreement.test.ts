import { decideTask, getCommission } from '../../workflows/jointCommission';
import type { WorkflowHandle } from '@temporalio/client';
import type { DisputeView } from '../../domain/dispute';
import { getDispute } from '../../workflows/dispute';
import { entries, leadTask, minute, minutes, MINUTE, party, plus, timeline, refusal } from '../helpers/timeline';
import { Worker } from '@temporalio/worker';
import { harness, workflowBundle, type Harness } from '../helpers/workflowEnv';
import { setupCostOf } from '../../bench/historyCost';

let h: Harness;
let firstFutureCase: ReturnType<typeof timeline>['firstFutureCase'];
let advanceTo: ReturnType<typeof timeline>['advanceTo'];
let waitFor: ReturnType<typeof timeline>['waitFor'];
let startAt: ReturnType<typeof timeline>['startAt'];

beforeEach(async () => {
  h = await harness();
  ({ firstFutureCase, advanceTo, waitFor, startAt } = timeline(h));
});
afterEach(async () => {
  await h?.close();
});


test('reminder and escalation fire on the right working days over a bank-holiday weekend, then the lead is disputed for no response', async () => {
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    let view = await handle.query(getCommission);
    expect(minute(leadTask(view).dueAt)).toBe(minute(c.dueAt));
    expect(leadTask(view).awaiting).toEqual(['nenc-icb', 'lsc-icb']);
    expect(leadTask(view).completion).toBe('each-partner');

    // Just before the reminder is due nothing has been sent but the requests.
    await advanceTo(new Date(Date.parse(c.remindAt) - MINUTE).toISOString());
    view = await handle.query(getCommission);
    expect(entries(view, 'reminder-sent')).toHaveLength(0);

    await advanceTo(new Date(Date.parse(c.remindAt) + MINUTE).toISOString());
    view = await waitFor(handle, (v) => entries(v, 'reminder-sent').length === 1);
    expect(minute(entries(view, 'reminder-sent')[0]!.at)).toBe(minute(c.remindAt));

    await advanceTo(new Date(Date.parse(c.dueAt) + MINUTE).toISOString());
    view = await waitFor(handle, (v) => entries(v, 'escalated').length === 2);
    expect(minutes(entries(view, 'escalated').map((e) => e.at))).toEqual(minutes([c.dueAt, c.dueAt]));
    expect(party(view, 'nenc-icb').assignees).toEqual(['nenc-commissioner', 'nenc-senior-manager']);
    expect(minute(leadTask(view).dueAt)).toBe(minute(c.finalDueAt));
    expect(leadTask(view).escalationLevel).toBe(1);
    expect(view.lead.status).toBe('proposed');

    await advanceTo(new Date(Date.parse(c.finalDueAt) + MINUTE).toISOString());
    view = await waitFor(handle, (v) => v.lead.status !== 'proposed');
    expect(view.lead.status).toBe('disputed');
    expect(view.lead.reason).toBe('no response from NHS North East and North Cumbria ICB, NHS Lancashire and South Cumbria ICB');
    expect(leadTask(view).status).toBe('expired');
    expect(minute(entries(view, 'lead-disputed')[0]!.at)).toBe(minute(c.finalDueAt));
    expect(view.stage).toBe('lead-agreement');

    // Each commissioner got a request, a reminder and, at the escalation, a fresh link with the
    // new deadline (they may still decide); each senior manager the escalation.
    const mails = await h.mails();
    const to = (addr: string) => mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text === addr));
    expect(to('commissioner@nenc-icb.example').map((m) => m.subject?.split(' by ')[0])).toEqual(['Decision needed', 'Reminder, decision due soon', 'Deadline moved, decision still needed']);
    expect(to('senior.manager@nenc-icb.example').map((m) => m.subject?.split(' by ')[0])).toEqual(['Escalated to you']);
    expect(to('senior.manager@lsc-icb.example')).toHaveLength(1);
    expect(mails.filter((m) => m.subject?.includes('Agree Cumberland Council as lead partner'))).toHaveLength(8);
    // No response: the dispute opens at the Executive Board, whose chair is asked.
    const disputed = await waitFor(handle, (v) => entries(v, 'dispute-opened').length === 1);
    expect(entries(disputed, 'dispute-opened')[0]!.detail).toContain('at the executive-board stage');
  });
});

test('a new commission is set up with its people looked up locally and one write, its task open, before the emails', async () => {
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    // Quiet once both partners' commissioners have their request (the reminder is days away).
    const sent = (events: Awaited<ReturnType<typeof handle.fetchHistory>>['events']) =>
      (events ?? []).filter((e) => e.activityTaskCompletedEventAttributes).length;
    let events = (await handle.fetchHistory()).events ?? [];
    for (let i = 0; i < 100 && sent(events) < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      events = (await handle.fetchHistory()).events ?? [];
    }
    const cost = setupCostOf(events);
    // One look-up per partner asked, in the workflow task that opens the task (patch
    // fewer-workflow-tasks); the case written once; the two requests after it. (Each patch adds its
    // own TemporalChangeVersion upsert, counted apart.)
    expect(cost.byType).toEqual({ syncSubject: 1, sendTaskEmail: 2 });
    expect(cost.localActivities).toBe(2);
    expect(cost.searchAttributeUpserts).toBe(1);
    // The look-ups and the write are commanded by the same workflow task (the first).
    const byTask = (e: (typeof events)[number]) => Number((e.markerRecordedEventAttributes ?? e.activityTaskScheduledEventAttributes)?.workflowTaskCompletedEventId);
    const lookUps = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').map(byTask);
    const write = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'syncSubject').map(byTask);
    // (Read from the first command's event: the time-skipping server numbers the task one lower.)
    const firstTask = byTask(events.find((e) => e.markerRecordedEventAttributes)!);
    expect([...new Set([...lookUps, ...write])]).toEqual([firstTask]);
    // A worker that lost it from its cache replays it the same way (the look-ups' markers, one
    // after the other).
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await handle.fetchHistory(), handle.workflowId);
  });
});

test('agreement after the reminder settles the lead, and nothing escalates afterwards', async () => {
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    await advanceTo(new Date(Date.parse(c.remindAt) + MINUTE).toISOString());
    await waitFor(handle, (v) => entries(v, 'reminder-sent').length === 1);

    const task = leadTask(await handle.query(getCommission));
    const first = await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: 'nenc-commissioner', channel: 'api', decision: 'agree' }] });
    // The task shows who has and has not decided yet.
    expect(first.status).toBe('open');
    expect(first.awaiting).toEqual(['lsc-icb']);
    expect(first.assignees).toEqual(['lsc-commissioner']);
    const second = await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: 'lsc-commissioner', channel: 'api', decision: 'agree' }] });
    expect(second.status).toBe('decided');
    expect(second.decisions!.map((d) => [d.by, d.partner, d.decision])).toEqual([
      ['nenc-commissioner', 'nenc-icb', 'agree'],
      ['lsc-commissioner', 'lsc-icb', 'agree'],
    ]);
    let view = await waitFor(handle, (v) => v.lead.status !== 'proposed');
    expect(view.lead).toEqual({ status: 'agreed', partner: 'council' });
    expect(view.stage).toBe('analyse');

    await advanceTo(new Date(Date.parse(c.finalDueAt) + MINUTE).toISOString());
    view = await handle.query(getCommission);
    expect(entries(view, 'escalated')).toHaveLength(0);
    expect(view.lead.status).toBe('agreed');
    expect((await h.mails()).filter((m) => m.subject?.startsWith('Escalated'))).toHaveLength(0);
  });
});

test('a senior manager answers after escalation and the lead is agreed', async () => {
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    const task = leadTask(await handle.query(getCommission));
    await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: 'lsc-commissioner', channel: 'api', decision: 'agree' }] });

    await advanceTo(new Date(Date.parse(c.dueAt) + MINUTE).toISOString());
    const view0 = await waitFor(handle, (v) => entries(v, 'escalated').length === 1);
    // Only the partner still awaited escalates.
    expect(entries(view0, 'escalated')[0]!.partner).toBe('nenc-icb');
    expect(leadTask(view0).assignees).toEqual(['nenc-commissioner', 'nenc-senior-manager']);
    await handle.executeUpdate(decideTask, {
      args: [{ taskId: task.id, by: 'nenc-senior-manager', channel: 'email', decision: 'agree', comment: 'Agreed on behalf of the ICB' }],
    });
    const view = await waitFor(handle, (v) => v.lead.status !== 'proposed');
    expect(view.lead.status).toBe('agreed');
    expect(entries(view, 'task-decided').map((e) => [e.by, e.partner, e.channel])).toEqual([
      ['lsc-commissioner', 'lsc-icb', 'api'],
      ['nenc-senior-manager', 'nenc-icb', 'email'],
    ]);
  });
});


test('an objection needs a reason and disputes the lead at once; refused decisions leave no trace', async () => {
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    const task = leadTask(await handle.query(getCommission));
    const decide = (by: string, decision: string, comment?: string, taskId = task.id) =>
      handle.executeUpdate(decideTask, { args: [{ taskId, by, channel: 'api', decision, comment }] });

    expect(await refusal(decide('nenc-commissioner', 'object'))).toBe('ReasonRequired');
    expect(await refusal(decide('council-commissioner', 'agree'))).toBe('NotAssignee');
    expect(await refusal(decide('nenc-commissioner', 'maybe'))).toBe('InvalidDecision');
    expect(await refusal(decide('nenc-commissioner', 'agree', undefined, 'jc-test999999.lead'))).toBe('UnknownTask');
    await decide('lsc-commissioner', 'agree');
    // LSC has answered: its people cannot answer again.
    expect(await refusal(decide('lsc-commissioner', 'object', 'changed my mind'))).toBe('TaskClosed');

    await decide('nenc-commissioner', 'object', 'The ICB holds the larger budget share');
    const view = await waitFor(handle, (v) => v.lead.status !== 'proposed');
    expect(view.lead).toEqual({
      status: 'disputed',
      partner: 'council',
      reason: 'NHS North East and North Cumbria ICB objected: The ICB holds the larger budget share',
    });
    expect(leadTask(view).status).toBe('decided');
    expect(leadTask(view).decision!.decision).toBe('object');
    expect(entries(view, 'task-decided')).toHaveLength(2);
  });
});

test('an objection opens a dispute at stage 1; when it settles, its resolution sets the lead and the commission moves on', async () => {
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    const task = leadTask(await handle.query(getCommission));
    await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: 'nenc-commissioner', channel: 'api', decision: 'object', comment: 'The ICB should lead' }] });
    await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: 'lsc-commissioner', channel: 'api', decision: 'agree' }] }).catch(() => undefined);
    const opened = await waitFor(handle, (v) => entries(v, 'dispute-opened').length === 1);
    const disputeId = opened.history.find((e) => e.event === 'dispute-opened')!.detail!.split(' ')[1]!;
    const child = h.env.client.workflow.getHandle(`dispute:${disputeId}`);
    // The council's proposal (itself) is put to the other partners; both accept.
    let d = await waitForDispute(child, (v) => v.openTasks.length === 1);
    expect(d.stage).toBe('early-resolution');
    for (const by of ['nenc-commissioner', 'lsc-commissioner']) {
      d = await waitForDispute(child, (v) => v.openTasks.length === 1);
      await child.executeUpdate(decideTask, { args: [{ taskId: d.openTasks[0]!.id, by, channel: 'api', decision: 'accept' }] });
    }
    const view = await waitFor(handle, (v) => v.lead.status === 'decided');
    expect(view.lead).toMatchObject({ status: 'decided', partner: 'council' });
    expect(view.stage).toBe('analyse');
    // The dispute's record joins the commission's.
    expect(view.history.filter((e) => e.detail?.startsWith(`[dispute ${disputeId}]`)).map((e) => e.event)).toContain('dispute-raised');
  });
});

test('no response opens the dispute at the Executive Board, whose chair decides the lead', async () => {
  await h.run(async () => {
    const c = await firstFutureCase();
    const handle = await startAt(c.start);
    await advanceTo(plus(c.finalDueAt, MINUTE));
    const opened = await waitFor(handle, (v) => entries(v, 'dispute-opened').length === 1);
    const disputeId = opened.history.find((e) => e.event === 'dispute-opened')!.detail!.split(' ')[1]!;
    const child = h.env.client.workflow.getHandle(`dispute:${disputeId}`);
    const d = await waitForDispute(child, (v) => v.stage === 'executive-board' && v.openTasks.length === 1);
    await child.executeUpdate(decideTask, { args: [{ taskId: d.openTasks[0]!.id, by: 'board-chair', channel: 'email', decision: 'resolve', comment: 'The ICB holds the budget', data: { leadPartner: 'nenc-icb' } }] });
    const view = await waitFor(handle, (v) => v.lead.status === 'decided');
    expect(view.lead).toMatchObject({ status: 'decided', partner: 'nenc-icb' });
    expect(entries(view, 'lead-decided')[0]!.detail).toContain('NHS North East and North Cumbria ICB leads');
  });
});

async function waitForDispute(child: WorkflowHandle, ok: (v: DisputeView) => boolean): Promise<DisputeView> {
  for (let i = 0; i < 100; i++) {
    const v = await child.query(getDispute).catch(() => undefined);
    if (v && ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the dispute did not reach the expected state');
}
