import type { WorkflowHandle } from '@temporalio/client';
import { policyVersionOf } from '../../config';
import { ukDate } from '../../domain/calendar';
import { commissionWorkflowId, type CommissionInput, type CommissionView } from '../../domain/commission';
import { addDuration } from '../../domain/duration';
import { evaluationRequest, evaluationWorkflowId, type EvaluationView } from '../../domain/evaluation';
import { ukInstant } from '../../domain/panel';
import { calendarOf } from '../../domain/partnership';
import { referralWorkflowId, type ReferralView } from '../../domain/referral';
import type { Task } from '../../domain/task';
import type { FormField } from '../../domain/taskData';
import { getEvaluation } from '../../workflows/evaluationPanel';
import { decideTask, getCommission, jointCommission, recordChallenge, setUpEvaluation } from '../../workflows/jointCommission';
import { decideTask as decideReferralTask, getReferral, resourceAllocation } from '../../workflows/referral';
import { disputeWorkflowId } from '../../domain/dispute';
import { getDispute } from '../../workflows/dispute';
import { readCommission, readReferral } from '../../api/subjects';
import { referralInputOf } from '../helpers/inputs';
import { answerFor } from '../helpers/answer';
import { eventually } from '../helpers/http';
import { expectLive } from '../helpers/liveness';
import { activitiesLeftRunning, describeRuns } from '../helpers/runs';
import { commissionInput, harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

/**
 * Issue 14, "Nothing stranded": a wait of years (a task nobody answers, reminded every few working
 * days) continues as new, carrying its open task, and no run's history passes the bound by more
 * than what it does while it drains.
 *
 * Every case here sets a bound of its own (`historyBound`, 100 events, the least a case may set) so that a month or two of
 * silence make three runs or more, and each silence stops once they are there (`silence`). The default bound (1,000) is
 * proved against 2,000 events by the officers' long wait in disputeOutcomes.test.ts.
 */

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h?.close();
});

const DAY = 86_400_000;
const YEAR = 365 * DAY;
/**
 * The bound these cases set, and the most a run may hold: the bound, and what the run does past it
 * until it stops at a wait a new run takes up again (the step in hand, then its drain): up to about
 * 80 events seen, 150 allowed.
 */
const BOUND = 100;
const MAX_EVENTS = BOUND + 150;
const MONTH = YEAR / 12;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

type Handle = WorkflowHandle<typeof jointCommission>;

async function start(overrides: Partial<CommissionInput> = {}): Promise<Handle> {
  const input = commissionInput(h.partnership, { partners: h.partnership.partners.filter((p) => p.id !== 'lsc-icb').map((p) => ({ id: p.id, name: p.name })), estimatedValue: 50_000, historyBound: BOUND, ...overrides });
  return h.env.client.workflow.start(jointCommission, { workflowId: commissionWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
}

/** Answers open tasks until `stop` holds. */
async function answerUntil(handle: Handle, stop: (v: CommissionView) => boolean): Promise<CommissionView> {
  for (let i = 0; i < 200; i++) {
    const v = await handle.query(getCommission);
    if (stop(v)) return v;
    const task = v.openTasks[0];
    if (!task) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const a = answerFor(task)!;
    await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: a.by, channel: 'api', decision: a.decision, comment: a.comment, data: a.data }] });
  }
  throw new Error('the commission did not reach the expected state');
}

test('a lifecycle task nobody answers for months continues as new, carrying the task: no run passes its bound, and the answer when it comes settles the step once', async () => {
  await h.run(async () => {
    const handle = await start();
    const waiting = await answerUntil(handle, (v) => v.openTasks.some((t) => t.kind === 'commission-lived-experience'));
    const task = waiting.openTasks.find((t) => t.kind === 'commission-lived-experience')!;

    // Up to seven months of silence (about 100 events a month: reminders every 5 working days after the escalation's deadline).
    await silence(handle.workflowId, 7);
    const runs = await describeRuns(h.env.client, handle.workflowId);
    console.log(`long wait, runs: ${JSON.stringify(runs.map((r) => ({ events: r.events, inputKB: +(r.inputBytes / 1024).toFixed(1) })))}`);
    expect(Math.max(...runs.map((r) => r.events))).toBeLessThanOrEqual(MAX_EVENTS);
    expect(runs.length).toBeGreaterThan(1);

    // The same task is still open, never asked afresh; answering it settles the step and moves on.
    const v = await handle.query(getCommission);
    expect(v.openTasks.map((t) => t.id)).toEqual([task.id]);
    const a = answerFor(v.openTasks[0]!)!;
    await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: a.by, channel: 'api', decision: a.decision, comment: a.comment, data: a.data }] });
    const next = await answerUntil(handle, (x) => x.lifecycle?.steps.find((s) => s.id === 'lived-experience')?.status === 'done' && x.openTasks.length > 0);
    expect(next.openTasks.map((t) => t.kind)).not.toContain('commission-lived-experience');
    expect(next.tasks.filter((t) => t.kind === 'commission-lived-experience')).toHaveLength(1);
  });
}, 120_000);

test('what a long wait carries into each new run stays small: the history is in the record, not in the workflow input', async () => {
  await h.run(async () => {
    const handle = await start();
    await answerUntil(handle, (v) => v.openTasks.some((t) => t.kind === 'commission-lived-experience'));
    // Three runs continued, so the record holds more reminders than two runs could.
    await silence(handle.workflowId, 7, 0, 3);
    const runs = await describeRuns(h.env.client, handle.workflowId);
    console.log(`carried input, runs: ${JSON.stringify(runs.map((r) => ({ events: r.events, inputKB: +(r.inputBytes / 1024).toFixed(1) })))}`);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    // Every continued run starts from about the same state: an open task and the case's facts.
    const carried = runs.slice(1).map((r) => r.inputBytes);
    expect(Math.max(...carried)).toBeLessThan(12 * 1024);
    expect(carried.at(-1)! - carried[0]!).toBeLessThan(2 * 1024);

    // The record holds it all, once each, from the commission's creation on; the page still says when it began.
    await expectLive(h.env.client, handle.workflowId, new Set(h.partnership.people.map((p) => p.id)));
    const id = handle.workflowId.slice('commission:'.length);
    const record = await readCommission({ database: h.database }, id);
    expect(record.history[0]!.event).toBe('commission-created');
    const reminders = record.history.filter((e) => e.event === 'reminder-sent').map((e) => e.detail);
    // More reminders than two runs could hold (about 29 events each): every run's are there.
    expect(reminders.length).toBeGreaterThan((2 * BOUND) / 29);
    expect(new Set(reminders).size).toBe(reminders.length);
    expect(record.createdAt).toBe(record.history[0]!.at);
  });
}, 120_000);

/*
 * Every other wait of the lifecycle that reminds for ever (overdueReminders): a per-partner round,
 * the resubmission after a refusal, a challenge in standstill, the exit plan after a decommission;
 * and the referral's review. Each stays silent long enough for three runs or more: no run passes
 * its bound by more than its drain, the same task is still open (nobody asked twice), and the
 * answer moves the case on with each entry once.
 */

/** Answers as a willing participant until `stop`; when nothing is open, time moves to the next event. */
async function walk(handle: Handle, stop: (v: CommissionView) => boolean, values?: (f: FormField) => unknown, choose?: (t: Task) => string | undefined): Promise<CommissionView> {
  let idle = 0;
  for (let i = 0; i < 400; i++) {
    const v = await handle.query(getCommission);
    if (stop(v)) return v;
    const task = v.openTasks[0];
    if (!task) {
      const next = v.lifecycle?.nextEventAt;
      if (++idle > 3 && next) await h.env.sleep(Math.max(Date.parse(next) - (await h.env.currentTimeMs()), 0) + 60_000);
      else await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    idle = 0;
    const a = answerFor(task, { values, choose: choose?.(task) })!;
    await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: a.by, channel: 'api', decision: a.decision, comment: a.comment ?? 'Agreed', data: a.data }] });
  }
  throw new Error('the commission did not reach the expected state');
}

/** Sets up the panel and has it score: Acme ahead. */
async function evaluate(handle: Handle): Promise<void> {
  const partners = (await handle.query(getCommission)).partners;
  const setup = {
    criteria: [
      { id: 'quality', name: 'Quality', kind: 'quality' as const, weight: 80 },
      { id: 'social', name: 'Social value', kind: 'social-value' as const, weight: 20 },
    ],
    bidders: [
      { id: 'acme', name: 'Acme Care' },
      { id: 'north', name: 'North Support' },
    ],
    members: ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep'],
    scoringDue: new Date((await h.env.currentTimeMs()) + 20 * DAY).toISOString(),
  };
  await handle.executeUpdate(setUpEvaluation, { args: [evaluationRequest(h.partnership, partners, 'council-commissioner', setup, policyVersionOf(h.partnership))] });
  const panel = h.env.client.workflow.getHandle(evaluationWorkflowId(handle.workflowId.slice('commission:'.length)));
  for (let i = 0; i < 200; i++) {
    const v = await panel.query(getEvaluation).catch(() => undefined);
    if (v?.phase === 'complete') return;
    const task = v?.openTasks[0];
    if (!task) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    const a = answerFor(task, { values: (f) => (f.type === 'integer' ? (f.path[1] === 'acme' ? 4 : 3) : undefined) })!;
    await panel.executeUpdate(decideTask, { args: [{ taskId: task.id, by: a.by, channel: 'api', decision: a.decision, comment: a.comment, data: a.data }] });
  }
  throw new Error('the panel did not complete');
}

const stepStatus = (v: CommissionView, id: string) => v.lifecycle?.steps.find((s) => s.id === id)?.status;

/** Where a silence began: the runs before it, and the events of the run it began in. */
interface SilenceStart {
  runs: number;
  events: number;
}

/**
 * Silence, half a month at a time, until the wait has continued as new `continued` times (twice:
 * a run ends at its bound carrying the task, and the next does too) or `atMost` months
 * have passed; never less than `atLeast` months where the case needs a date passed. The case stays
 * live throughout. Stopping once the runs show it keeps each case to the events it needs.
 */
async function silence(workflowId: string, atMost: number, atLeast = 0, continued = 2): Promise<SilenceStart> {
  const before = await describeRuns(h.env.client, workflowId);
  for (let half = 1; half <= 2 * atMost; half++) {
    await h.env.sleep(MONTH / 2);
    if (half % 6 === 0) await expectLive(h.env.client, workflowId, new Set(h.partnership.people.map((p) => p.id)));
    if (half >= 2 * atLeast && (await describeRuns(h.env.client, workflowId)).length >= before.length + continued) break;
  }
  await expectLive(h.env.client, workflowId, new Set(h.partnership.people.map((p) => p.id)));
  return { runs: before.length, events: before.at(-1)!.events };
}

/**
 * The wait continued as new (more runs than before it), and no run passed `max` (the bound and
 * its drain). The run the silence began in may already be past its bound from the walk to the
 * wait (each task answered within milliseconds): it must then end within a drain.
 */
async function expectBoundedRuns(workflowId: string, what: string, start: SilenceStart, max = MAX_EVENTS): Promise<void> {
  const runs = await describeRuns(h.env.client, workflowId);
  console.log(`${what}, events per run: ${JSON.stringify(runs.map((r) => r.events))}`);
  expect(runs.length).toBeGreaterThan(start.runs);
  const began = runs[start.runs - 1]!;
  if (start.events > BOUND) expect(began.events - start.events).toBeLessThanOrEqual(max - BOUND);
  else expect(began.events).toBeLessThanOrEqual(max);
  expect(Math.max(...runs.slice(start.runs).map((r) => r.events))).toBeLessThanOrEqual(max);
  // Each run drained before it continued: nothing it sent is lost with it.
  expect(await activitiesLeftRunning(h.env.client, workflowId)).toEqual([]);
}

/** Each person was asked once (one request email, the first) for the task. */
async function expectAskedOnce(taskId: string): Promise<void> {
  const requests = (await h.mails()).map((m) => m.messageId ?? '').filter((id) => id.startsWith(`<${taskId}.`) && id.includes('.request-'));
  expect(requests.length).toBeGreaterThan(0);
  expect(requests.filter((id) => !id.includes('.request-1@'))).toEqual([]);
}

const recordOf = async (handle: Handle) => readCommission({ database: h.database }, handle.workflowId.slice('commission:'.length));
const count = (history: { event: string; detail?: string | undefined }[], event: string, detail?: RegExp) => history.filter((e) => e.event === event && (!detail || detail.test(e.detail ?? ''))).length;

/** Decides the one open task of `kind` as a willing participant (or choosing `decision`). */
async function answerOpen(handle: Handle, kind: string, decision?: string, comment = 'Recorded after a long silence'): Promise<Task> {
  const v = await handle.query(getCommission);
  const task = v.openTasks.find((t) => t.kind === kind)!;
  const a = answerFor(task, { choose: decision })!;
  await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: a.by, channel: 'api', decision: a.decision, comment, data: a.data }] });
  return task;
}

test('a stage gate nobody answers for months (a round asking each partner) continues as new; the round is the same task, and approving it moves on once', async () => {
  await h.run(async () => {
    const handle = await start({ estimatedValue: 150_000 });
    const waiting = await walk(handle, (v) => v.openTasks.some((t) => t.kind === 'commission-stage-gate'));
    const gate = waiting.openTasks.find((t) => t.kind === 'commission-stage-gate')!;
    const runsBefore = await silence(handle.workflowId, 5);
    await expectBoundedRuns(handle.workflowId, 'gate round', runsBefore);

    const v = await handle.query(getCommission);
    expect(v.openTasks.map((t) => t.id)).toEqual([gate.id]);
    expect(stepStatus(v, 'gate-1')).toBe('open');
    await expectAskedOnce(gate.id);
    for (let i = 0; i < 2; i++) await answerOpen(handle, 'commission-stage-gate');
    const next = await walk(handle, (x) => stepStatus(x, 'gate-1') === 'done' && x.openTasks.length > 0, undefined, () => 'none');
    expect(next.tasks.filter((t) => t.kind === 'commission-stage-gate')).toHaveLength(1);
    expect(next.lifecycle!.steps.find((s) => s.id === 'gate-1')!.rounds ?? 0).toBe(0);
    const { history } = await recordOf(handle);
    expect(count(history, 'step-done', /^Gate 1/)).toBe(1);
    expect(count(history, 'task-opened', /^Approve Gate 1/)).toBe(1);
  });
}, 120_000);

test('a resubmission nobody makes for months after a refused gate continues as new; the refusal is recorded once, and the resubmission asks again in round 2', async () => {
  await h.run(async () => {
    const handle = await start({ estimatedValue: 150_000 });
    // Gate 2, in Plan: the procurement service returns the request form, and the commission goes back to Analyse.
    const atGate = await walk(handle, (v) => v.openTasks.some((t) => t.kind === 'commission-procurement-response'));
    const form = atGate.openTasks.find((t) => t.kind === 'commission-procurement-response')!;
    await handle.executeUpdate(decideTask, { args: [{ taskId: form.id, by: 'council-procurement', channel: 'api', decision: 'return', comment: 'The form lacks the finance approval' }] });
    const back = await walk(handle, (v) => v.openTasks.some((t) => t.key === 'gate-2.resubmit1'), undefined, () => 'none');
    const resubmit = back.openTasks.find((t) => t.key === 'gate-2.resubmit1')!;
    expect(back.stage).toBe('analyse');
    const runsBefore = await silence(handle.workflowId, 5);
    await expectBoundedRuns(handle.workflowId, 'resubmission', runsBefore);

    const v = await handle.query(getCommission);
    expect(v.openTasks.map((t) => t.id)).toEqual([resubmit.id]);
    expect(v.stage).toBe('analyse');
    await expectAskedOnce(resubmit.id);
    await answerOpen(handle, resubmit.kind);
    const again = await walk(handle, (x) => x.openTasks.some((t) => t.key === 'procurement-response.r2'), undefined, () => 'none');
    expect(again.stage).toBe('plan');
    expect(again.lifecycle!.steps.find((s) => s.id === 'gate-2')!.rounds).toBe(1);
    expect(again.tasks.filter((t) => t.key === 'gate-2.resubmit1')).toHaveLength(1);
    const { history } = await recordOf(handle);
    expect(count(history, 'gate-rejected')).toBe(1);
    expect(count(history, 'resubmitted')).toBe(1);
    // Into Plan, back to Analyse on the refusal, into Plan on the resubmission: no stage entered while the revision waited.
    expect(history.filter((e) => e.event === 'stage-entered').map((e) => e.detail!.split(':')[0])).toEqual(['Plan', 'Analyse', 'Plan']);
  });
}, 120_000);

test('a challenge in standstill whose outcome nobody records for months continues as new; the award stays paused, and the outcome when it comes lets the contract be signed', async () => {
  await h.run(async () => {
    const handle = await start();
    await walk(handle, (v) => stepStatus(v, 'evaluation') === 'open');
    await evaluate(handle);
    await walk(handle, (v) => stepStatus(v, 'standstill') === 'open');
    await handle.executeUpdate(recordChallenge, { args: [{ by: 'council-commissioner', kind: 'challenge', from: 'North Support', grounds: 'The quality scores were added up wrongly' }] });
    const challenged = await walk(handle, (v) => v.openTasks.some((t) => t.kind === 'commission-challenge-outcome'));
    const challenge = challenged.openTasks.find((t) => t.kind === 'commission-challenge-outcome')!;
    const runsBefore = await silence(handle.workflowId, 8);
    await expectBoundedRuns(handle.workflowId, 'challenge', runsBefore);

    const v = await handle.query(getCommission);
    expect(v.openTasks.map((t) => t.id)).toEqual([challenge.id]);
    expect(v.lifecycle!.standstill!.paused).toBe(true);
    expect(stepStatus(v, 'signing')).toBe('pending');
    await expectAskedOnce(challenge.id);
    await answerOpen(handle, challenge.kind, 'dismissed', 'The totals were checked and are right');
    const signing = await walk(handle, (x) => stepStatus(x, 'signing') === 'open');
    expect(signing.lifecycle!.standstill).toMatchObject({ paused: false, challenges: [{ outcome: 'dismissed' }] });
    expect(signing.tasks.filter((t) => t.kind === 'commission-challenge-outcome')).toHaveLength(1);
    expect(signing.tasks.filter((t) => t.kind === 'commission-award')).toHaveLength(1);
    const { history } = await recordOf(handle);
    expect(count(history, 'challenge-received')).toBe(1);
    expect(count(history, 'challenge-decided')).toBe(1);
    expect(count(history, 'standstill-ended')).toBe(1);
  });
}, 150_000);

test('an exit plan nobody records for ten months after a decommission (past the contract\'s end) continues as new; the decommission is recorded once, and the exit plan, consultation and notice then end the contract', async () => {
  await h.run(async () => {
    const handle = await start();
    await walk(handle, (v) => stepStatus(v, 'evaluation') === 'open');
    await evaluate(handle);
    // An eleven-month contract: the end-of-term decision falls due (nine months before the end) before the first review.
    const now = await h.env.currentTimeMs();
    const values = (f: FormField) => (f.path[0] === 'start' ? dateOf(now + 30 * DAY) : f.path[0] === 'end' ? dateOf(now + 30 * DAY + 335 * DAY) : undefined);
    const decommission = (t: Task) => (t.kind === 'commission-end-of-term' ? 'decommission' : undefined);
    const exiting = await walk(handle, (v) => v.openTasks.some((t) => t.kind === 'commission-exit-plan'), values, decommission);
    const exit = exiting.openTasks.find((t) => t.kind === 'commission-exit-plan')!;
    expect(exiting.lifecycle!.endOfTerm).toMatchObject({ decision: 'decommission' });
    // Past the contract's end: no joint review falls due once the exit plan is recorded.
    const runsBefore = await silence(handle.workflowId, 10, 10);
    await expectBoundedRuns(handle.workflowId, 'exit plan', runsBefore);

    const v = await handle.query(getCommission);
    expect(v.openTasks.map((t) => t.id)).toEqual([exit.id]);
    expect(v.stage).toBe('review');
    await expectAskedOnce(exit.id);
    await answerOpen(handle, exit.kind);
    await walk(handle, (x) => x.stage === 'ended');
    await handle.result();
    const ended = await handle.query(getCommission);
    expect(ended.tasks.filter((t) => t.kind === 'commission-exit-plan')).toHaveLength(1);
    const { history } = await recordOf(handle);
    for (const e of ['decommission-decided', 'exit-planned', 'consultation-recorded', 'termination-notice-served', 'contract-ended']) expect([e, count(history, e)]).toEqual([e, 1]);
    expect(count(history, 'review-held')).toBe(0);
  });
}, 150_000);

test("a referral's review nobody records for months continues as new; the same review task stays open, and recording it moves the package on once", async () => {
  await h.run(async () => {
    const p = h.partnership;
    const caseRef = `CYP${String(Date.now() % 100_000).padStart(5, '0')}`;
    const input = referralInputOf(p, caseRef, { historyBound: BOUND });
    const workflowId = referralWorkflowId(caseRef);
    await h.env.client.workflow.start(resourceAllocation, { workflowId, taskQueue: TASK_QUEUE, args: [input] });
    const handle = h.env.client.workflow.getHandle<typeof resourceAllocation>(workflowId);
    const until = async (ok: (v: ReferralView) => boolean): Promise<ReferralView> => {
      for (let i = 0; i < 150; i++) {
        const v = await handle.query(getReferral);
        if (ok(v)) return v;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the referral did not reach the expected state');
    };
    const decide = async (kind: string, by: string, decision: string, comment?: string, data?: Record<string, unknown>) => {
      const task = (await until((v) => v.openTasks.some((t) => t.kind === kind))).openTasks.find((t) => t.kind === kind)!;
      await handle.executeUpdate(decideReferralTask, { args: [{ taskId: task.id, by, channel: 'api', decision, comment, data }] });
      return task;
    };
    const advanceTo = async (iso: string) => h.env.sleep(Math.max(0, Date.parse(iso) - (await h.env.currentTimeMs())) + 60_000);
    await decide('referral-position', 'council-rap-member', 'agree');
    await decide('referral-position', 'nenc-rap-member', 'agree');
    const agreed = await until((v) => v.agreedSplit !== undefined);
    await advanceTo(ukInstant(ukDate(new Date(agreed.panelAt)), '00:01').toISOString());
    await decide('referral-panel-decision', 'council-rap-chair', 'approve', undefined, { startDate: ukDate(new Date((await h.env.currentTimeMs()) + 10 * DAY)) });
    const approved = await until((v) => v.status === 'approved');
    await advanceTo(approved.nextReviewAt!);
    const reviewing = await until((v) => v.status === 'under-review' && v.openTasks.length === 1);
    const review = reviewing.openTasks[0]!;
    const runsBefore = await silence(workflowId, 18);
    await expectBoundedRuns(workflowId, 'referral review', runsBefore);

    const v = await handle.query(getReferral);
    expect(v.status).toBe('under-review');
    expect(v.openTasks.map((t) => t.id)).toEqual([review.id]);
    expect(v.stages.filter((s) => s.stage === 'review')).toHaveLength(1);
    await expectAskedOnce(review.id);
    await decide('referral-review', 'council-rap-chair', 'continue');
    // The next review is due already (years have passed): it may open at once, in the next run.
    const next = await until((x) => x.reviews.length === 1);
    expect(next.reviews[0]).toMatchObject({ outcome: 'continue', by: 'council-rap-chair' });
    expect(next.nextReviewAt).toBe(addDuration(calendarOf(p), new Date(approved.nextReviewAt!), p.policies.resourceAllocation.reviewEvery).toISOString());
    expect(next.tasks.filter((t) => t.id === review.id).map((t) => t.status)).toEqual(['decided']);
    const { history } = await readReferral({ database: h.database }, input.id);
    expect(count(history, 'reviewed')).toBe(1);
    const reviewedAt = history.findIndex((e) => e.event === 'reviewed');
    expect(count(history.slice(0, reviewedAt), 'task-opened', /review the package/)).toBe(1);
  });
}, 150_000);

/** A referral with the case's own bound, and the steps its tests take. */
async function startReferral() {
  const caseRef = `CYP${String(Date.now() % 100_000).padStart(5, '0')}`;
  const input = referralInputOf(h.partnership, caseRef, { historyBound: BOUND });
  const workflowId = referralWorkflowId(caseRef);
  await h.env.client.workflow.start(resourceAllocation, { workflowId, taskQueue: TASK_QUEUE, args: [input] });
  // The latest run, whichever it is.
  const handle = h.env.client.workflow.getHandle<typeof resourceAllocation>(workflowId);
  const until = async (ok: (v: ReferralView) => boolean): Promise<ReferralView> => {
    let v: ReferralView | undefined;
    for (let i = 0; i < 150; i++) {
      v = await handle.query(getReferral);
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the referral did not reach the expected state; it is ${v?.status} with ${v?.openTasks.map((t) => t.id).join(', ')}`);
  };
  const open = async (kind: string): Promise<Task> => (await until((v) => v.openTasks.some((t) => t.kind === kind))).openTasks.find((t) => t.kind === kind)!;
  const decide = async (kind: string, by: string, decision: string, comment?: string, data?: Record<string, unknown>): Promise<Task> => {
    const task = await open(kind);
    await handle.executeUpdate(decideReferralTask, { args: [{ taskId: task.id, by, channel: 'api', decision, comment, data }] });
    return task;
  };
  const advanceTo = async (iso: string) => h.env.sleep(Math.max(0, Date.parse(iso) - (await h.env.currentTimeMs())) + 60_000);
  const toPanelDay = async (v: ReferralView) => advanceTo(ukInstant(ukDate(new Date(v.panelAt)), '00:01').toISOString());
  return { input, workflowId, handle, until, open, decide, advanceTo, toPanelDay };
}

test("a RAP chair who never records the panel's decision, panel after panel, for months: the referral is carried to each next panel and continues as new; recording a decision then approves it once", async () => {
  await h.run(async () => {
    const r = await startReferral();
    await r.decide('referral-position', 'council-rap-member', 'agree');
    await r.decide('referral-position', 'nenc-rap-member', 'agree');
    const agreed = await r.until((v) => v.status === 'awaiting-panel');
    await r.toPanelDay(agreed);
    const first = await r.open('referral-panel-decision');
    // About 35 events a month (a new chair task each panel): the bound is passed within months.
    const runsBefore = await silence(r.workflowId, 24);
    await expectBoundedRuns(r.workflowId, 'RAP chair', runsBefore);

    const v = await r.handle.query(getReferral);
    expect([v.status, v.cycle]).toEqual(['awaiting-panel', 1]);
    const chairs = v.tasks.filter((t) => t.kind === 'referral-panel-decision');
    // One chair task a panel (monthly), each its own, each expired but the one for the coming
    // panel: at least six, across the runs the silence made.
    expect(chairs.length).toBeGreaterThan(5);
    expect(new Set(chairs.map((t) => t.id)).size).toBe(chairs.length);
    expect(chairs.slice(0, -1).every((t) => t.status === 'expired')).toBe(true);
    expect(v.openTasks.map((t) => t.id)).toEqual([chairs.at(-1)!.id]);
    expect(chairs[0]!.id).toBe(first.id);
    // The partners agreed once: they are not asked again at each panel.
    expect(v.tasks.filter((t) => t.kind === 'referral-position')).toHaveLength(1);
    await expectAskedOnce(chairs.at(-1)!.id);

    await r.toPanelDay(v);
    await r.decide('referral-panel-decision', 'council-rap-chair', 'approve', undefined, { startDate: ukDate(new Date((await h.env.currentTimeMs()) + 10 * DAY)) });
    const approved = await r.until((x) => x.status === 'approved');
    expect(approved.decisions).toHaveLength(1);
    expect(approved.decision).toMatchObject({ outcome: 'approve', by: 'council-rap-chair', split: { council: 50, 'nenc-icb': 50 } });
    const { history } = await readReferral({ database: h.database }, r.input.id);
    expect(count(history, 'panel-decided')).toBe(1);
    expect(count(history, 'panel-listed')).toBe(1);
    expect(count(history, 'carried-over')).toBe(chairs.length - 1);
  });
}, 150_000);

test('a referrer who never answers whether to retry a split dispute that stopped, for months: the question continues as new, the same task open; retrying then opens one new dispute', async () => {
  await h.run(async () => {
    const r = await startReferral();
    // The NENC ICB records no position: at the panel the split goes to the dispute ladder.
    await r.decide('referral-position', 'council-rap-member', 'agree');
    const listed = await r.until((v) => v.positions.length === 1);
    await r.advanceTo(listed.panelAt);
    const disputed = await r.until((v) => v.disputes.length === 1);
    const child = h.env.client.workflow.getHandle(disputeWorkflowId(disputed.disputes[0]!.id));
    for (let i = 0; i < 50 && !(await child.query(getDispute)).openTasks.length; i++) await new Promise((res) => setTimeout(res, 100));
    // Cancelled rather than terminated: the time-skipping server never tells a parent its child
    // was terminated (temporalio/sdk-java#2921); both reach the parent as a ChildWorkflowFailure.
    await child.cancel();
    const question = await r.open('child-failure');
    // Reminded every 5 working days (about 100 events a month): the bound is passed within two months.
    const runsBefore = await silence(r.workflowId, 8);
    await expectBoundedRuns(r.workflowId, 'split dispute question', runsBefore);

    const v = await r.handle.query(getReferral);
    expect(v.status).toBe('disputed');
    expect(v.openTasks.map((t) => t.id)).toEqual([question.id]);
    expect(v.tasks.filter((t) => t.kind === 'child-failure')).toHaveLength(1);
    expect(v.disputes).toHaveLength(1);
    await expectAskedOnce(question.id);

    await r.decide('child-failure', 'council-rap-member', 'retry');
    const again = await r.until((x) => x.disputes.length === 2);
    expect(again.disputes[1]!.id).not.toBe(again.disputes[0]!.id);
    // The record is written by an activity after the workflow's state changed: read it once it has.
    const { history } = await eventually(
      () => readReferral({ database: h.database }, r.input.id),
      (x) => x.history.some((e) => e.event === 'child-retried'),
    );
    expect(count(history, 'child-failed')).toBe(1);
    expect(count(history, 'child-retried')).toBe(1);
    expect(count(history, 'dispute-opened')).toBe(2);
    expect(v.stages.filter((s) => s.stage === 'dispute')).toHaveLength(1);
  });
}, 150_000);

test('a lead commissioner who never answers whether to start a stopped evaluation panel again, for months: the commission continues as new, the same question open; retrying then starts the panel once more', async () => {
  await h.run(async () => {
    const handle = await start();
    await walk(handle, (v) => stepStatus(v, 'evaluation') === 'open');
    const partners = (await handle.query(getCommission)).partners;
    const setup = {
      criteria: [{ id: 'quality', name: 'Quality', kind: 'quality' as const, weight: 100 }],
      bidders: [
        { id: 'acme', name: 'Acme Care' },
        { id: 'north', name: 'North Support' },
      ],
      members: ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep'],
      scoringDue: new Date((await h.env.currentTimeMs()) + 20 * DAY).toISOString(),
    };
    await handle.executeUpdate(setUpEvaluation, { args: [evaluationRequest(h.partnership, partners, 'council-commissioner', setup, policyVersionOf(h.partnership))] });
    const panel = h.env.client.workflow.getHandle(evaluationWorkflowId(handle.workflowId.slice('commission:'.length)));
    for (let i = 0; i < 50 && !(await panel.query(getEvaluation).catch(() => undefined))?.openTasks.length; i++) await new Promise((r) => setTimeout(r, 100));
    // Cancelled rather than terminated: the time-skipping server never tells a parent its child
    // was terminated (temporalio/sdk-java#2921); both reach the parent as a ChildWorkflowFailure.
    await panel.cancel();
    let asked: CommissionView | undefined;
    for (let i = 0; i < 100 && !asked?.openTasks.some((t) => t.kind === 'child-failure'); i++) {
      asked = await handle.query(getCommission);
      await new Promise((r) => setTimeout(r, 100));
    }
    const question = asked!.openTasks.find((t) => t.kind === 'child-failure')!;
    expect(question.assignees).toEqual(['council-commissioner']);
    // Reminded every 5 working days (about 100 events a month): the bound is passed within two months.
    const runsBefore = await silence(handle.workflowId, 8);
    // The first run passes its bound before the question (about 430 events to it, in the walk that
    // answers each task within milliseconds, a separate matter): from the question on, each run
    // continues as new within what a drain takes.
    const runs = await describeRuns(h.env.client, handle.workflowId);
    console.log(`panel question, events per run: ${JSON.stringify(runs.map((r) => r.events))}`);
    expect(runs.length).toBeGreaterThan(runsBefore.runs);
    // The run in which the panel stopped (the first, unless the walk there already continued as
    // new) ends within what a drain takes after the question; each later run within the bound.
    let stoppedIn = -1;
    for (let r = 0; r < runs.length && stoppedIn < 0; r++) {
      const events = (await h.env.client.workflow.getHandle(handle.workflowId, runs[r]!.runId).fetchHistory()).events ?? [];
      const stopped = events.findIndex((e) => e.childWorkflowExecutionCanceledEventAttributes);
      if (stopped < 0) continue;
      stoppedIn = r;
      console.log(`panel question: the panel stopped at event ${stopped} of ${events.length} in run ${r + 1}`);
      // A run already past its bound when the panel stopped ends within a drain of the question.
      if (events.length > MAX_EVENTS) expect(events.length - stopped).toBeLessThanOrEqual(MAX_EVENTS - BOUND);
    }
    expect(stoppedIn).toBeGreaterThanOrEqual(0);
    expect(Math.max(...runs.slice(stoppedIn + 1).map((r) => r.events))).toBeLessThanOrEqual(MAX_EVENTS);
    expect(await activitiesLeftRunning(h.env.client, handle.workflowId)).toEqual([]);

    const v = await handle.query(getCommission);
    expect(v.openTasks.map((t) => t.id)).toEqual([question.id]);
    expect(stepStatus(v, 'evaluation')).toBe('open');
    await expectAskedOnce(question.id);
    await answerOpen(handle, 'child-failure', 'retry');
    let again: Awaited<ReturnType<typeof panel.query<EvaluationView>>> | undefined;
    for (let i = 0; i < 100 && !again?.openTasks.length; i++) {
      again = await panel.query(getEvaluation).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(again!.openTasks.length).toBeGreaterThan(0);
    expect(again!.openTasks.every((t) => t.id.endsWith('.attempt2'))).toBe(true);
    const { history } = await recordOf(handle);
    expect(count(history, 'child-failed')).toBe(1);
    expect(count(history, 'child-retried')).toBe(1);
    expect(count(history, 'evaluation-requested')).toBe(1);
  });
}, 150_000);
