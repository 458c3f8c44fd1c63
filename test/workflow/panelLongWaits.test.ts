import type { WorkflowHandle } from '@temporalio/client';
import { readCommission, readEvaluation } from '../../api/subjects';
import { policyVersionOf } from '../../config';
import { commissionWorkflowId, type CommissionView } from '../../domain/commission';
import type { HistoryEntry } from '../../domain/commission';
import { evaluationIdOf, evaluationWorkflowId, isJoint, panelPool, PANEL_TASK_KINDS, type EvaluationPanelInput, type EvaluationView } from '../../domain/evaluation';
import { calendarOf } from '../../domain/partnership';
import { decideTask, evaluationPanel, getEvaluation } from '../../workflows/evaluationPanel';
import { getCommission, jointCommission, setUpEvaluation } from '../../workflows/jointCommission';
import { getWaitingOn } from '../../workflows/taskMessages';
import { answerFor } from '../helpers/answer';
import { expectLive } from '../helpers/liveness';
import { activitiesLeftRunning, describeRuns, replayRuns } from '../helpers/runs';
import { commissionInput, harness, TASK_QUEUE, workflowBundle, type Harness } from '../helpers/workflowEnv';
import { panelRequest, panelSetup } from '../property/subjects';

/**
 * A panel whose lead commissioner stays silent for months or years (moderation, a replacement, a
 * tie-break: reminded for ever, about 29 events each) continues as new, carrying its open task: no
 * run passes its bound by more than what it does while it drains, and the answer when it comes
 * completes the panel once (soak seed 20261144).
 *
 * The panels here (and the commission whose panel it is) set a bound of their own (`historyBound`,
 * 150 events), so that a month or two of silence make three runs or more (`silence` stops then). The default bound (1,000)
 * is proved against 2,000 events in longWaits.test.ts.
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
// A run continues as new at the first safe point past its bound; what it adds before that point
// varies with how reminders interleave (253 seen at bound 100 in a loaded fresh-clone run).
const MAX_EVENTS = BOUND + 200;
const lead = 'council-commissioner';
const leadEmail = 'commissioner@council.example';
const partners = ['council', 'nenc-icb'];
let n = 0;

async function panelInput(scoringDueInDays?: number): Promise<EvaluationPanelInput> {
  const p = h.partnership;
  const commissionId = `jc-plong${String(++n).padStart(5, '0')}`;
  const now = await h.env.currentTimeMs();
  return {
    id: evaluationIdOf(commissionId),
    commission: { id: commissionId, title: 'Short breaks' },
    partners: p.partners.filter((x) => partners.includes(x.id)).map((x) => ({ id: x.id, name: x.name })),
    leadCommissioner: lead,
    setUpBy: lead,
    setup: { ...panelSetup(now), ...(scoringDueInDays ? { scoringDue: new Date(now + scoringDueInDays * DAY).toISOString() } : {}) },
    pool: panelPool(p, partners),
    joint: isJoint(p, partners),
    policy: p.policies.evaluationPanel,
    calendar: calendarOf(p),
    policyVersion: policyVersionOf(p),
    historyBound: BOUND,
  };
}

type Grid = Record<string, Record<string, number>>;
const scores = (grid: Grid) => ({
  scores: Object.fromEntries(
    Object.entries(grid).map(([bidder, byCriterion]) => [
      bidder,
      Object.fromEntries(Object.entries(byCriterion).map(([c, score]) => [c, { score, reason: `${c} of ${bidder} judged ${score} against the guidance` }])),
    ]),
  ),
});
const all = (score: number) => ({ quality: score, price: score, social: score });

/** Drives one panel (started here, or a commission's child) through its tasks by key. */
function panelOf(handle: WorkflowHandle<typeof evaluationPanel>) {
  const until = async (ok: (v: EvaluationView) => boolean, what = 'the expected state') => {
    for (let i = 0; i < 300; i++) {
      const v = await handle.query(getEvaluation);
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the panel did not reach ${what}`);
  };
  const taskOf = async (key: string) => (await until((v) => v.openTasks.some((t) => t.key === key), `an open task ${key}`)).openTasks.find((t) => t.key === key)!;
  const decide = async (key: string, by: string, decision: string, data?: Record<string, unknown>, comment?: string) => {
    const task = await taskOf(key);
    return handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by, channel: 'api', decision, data, comment }] });
  };
  const declare = (member: string, conflicts: Record<string, string> = {}, suffix = '') =>
    decide(`declare-${member}${suffix}`, member, 'declare', Object.keys(conflicts).length ? { conflicts } : undefined);
  return { handle, until, taskOf, decide, declare };
}

async function startPanel(scoringDueInDays?: number) {
  const input = await panelInput(scoringDueInDays);
  const handle = await h.env.client.workflow.start(evaluationPanel, { workflowId: evaluationWorkflowId(input.commission.id), taskQueue: TASK_QUEUE, args: [input] });
  return { ...panelOf(handle), input };
}

/**
 * Silence, half a month at a time, for at most `months`: it stops once the wait has continued as
 * new twice and the runs hold more than twice the bound (what expectBoundedRuns proves), so each
 * case simulates only the months it needs. The case is checked live as it goes.
 */
async function silence(workflowId: string, months: number): Promise<void> {
  const people = new Set(h.partnership.people.map((p) => p.id));
  const before = (await describeRuns(h.env.client, workflowId)).length;
  for (let half = 1; half <= 2 * months; half++) {
    await h.env.sleep(YEAR / 24);
    if (half % 2 === 0) await expectLive(h.env.client, workflowId, people);
    const runs = await describeRuns(h.env.client, workflowId);
    if (runs.length >= before + 2 && runs.reduce((n, r) => n + r.events, 0) > 2 * BOUND) break;
  }
  await expectLive(h.env.client, workflowId, people);
}

/** Every run's history within the bound, and more than one run. */
async function expectBoundedRuns(workflowId: string, what: string, opts: { pastBound?: boolean } = {}): Promise<number> {
  const runs = await describeRuns(h.env.client, workflowId);
  console.log(`${what}, runs: ${JSON.stringify(runs.map((r) => ({ events: r.events, inputKB: +(r.inputBytes / 1024).toFixed(1) })))}`);
  const most = Math.max(...runs.map((r) => r.events));
  expect(most).toBeLessThanOrEqual(MAX_EVENTS);
  expect(runs.length).toBeGreaterThan(1);
  // Each run drained before it continued: nothing it sent is lost with it.
  expect(await activitiesLeftRunning(h.env.client, workflowId)).toEqual([]);
  // The silence was long enough that one run holding it all would have passed the bound twice over.
  if (opts.pastBound !== false) expect(runs.reduce((n, r) => n + r.events, 0)).toBeGreaterThan(2 * BOUND);
  return most;
}

/** A record told once: no entry twice, the set-up first, each step once. */
function expectRecordOnce(record: HistoryEntry[], once: string[]): void {
  expect(record[0]!.event).toBe('evaluation-set-up');
  expect(new Set(record.map((e) => JSON.stringify(e))).size).toBe(record.length);
  for (const event of once) expect(record.filter((e) => e.event === event).map((e) => e.event)).toEqual([event]);
  const reminders = record.filter((e) => e.event === 'reminder-sent').map((e) => e.detail);
  expect(new Set(reminders).size).toBe(reminders.length);
}

/** The emails that asked for a task's decision (not reminders, not notices). */
async function requestsFor(title: string, to: string): Promise<number> {
  const mails = await h.mails();
  return mails.filter((m) => (m.subject ?? '').startsWith('Decision needed') && (m.subject ?? '').endsWith(title) && JSON.stringify(m.to).includes(to)).length;
}

test('moderation left unanswered for months (reminded every 2 working days): no run passes its bound, the same task is still open, and the answer completes the panel once', async () => {
  await h.run(async () => {
    const p = await startPanel();
    for (const m of ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep']) await p.declare(m);
    await p.decide('score-council-panel-member', 'council-panel-member', 'submit', scores({ acme: { quality: 2, price: 3, social: 3 }, north: all(3) }));
    await p.decide('score-nenc-panel-member', 'nenc-panel-member', 'submit', scores({ acme: { quality: 4, price: 4, social: 3 }, north: all(3) }));
    await p.decide('score-parent-carer-rep', 'parent-carer-rep', 'submit', scores({ acme: { quality: 3, price: 4, social: 3 }, north: all(4) }));
    const moderation = await p.taskOf('moderate-acme-quality');

    await silence(p.handle.workflowId, 4);
    await expectBoundedRuns(p.handle.workflowId, 'moderation ignored');

    const v = await p.handle.query(getEvaluation);
    expect(v.phase).toBe('moderating');
    expect(v.openTasks.map((t) => t.id)).toEqual([moderation.id]);
    expect(v.tasks.filter((t) => t.kind === PANEL_TASK_KINDS.moderation)).toHaveLength(1);
    await p.decide('moderate-acme-quality', lead, 'record', { score: 3 }, 'Agreed at last: the mobilisation plan is credible but thin on staffing.');

    const outcome = await p.handle.result();
    expect(outcome.result.ranking.map((r) => [r.bidder, r.total, r.quality])).toEqual([
      ['north', 66.67, 33.33],
      ['acme', 64, 30],
    ]);
    expect(outcome.recommended).toBe('north');
    expect(outcome.result.matrix.every((c) => c.scores.length === 3)).toBe(true);
    const cell = outcome.result.matrix.find((c) => c.bidder === 'acme' && c.criterion === 'quality')!;
    expect(cell.scores.map((s) => s.score)).toEqual([2, 4, 3]);
    expect(cell.moderated).toMatchObject({ score: 3, by: lead });
    expectRecordOnce(outcome.record, ['scoring-closed', 'score-moderated', 'evaluation-complete']);
    expect(outcome.record.filter((e) => e.event === 'conflicts-declared')).toHaveLength(3);
    // More reminders than one run holds (about 29 events each): every run's are in the record.
    expect(outcome.record.filter((e) => e.event === 'reminder-sent' && e.detail?.includes('Moderate')).length).toBeGreaterThan(BOUND / 29);
    // The panel's record in the database tells the same story, once.
    const recorded = await readEvaluation({ database: h.database }, p.input.commission.id);
    expect(recorded.history.map((e) => e.event)).toEqual(outcome.record.map((e) => e.event));
    expect(recorded.tasks.filter((t) => t.kind === PANEL_TASK_KINDS.moderation).map((t) => t.id)).toEqual([moderation.id]);
    // Asked once, however many runs the wait took.
    expect(await requestsFor(moderation.title, leadEmail)).toBe(1);
    // Every run, the continued ones too, replays on this code.
    expect(await replayRuns(h.env.client, p.handle.workflowId, await workflowBundle())).toEqual([]);
  });
}, 90_000);

test('a replacement nobody appoints for months (reminded every working day): no run passes its bound, and the appointment when it comes lets the new member declare and score, once', async () => {
  await h.run(async () => {
    const p = await startPanel();
    await p.declare('nenc-panel-member', { acme: 'My partner is a director of Acme Care.' });
    const replace = await p.taskOf('replace-for-acme-3');
    await p.declare('council-panel-member');
    await p.declare('parent-carer-rep');
    await p.decide('score-council-panel-member', 'council-panel-member', 'submit', scores({ acme: all(3), north: all(3) }));
    await p.decide('score-parent-carer-rep', 'parent-carer-rep', 'submit', scores({ acme: all(3), north: all(3) }));
    await p.decide('score-nenc-panel-member', 'nenc-panel-member', 'submit', scores({ north: all(3) }));

    await silence(p.handle.workflowId, 2);
    await expectBoundedRuns(p.handle.workflowId, 'replacement ignored');

    const v = await p.handle.query(getEvaluation);
    expect(v.phase).toBe('scoring');
    expect(v.waitingForReplacement).toEqual(['acme']);
    expect(v.openTasks.map((t) => t.id)).toEqual([replace.id]);
    await p.decide('replace-for-acme-3', lead, 'appoint', { member: 'nenc-commissioner' });
    await p.declare('nenc-commissioner', {}, '-for-acme');
    await p.decide('score-nenc-commissioner-for-acme', 'nenc-commissioner', 'submit', scores({ acme: all(4) }));

    const outcome = await p.handle.result();
    const acmeQuality = outcome.result.matrix.find((c) => c.bidder === 'acme' && c.criterion === 'quality')!;
    expect(acmeQuality.scores.map((s) => s.member)).toEqual(['council-panel-member', 'parent-carer-rep', 'nenc-commissioner']);
    const northQuality = outcome.result.matrix.find((c) => c.bidder === 'north' && c.criterion === 'quality')!;
    expect(northQuality.scores.map((s) => s.member)).toEqual(['council-panel-member', 'parent-carer-rep', 'nenc-panel-member']);
    expectRecordOnce(outcome.record, ['composition-broken', 'member-appointed', 'scoring-closed', 'evaluation-complete']);
    const view = await p.handle.query(getEvaluation);
    expect(view.members.map((m) => m.person)).toEqual(['council-panel-member', 'nenc-panel-member', 'parent-carer-rep', 'nenc-commissioner']);
    expect(view.waitingForReplacement).toEqual([]);
    expect(await requestsFor(replace.title, leadEmail)).toBe(1);
    expect(await replayRuns(h.env.client, p.handle.workflowId, await workflowBundle())).toEqual([]);
  });
}, 90_000);

test('members whose scoring tasks are open when the panel continues as new score in a later run: the same tasks, each score taken once', async () => {
  await h.run(async () => {
    // Scores due in a year, a replacement reminded every working day: runs end while the scoring tasks wait.
    const p = await startPanel(365);
    await p.declare('nenc-panel-member', { acme: 'My partner is a director of Acme Care.' });
    const replace = await p.taskOf('replace-for-acme-3');
    await p.declare('council-panel-member');
    await p.declare('parent-carer-rep');
    const open = await p.until((v) => v.openTasks.filter((t) => t.kind === PANEL_TASK_KINDS.scoring).length === 3, 'three scoring tasks');
    const scoringIds = open.openTasks.filter((t) => t.kind === PANEL_TASK_KINDS.scoring).map((t) => t.id).sort();

    await silence(p.handle.workflowId, 2);
    await expectBoundedRuns(p.handle.workflowId, 'scoring and a replacement open');

    const v = await p.handle.query(getEvaluation);
    expect(v.phase).toBe('scoring');
    expect(v.openTasks.filter((t) => t.kind === PANEL_TASK_KINDS.scoring).map((t) => t.id).sort()).toEqual(scoringIds);
    expect(v.openTasks.map((t) => t.id)).toContain(replace.id);
    await p.decide('score-council-panel-member', 'council-panel-member', 'submit', scores({ acme: all(3), north: all(3) }));
    await p.decide('score-parent-carer-rep', 'parent-carer-rep', 'submit', scores({ acme: all(3), north: all(3) }));
    await p.decide('score-nenc-panel-member', 'nenc-panel-member', 'submit', scores({ north: all(3) }));
    await p.decide('replace-for-acme-3', lead, 'appoint', { member: 'nenc-commissioner' });
    await p.declare('nenc-commissioner', {}, '-for-acme');
    await p.decide('score-nenc-commissioner-for-acme', 'nenc-commissioner', 'submit', scores({ acme: all(4) }));

    const outcome = await p.handle.result();
    expect(outcome.result.matrix.every((c) => c.scores.length === 3)).toBe(true);
    const acmeQuality = outcome.result.matrix.find((c) => c.bidder === 'acme' && c.criterion === 'quality')!;
    expect(acmeQuality.scores.map((s) => s.member)).toEqual(['council-panel-member', 'parent-carer-rep', 'nenc-commissioner']);
    expectRecordOnce(outcome.record, ['member-appointed', 'scoring-closed', 'evaluation-complete']);
    expect(outcome.record.filter((e) => e.event === 'task-opened' && e.detail?.startsWith('Score '))).toHaveLength(4);
    expect(outcome.record.filter((e) => e.event === 'conflicts-declared')).toHaveLength(4);
    expect(await replayRuns(h.env.client, p.handle.workflowId, await workflowBundle())).toEqual([]);
  });
}, 90_000);

test('a tie-break left unanswered for months: no run passes its bound, and the choice when it comes is the recommendation', async () => {
  await h.run(async () => {
    const p = await startPanel();
    for (const m of ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep']) {
      await p.declare(m);
      await p.decide(`score-${m}`, m, 'submit', scores({ acme: all(4), north: all(4) }));
    }
    const tie = await p.taskOf('tie-break');

    await silence(p.handle.workflowId, 4);
    await expectBoundedRuns(p.handle.workflowId, 'tie-break ignored');

    const v = await p.handle.query(getEvaluation);
    expect(v.phase).toBe('tie-break');
    expect(v.openTasks.map((t) => t.id)).toEqual([tie.id]);
    await p.decide('tie-break', lead, 'north', undefined, 'North Support has a local workforce already in place.');
    const outcome = await p.handle.result();
    expect(outcome.result.tieBreak).toEqual({ tied: ['acme', 'north'], chosen: 'north', reason: 'North Support has a local workforce already in place.' });
    expect(outcome.recommended).toBe('north');
    expectRecordOnce(outcome.record, ['scoring-closed', 'tie-referred', 'evaluation-complete']);
    expect(await requestsFor(tie.title, leadEmail)).toBe(1);
  });
}, 90_000);

test("a commission's panel that continues as new at the commission's bound while moderation waits for months: the commission takes its result, and the panel's whole record joins the commission's once", async () => {
  await h.run(async () => {
    const input = commissionInput(h.partnership, { partners: h.partnership.partners.filter((x) => x.id !== 'lsc-icb').map((x) => ({ id: x.id, name: x.name })), estimatedValue: 50_000, historyBound: BOUND });
    const commission = await h.env.client.workflow.start(jointCommission, { workflowId: commissionWorkflowId(input.id), taskQueue: TASK_QUEUE, args: [input] });
    // The willing answer to each step until the lead commissioner is asked to set up the panel.
    let v: CommissionView | undefined;
    for (let i = 0; ; i++) {
      if (i > 200) throw new Error('the commission never asked for its panel');
      v = await commission.query(getCommission);
      const asked = (await commission.query(getWaitingOn)).waitingOn.some((w) => w.kind === 'action' && /evaluation panel/.test(w.for));
      if (asked) break;
      const task = v.openTasks[0];
      if (!task) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const a = answerFor(task)!;
      await commission.executeUpdate(decideTask, { args: [{ taskId: task.id, by: a.by, channel: 'api', decision: a.decision, comment: a.comment, data: a.data }] });
    }
    await commission.executeUpdate(setUpEvaluation, { args: [await panelRequest(h, v.partners)] });
    const p = panelOf(h.env.client.workflow.getHandle(evaluationWorkflowId(input.id)) as WorkflowHandle<typeof evaluationPanel>);
    for (const m of ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep']) await p.declare(m);
    await p.decide('score-council-panel-member', 'council-panel-member', 'submit', scores({ acme: { quality: 2, price: 3, social: 3 }, north: all(3) }));
    await p.decide('score-nenc-panel-member', 'nenc-panel-member', 'submit', scores({ acme: { quality: 4, price: 4, social: 3 }, north: all(3) }));
    await p.decide('score-parent-carer-rep', 'parent-carer-rep', 'submit', scores({ acme: { quality: 3, price: 4, social: 3 }, north: all(4) }));
    await p.taskOf('moderate-acme-quality');

    // The panel was started with no bound of its own in the request: it has the commission's.
    await silence(p.handle.workflowId, 3);
    await expectBoundedRuns(p.handle.workflowId, "a commission's panel, moderation ignored", { pastBound: false });
    const commissionRuns = await describeRuns(h.env.client, commission.workflowId);
    // The commission's first run holds its whole set-up, gates and panel request before it reaches
    // a wait a new run can take up: 363 events seen at this bound in a loaded fresh-clone run (it
    // varies with how reminders interleave with the steps), up to about 430 before; far below the
    // 2,000 no run may pass.
    expect(Math.max(...commissionRuns.map((r) => r.events))).toBeLessThanOrEqual(BOUND + 350);

    await p.decide('moderate-acme-quality', lead, 'record', { score: 3 }, 'Agreed at last.');
    let done: CommissionView | undefined;
    for (let i = 0; i < 300 && done?.evaluation?.status !== 'complete'; i++) {
      done = await commission.query(getCommission);
      if (done.evaluation?.status !== 'complete') await new Promise((r) => setTimeout(r, 100));
    }
    expect(done!.evaluation).toMatchObject({ status: 'complete', recommended: 'north' });
    // The panel's record, from its set-up on, once, in the commission's record.
    const panelRecord = await readEvaluation({ database: h.database }, input.id);
    let history: HistoryEntry[] = [];
    for (let i = 0; i < 100 && !history.some((e) => e.event === 'evaluation-complete' && !e.detail?.startsWith('[evaluation]')); i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      history = (await readCommission({ database: h.database }, input.id)).history;
    }
    const joined = history.filter((e) => e.detail?.startsWith('[evaluation] '));
    expect(joined.map((e) => e.event)).toEqual(panelRecord.history.map((e) => e.event));
    expect(joined[0]!.event).toBe('evaluation-set-up');
    expect(new Set(joined.map((e) => JSON.stringify(e))).size).toBe(joined.length);
    expect(joined.filter((e) => e.event === 'reminder-sent').length).toBeGreaterThan(BOUND / 29);
  });
}, 90_000);
