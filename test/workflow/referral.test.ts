import { referralInputOf } from '../helpers/inputs';
import { readReferral } from '../../api/subjects';
import { ukDate } from '../../domain/calendar';
import { disputeWorkflowId } from '../../domain/dispute';
import { addDuration } from '../../domain/duration';
import { panelDateFor, panelOnOrAfter, ukInstant } from '../../domain/panel';
import { calendarOf } from '../../domain/partnership';
import { referralWorkflowId, type ReferralInput, type ReferralView } from '../../domain/referral';
import { getDispute, decideTask as decideDisputeTask } from '../../workflows/dispute';
import { decideTask, getReferral, resourceAllocation } from '../../workflows/referral';
import { describeRuns } from '../helpers/runs';
import { MINUTE, plus, refusal } from '../helpers/timeline';
import { harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h?.close();
});

let n = 0;
function referralInput(overrides: Partial<ReferralInput> = {}): ReferralInput {
  return referralInputOf(h.partnership, `CYP${String(++n).padStart(5, '0')}${Date.now() % 1000}`, overrides);
}

async function start(input: ReferralInput) {
  const workflowId = referralWorkflowId(input.caseRef);
  const first = await h.env.client.workflow.start(resourceAllocation, { workflowId, taskQueue: TASK_QUEUE, args: [input] });
  // The latest run: reviews continue as new.
  const handle = h.env.client.workflow.getHandle<typeof resourceAllocation>(workflowId);
  const until = async (ok: (v: ReferralView) => boolean) => {
    let v: ReferralView | undefined;
    for (let i = 0; i < 150; i++) {
      v = await handle.query(getReferral);
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the referral did not reach the expected state; it is ${v?.status} with ${v?.openTasks.map((t) => t.id).join(', ')}`);
  };
  const open = async (kind: string) => (await until((v) => v.openTasks.some((t) => t.kind === kind))).openTasks.find((t) => t.kind === kind)!;
  const decide = async (kind: string, by: string, decision: string, comment?: string, data?: Record<string, unknown>) => {
    const task = await open(kind);
    return handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by, channel: 'api', decision, comment, data }] });
  };
  return { first, handle, until, open, decide };
}

const POSITION = 'referral-position';
const PANEL = 'referral-panel-decision';
const REVIEW = 'referral-review';
const advanceTo = async (iso: string) => h.env.sleep(Math.max(0, Date.parse(iso) - (await h.env.currentTimeMs())));
/** The morning of the panel's day: the chair records its decision from then, positions are still open until the meeting. */
const toPanelDay = (v: ReferralView) => advanceTo(ukInstant(ukDate(new Date(v.panelAt)), '00:01').toISOString());
const refusalMessage = (p: Promise<unknown>) => p.then(() => '', (err: { cause?: { message?: string } }) => err.cause?.message ?? String(err));

test('the chair cannot decide without a quorum; once each funding partner agrees, approval takes the agreed split and schedules the first review', async () => {
  await h.run(async () => {
    const r = await start(referralInput());
    const listed = await r.until((v) => v.openTasks.length === 2);
    expect(listed.panelAt).toBe(panelDateFor(calendarOf(h.partnership), h.partnership.policies.resourceAllocation, new Date(listed.referredAt), false).toISOString());
    expect(listed.openTasks.find((t) => t.kind === POSITION)!.awaiting).toEqual(['council', 'nenc-icb']);
    expect(listed.openTasks.find((t) => t.kind === PANEL)!.assignees).toEqual(['council-rap-chair']);

    expect(await refusalMessage(r.decide(PANEL, 'council-rap-chair', 'approve'))).toBe(
      'Quorum rule: the panel can decide only when a RAP member of each funding partner has recorded a position; still missing: Cumberland Council, NHS North East and North Cumbria ICB.',
    );
    // Proposals are validated: the split sums to 100 and names exactly the funding partners.
    expect(await refusal(r.decide(POSITION, 'council-rap-member', 'propose', 'More health need', { split: { council: 30, 'nenc-icb': 60 } }))).toBe('InvalidData');
    expect(await refusalMessage(r.decide(POSITION, 'council-rap-member', 'propose', 'More health need', { split: { council: 100 } }))).toContain('Split rule: a split names exactly the funding partners (council, nenc-icb)');
    expect(await refusal(r.decide(POSITION, 'lsc-rap-member', 'agree'))).toBe('NotAssignee');

    await r.decide(POSITION, 'council-rap-member', 'agree');
    expect(await refusalMessage(r.decide(PANEL, 'council-rap-chair', 'approve'))).toContain('still missing: NHS North East and North Cumbria ICB.');
    await r.decide(POSITION, 'nenc-rap-member', 'agree');
    const agreedFirst = await r.until((v) => v.agreedSplit !== undefined);
    expect(agreedFirst.status).toBe('awaiting-panel');
    await toPanelDay(agreedFirst);
    await r.decide(PANEL, 'council-rap-chair', 'approve', undefined, { startDate: '2027-04-01' });
    const approved = await r.until((v) => v.status === 'approved');
    expect(approved.decision).toMatchObject({ outcome: 'approve', by: 'council-rap-chair', split: { council: 50, 'nenc-icb': 50 } });
    expect(approved.nextReviewAt).toBe('2027-07-01T09:00:00.000Z');
    expect(approved.decidedAt).toBeDefined();
    expect(approved.stages.map((s) => s.stage)).toEqual(['positions', 'panel']);
  });
});

test('when positions differ they are shown side by side; the other partner is asked about the new proposal; approval with conditions needs them written', async () => {
  await h.run(async () => {
    const r = await start(referralInput());
    await r.decide(POSITION, 'nenc-rap-member', 'propose', 'The education element is larger than the referral says', { split: { council: 60, 'nenc-icb': 40 } });
    await r.decide(POSITION, 'council-rap-member', 'agree');
    const differ = await r.until((v) => v.positionsDiffer && v.openTasks.some((t) => t.id.endsWith('pos.r2')));
    expect(differ.positions).toEqual([
      expect.objectContaining({ partner: 'council', stance: 'agree', split: { council: 50, 'nenc-icb': 50 } }),
      expect.objectContaining({ partner: 'nenc-icb', stance: 'propose', split: { council: 60, 'nenc-icb': 40 }, reasons: 'The education element is larger than the referral says' }),
    ]);
    expect(differ.proposedSplit).toEqual({ council: 60, 'nenc-icb': 40 });
    expect(differ.openTasks.find((t) => t.kind === POSITION)!.awaiting).toEqual(['council']);
    expect(await refusalMessage(r.decide(PANEL, 'council-rap-chair', 'approve'))).toContain('Split rule: the funding partners have not agreed a split yet');

    await r.decide(POSITION, 'council-rap-member', 'agree');
    const agreed = await r.until((v) => v.agreedSplit !== undefined);
    expect(agreed.positionsDiffer).toBe(false);
    await toPanelDay(agreed);
    expect(await refusal(r.decide(PANEL, 'council-rap-chair', 'approve-with-conditions'))).toBe('ReasonRequired');
    await r.decide(PANEL, 'council-rap-chair', 'approve-with-conditions', 'Review the nursing hours after 6 weeks');
    expect((await r.until((v) => v.status === 'approved-with-conditions')).decision).toMatchObject({ conditions: 'Review the nursing hours after 6 weeks', split: { council: 60, 'nenc-icb': 40 } });
  });
});

test('deferred with a return date, the referral re-enters the next panel on or after it with fresh positions, and may then be declined with reasons', async () => {
  await h.run(async () => {
    const r = await start(referralInput({ urgent: true }));
    const listed = await r.until((v) => v.openTasks.length === 2);
    expect(listed.panelAt).toBe(addDuration(calendarOf(h.partnership), new Date(listed.referredAt), '2 working days').toISOString());
    await r.decide(POSITION, 'council-rap-member', 'agree');
    await r.decide(POSITION, 'nenc-rap-member', 'propose', 'Health should pay less', { split: { council: 70, 'nenc-icb': 30 } });
    await toPanelDay(await r.until((v) => v.positionsDiffer));
    const today = ukDate(new Date(await h.env.currentTimeMs()));
    expect(await refusalMessage(r.decide(PANEL, 'council-rap-chair', 'defer', 'Need the therapy assessment'))).toContain('deferring needs the return date: fill it in on the page, or send data {"returnDate": "YYYY-MM-DD"}');
    expect(await refusalMessage(r.decide(PANEL, 'council-rap-chair', 'defer', 'Need the therapy assessment', { returnDate: today }))).toContain('Defer rule');
    const returnDate = ukDate(new Date((await h.env.currentTimeMs()) + 40 * 86_400_000));
    await r.decide(PANEL, 'council-rap-chair', 'defer', 'Need the therapy assessment', { returnDate });
    const deferred = await r.until((v) => v.status === 'deferred');
    // The deferral closed the positions still asked: they are moot until it returns.
    expect(deferred.openTasks).toEqual([]);
    expect(deferred.decidedAt).toBeUndefined();

    await advanceTo(plus(ukInstant(returnDate, '00:00').toISOString(), MINUTE));
    const back = await r.until((v) => v.cycle === 2 && v.openTasks.length === 2);
    expect(back.panelAt).toBe(panelOnOrAfter(calendarOf(h.partnership), h.partnership.policies.resourceAllocation, returnDate, new Date(deferred.decision!.at)).toISOString());
    expect(back.positions).toEqual([]);
    expect(back.stages.map((s) => s.stage)).toEqual(['positions', 'deferred', 'positions']);
    await r.decide(POSITION, 'council-rap-member', 'agree');
    await r.decide(POSITION, 'nenc-rap-member', 'agree');
    await toPanelDay(await r.until((v) => v.agreedSplit !== undefined));
    expect(await refusal(r.decide(PANEL, 'council-rap-chair', 'decline'))).toBe('ReasonRequired');
    await r.decide(PANEL, 'council-rap-chair', 'decline', 'Needs can be met by universal services');
    expect(await r.first.result()).toEqual({ status: 'declined' });
    const declined = await r.handle.query(getReferral);
    expect(declined.decisions.map((d) => d.outcome)).toEqual(['defer', 'decline']);
    expect(declined.decision).toMatchObject({ reasons: 'Needs can be met by universal services' });
  });
});

test('no agreed split by the panel: a dispute opens, its resolution sets the split, and the panel decision proceeds', async () => {
  await h.run(async () => {
    const r = await start(referralInput({ proposedSplit: { council: 40, 'nenc-icb': 60 } }));
    await r.decide(POSITION, 'council-rap-member', 'agree');
    await r.decide(POSITION, 'nenc-rap-member', 'propose', 'This is mostly social care', { split: { council: 70, 'nenc-icb': 30 } });
    const round2 = await r.until((v) => v.openTasks.some((t) => t.id.endsWith('pos.r2')));

    await advanceTo(plus(round2.panelAt, MINUTE));
    const disputed = await r.until((v) => v.status === 'disputed' && v.disputes.length === 1);
    expect(disputed.openTasks).toEqual([]);
    const disputeId = disputed.disputes[0]!.id;
    const child = h.env.client.workflow.getHandle(disputeWorkflowId(disputeId));
    let d = await child.query(getDispute);
    for (let i = 0; i < 50 && d.openTasks.length === 0; i++) {
      await new Promise((res) => setTimeout(res, 100));
      d = await child.query(getDispute);
    }
    expect(d.subject).toEqual({ type: 'referral', id: disputed.id, title: `Referral ${disputed.caseRef}` });
    expect(d.proposals[0]!.resolution).toBe('council 70%, nenc-icb 30%');
    // The ICB's commissioner counter-proposes a split in words; the council's accepts it.
    expect(
      await refusalMessage(child.executeUpdate(decideDisputeTask, { args: [{ taskId: d.openTasks[0]!.id, by: 'nenc-commissioner', channel: 'api', decision: 'counter-propose', comment: 'Half each' }] })),
    ).toContain('this needs each partner\'s share');
    await child.executeUpdate(decideDisputeTask, { args: [{ taskId: d.openTasks[0]!.id, by: 'nenc-commissioner', channel: 'api', decision: 'counter-propose', comment: 'Nearer half each', data: { split: { council: 55, 'nenc-icb': 45 } } }] });
    for (let i = 0; i < 50 && !d.openTasks[0]?.id.endsWith('r2'); i++) {
      await new Promise((res) => setTimeout(res, 100));
      d = await child.query(getDispute);
    }
    await child.executeUpdate(decideDisputeTask, { args: [{ taskId: d.openTasks[0]!.id, by: 'council-commissioner', channel: 'api', decision: 'accept' }] });

    const set = await r.until((v) => v.agreedSplit !== undefined && v.openTasks.some((t) => t.kind === PANEL));
    expect(set.agreedSplit).toEqual({ council: 55, 'nenc-icb': 45 });
    expect(set.disputes[0]).toMatchObject({ id: disputeId, status: 'resolved' });
    expect(set.history.some((e) => e.event === 'split-set')).toBe(true);
    expect(set.history.some((e) => e.detail?.startsWith(`[dispute ${disputeId}]`))).toBe(true);
    // The decision waits for the panel the referral is now listed for.
    await toPanelDay(await r.handle.query(getReferral));
    await r.decide(PANEL, 'council-rap-chair', 'approve');
    const approved = await r.until((v) => v.status === 'approved');
    expect(approved.decision!.split).toEqual({ council: 55, 'nenc-icb': 45 });
    expect(approved.stages.map((s) => [s.stage, s.waitedOn])).toEqual([
      ['positions', ['Cumberland Council']],
      ['dispute', []],
      ['panel', []],
    ]);
  });
});

test('a partner silent until the panel: the dispute starts at the Board, and after it sets the split that partner still records a position before the chair can decide', async () => {
  await h.run(async () => {
    const r = await start(referralInput());
    await r.decide(POSITION, 'council-rap-member', 'agree');
    const listed = await r.until((v) => v.positions.length === 1);
    await advanceTo(plus(listed.panelAt, MINUTE));
    const disputed = await r.until((v) => v.status === 'disputed' && v.disputes.length === 1);
    expect(disputed.stages[0]).toMatchObject({ stage: 'positions', waitedOn: ['NHS North East and North Cumbria ICB'] });
    const child = h.env.client.workflow.getHandle(disputeWorkflowId(disputed.disputes[0]!.id));
    let d = await child.query(getDispute);
    for (let i = 0; i < 50 && d.openTasks.length === 0; i++) {
      await new Promise((res) => setTimeout(res, 100));
      d = await child.query(getDispute);
    }
    expect(d.stage).toBe('executive-board');
    await child.executeUpdate(decideDisputeTask, { args: [{ taskId: d.openTasks[0]!.id, by: 'board-chair', channel: 'api', decision: 'resolve', comment: 'Mostly health needs', data: { split: { council: 45, 'nenc-icb': 55 } } }] });

    const set = await r.until((v) => v.status === 'awaiting-panel' && v.openTasks.length === 2);
    expect(set.agreedSplit).toEqual({ council: 45, 'nenc-icb': 55 });
    const ask = set.openTasks.find((t) => t.kind === POSITION)!;
    expect([ask.awaiting, ask.options]).toEqual([['nenc-icb'], ['agree']]);
    expect(await refusalMessage(r.decide(PANEL, 'council-rap-chair', 'approve'))).toContain('still missing: NHS North East and North Cumbria ICB.');
    await r.decide(POSITION, 'nenc-rap-member', 'agree');
    await r.until((v) => v.positions.length === 2);
    // The decision waits for the panel the referral is now listed for.
    await toPanelDay(await r.handle.query(getReferral));
    await r.decide(PANEL, 'council-rap-chair', 'approve');
    expect((await r.until((v) => v.status === 'approved')).decision!.split).toEqual({ council: 45, 'nenc-icb': 55 });
  });
});

test('no decision recorded after the meeting: the referral is carried to the next panel, where the chair decides', async () => {
  await h.run(async () => {
    const r = await start(referralInput());
    await r.decide(POSITION, 'council-rap-member', 'agree');
    await r.decide(POSITION, 'nenc-rap-member', 'agree');
    const agreed = await r.until((v) => v.status === 'awaiting-panel');
    const cal = calendarOf(h.partnership);
    const policy = h.partnership.policies.resourceAllocation;
    const decideBy = addDuration(cal, new Date(agreed.panelAt), policy.recordWithin).toISOString();
    await advanceTo(plus(decideBy, MINUTE));
    const carried = await r.until((v) => v.openTasks.some((t) => t.id.endsWith('panel2')));
    expect(carried.panelAt).toBe(panelDateFor(cal, policy, new Date(decideBy), false, false).toISOString());
    expect(carried.tasks.find((t) => t.id.endsWith('panel1'))!.status).toBe('expired');
    expect(carried.stages.map((s) => [s.stage, s.waitedOn])).toEqual([
      ['positions', []],
      ['panel', ['the RAP chair']],
      ['panel', []],
    ]);
    expect(carried.agreedSplit).toEqual({ council: 50, 'nenc-icb': 50 });
    // The decision waits for the panel the referral is now listed for.
    await toPanelDay(await r.handle.query(getReferral));
    await r.decide(PANEL, 'council-rap-chair', 'approve');
    await r.until((v) => v.status === 'approved');
  });
});

test('an approved package is reviewed 3 months after it starts, then every 12 months, continuing as new each time; a change goes back through positions; end closes it', async () => {
  await h.run(async () => {
    const r = await start(referralInput());
    await r.decide(POSITION, 'council-rap-member', 'agree');
    await r.decide(POSITION, 'nenc-rap-member', 'agree');
    await toPanelDay(await r.until((v) => v.agreedSplit !== undefined));
    const startDate = ukDate(new Date((await h.env.currentTimeMs()) + 10 * 86_400_000));
    await r.decide(PANEL, 'council-rap-chair', 'approve', undefined, { startDate });
    const cal = calendarOf(h.partnership);
    const first = addDuration(cal, ukInstant(startDate, '10:00'), 'P3M').toISOString();
    const second = addDuration(cal, new Date(first), 'P12M').toISOString();
    const third = addDuration(cal, new Date(second), 'P12M').toISOString();
    expect((await r.until((v) => v.status === 'approved')).nextReviewAt).toBe(first);

    await advanceTo(plus(first, MINUTE));
    const review1 = await r.until((v) => v.status === 'under-review');
    expect(review1.openTasks.map((t) => [t.kind, t.assignees])).toEqual([[REVIEW, ['council-rap-chair']]]);
    expect(await refusal(r.decide(REVIEW, 'council-rap-chair', 'end'))).toBe('ReasonRequired');
    await r.decide(REVIEW, 'council-rap-chair', 'continue');
    expect((await r.until((v) => v.status === 'approved' && v.reviews.length === 1)).nextReviewAt).toBe(second);

    await advanceTo(plus(second, MINUTE));
    await r.until((v) => v.status === 'under-review' && v.openTasks.length === 1);
    expect(await refusalMessage(r.decide(REVIEW, 'council-rap-chair', 'change', 'Costs rose', {}))).toContain('a change gives a new split, a new annual cost, or both');
    await r.decide(REVIEW, 'council-rap-chair', 'change', 'Nursing hours doubled', { annualCost: 240_000 });
    const changed = await r.until((v) => v.status === 'positions' && v.openTasks.length === 2);
    expect(changed.annualCost).toBe(240_000);
    expect(changed.proposedSplit).toEqual({ council: 50, 'nenc-icb': 50 });
    await r.decide(POSITION, 'council-rap-member', 'agree');
    await r.decide(POSITION, 'nenc-rap-member', 'agree');
    await toPanelDay(await r.until((v) => v.agreedSplit !== undefined));
    await r.decide(PANEL, 'council-rap-chair', 'approve', undefined, { startDate: ukDate(new Date(Date.parse(second) + 30 * 86_400_000)) });
    const reapproved = await r.until((v) => v.status === 'approved' && v.reviews.length === 2);
    expect(Date.parse(reapproved.nextReviewAt!)).toBeLessThan(Date.parse(third));

    await advanceTo(plus(reapproved.nextReviewAt!, MINUTE));
    await r.until((v) => v.status === 'under-review' && v.reviews.length === 2);
    await r.decide(REVIEW, 'council-rap-chair', 'continue');
    const fourth = await r.until((v) => v.status === 'approved' && v.reviews.length === 3);
    expect(fourth.nextReviewAt).toBe(addDuration(cal, new Date(reapproved.nextReviewAt!), 'P12M').toISOString());
    // More than two years after the package started.
    expect(Date.parse(fourth.nextReviewAt!) - Date.parse(`${startDate}T12:00:00Z`)).toBeGreaterThan(2 * 365 * 86_400_000);

    await advanceTo(plus(fourth.nextReviewAt!, MINUTE));
    await r.until((v) => v.status === 'under-review' && v.reviews.length === 3);
    await r.decide(REVIEW, 'council-rap-chair', 'end', 'The young person moved to adult services');
    expect(await r.handle.result()).toEqual({ status: 'ended' });
    // Every review began in a fresh run, and nothing was lost on the way. (Runs are counted from the
    // server, not sampled as the test goes: a continue-as-new may land before or after a look.)
    expect(await describeRuns(h.env.client, r.handle.workflowId)).toHaveLength(5);
    const ended = await r.handle.query(getReferral);
    expect(ended.reviews.map((x) => x.outcome)).toEqual(['continue', 'change', 'continue', 'end']);
    expect(ended.decisions.map((x) => x.outcome)).toEqual(['approve', 'approve']);
    // The history of every run is in the record (the workflow carries only what is not written yet).
    expect((await readReferral({ database: h.database }, ended.id)).history[0]!.event).toBe('referral-created');
  });
});

test('the chair cannot record the panel decision before the panel has met; at the meeting it can', async () => {
  await h.run(async () => {
    const r = await start(referralInput());
    await r.decide(POSITION, 'council-rap-member', 'agree');
    await r.decide(POSITION, 'nenc-rap-member', 'agree');
    const agreed = await r.until((v) => v.status === 'awaiting-panel');
    const early = await r.decide(PANEL, 'council-rap-chair', 'approve').then(
      () => undefined,
      (err: { cause?: { type?: string; message?: string } }) => err.cause,
    );
    expect(early).toMatchObject({
      type: 'RuleRefused',
      message: `Meeting rule: the panel's decision is recorded once the panel has met, on ${ukDate(new Date(agreed.panelAt))} or after; it has not met yet.`,
    });
    await advanceTo(plus(agreed.panelAt, MINUTE));
    await r.decide(PANEL, 'council-rap-chair', 'approve');
    await r.until((v) => v.status === 'approved');
  });
});


test('a case referred again after its referral ended opens its split dispute under a dispute id of its own', async () => {
  await h.run(async () => {
    const input = referralInput();
    const disputeOf = async () => {
      const r = await start(input);
      await r.decide(POSITION, 'council-rap-member', 'agree');
      const listed = await r.until((v) => v.positions.length === 1);
      await advanceTo(plus(listed.panelAt, MINUTE));
      return { r, id: (await r.until((v) => v.disputes.length === 1)).disputes[0]!.id };
    };
    const first = await disputeOf();
    await first.r.handle.terminate('the case was closed');
    const second = await disputeOf();
    expect(second.id).not.toBe(first.id);
  });
});

test('a split dispute stopped midway (cancelled) is recorded and put to the referrer, who starts a new dispute under an id of its own', async () => {
  await h.run(async () => {
    const r = await start(referralInput());
    await r.decide(POSITION, 'council-rap-member', 'agree');
    const listed = await r.until((v) => v.positions.length === 1);
    await advanceTo(plus(listed.panelAt, MINUTE));
    const disputed = await r.until((v) => v.disputes.length === 1);
    const child = h.env.client.workflow.getHandle(disputeWorkflowId(disputed.disputes[0]!.id));
    for (let i = 0; i < 50 && !(await child.query(getDispute)).openTasks.length; i++) await new Promise((res) => setTimeout(res, 100));
    // Cancelled rather than terminated: the time-skipping test server never tells a parent its
    // child was terminated (temporalio/sdk-java#2921); both reach the parent as a ChildWorkflowFailure.
    await child.cancel();
    const task = await r.open('child-failure');
    expect([task.assignees, task.options]).toEqual([['council-rap-member'], ['retry', 'withdraw']]);
    expect((await r.handle.query(getReferral)).history.find((e) => e.event === 'child-failed')!.detail).toContain('The dispute on the funding split stopped: it was cancelled');
    await r.decide('child-failure', 'council-rap-member', 'retry');
    const again = await r.until((v) => v.disputes.length === 2);
    expect(again.disputes[1]!.id).not.toBe(again.disputes[0]!.id);
    const second = h.env.client.workflow.getHandle(disputeWorkflowId(again.disputes[1]!.id));
    let d = await second.query(getDispute).catch(() => undefined);
    for (let i = 0; i < 50 && !d?.openTasks.length; i++) {
      await new Promise((res) => setTimeout(res, 100));
      d = await second.query(getDispute).catch(() => undefined);
    }
    expect(d!.stage).toBe('executive-board');
  });
});
