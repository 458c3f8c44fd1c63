import { policyVersionOf } from '../../config';
import {
  blindFor,
  evaluationIdOf,
  evaluationWorkflowId,
  isJoint,
  panelPool,
  PANEL_TASK_KINDS,
  type EvaluationPanelInput,
  type EvaluationSetup,
  type EvaluationView,
} from '../../domain/evaluation';
import { calendarOf } from '../../domain/partnership';
import { decideTask, evaluationPanel, getEvaluation } from '../../workflows/evaluationPanel';
import { refusal } from '../helpers/timeline';
import { Worker } from '@temporalio/worker';
import { harness, TASK_QUEUE, workflowBundle, type Harness } from '../helpers/workflowEnv';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h?.close();
});

const partners = ['council', 'nenc-icb'];
const lead = 'council-commissioner';
let n = 0;

function panelInput(setup: Partial<EvaluationSetup> = {}): EvaluationPanelInput {
  const p = h.partnership;
  const commissionId = `jc-eval${String(++n).padStart(6, '0')}`;
  return {
    id: evaluationIdOf(commissionId),
    commission: { id: commissionId, title: 'Short breaks' },
    partners: p.partners.filter((x) => partners.includes(x.id)).map((x) => ({ id: x.id, name: x.name })),
    leadCommissioner: lead,
    setUpBy: lead,
    setup: {
      criteria: [
        { id: 'quality', name: 'Quality of service', kind: 'quality', weight: 50 },
        { id: 'price', name: 'Price', kind: 'price', weight: 30 },
        { id: 'social', name: 'Social value', kind: 'social-value', weight: 20 },
      ],
      bidders: [
        { id: 'acme', name: 'Acme Care' },
        { id: 'north', name: 'North Support' },
      ],
      members: ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep'],
      scoringDue: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      ...setup,
    },
    pool: panelPool(p, partners),
    joint: isJoint(p, partners),
    policy: p.policies.evaluationPanel,
    calendar: calendarOf(p),
    policyVersion: policyVersionOf(p),
  };
}

type Grid = Record<string, Record<string, number>>;
/** A scoring decision's data: the same reason shape for every cell, the scores given. */
const scores = (grid: Grid) => ({
  scores: Object.fromEntries(
    Object.entries(grid).map(([bidder, byCriterion]) => [
      bidder,
      Object.fromEntries(Object.entries(byCriterion).map(([c, score]) => [c, { score, reason: `${c} of ${bidder} judged ${score} against the guidance` }])),
    ]),
  ),
});

async function start(input: EvaluationPanelInput) {
  const handle = await h.env.client.workflow.start(evaluationPanel, { workflowId: evaluationWorkflowId(input.commission.id), taskQueue: TASK_QUEUE, args: [input] });
  const until = async (ok: (v: EvaluationView) => boolean, what = 'the expected state') => {
    for (let i = 0; i < 150; i++) {
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

const all = (score: number) => ({ quality: score, price: score, social: score });

test('members declare before they see a bid, score blind with a reason each, and diverging scores are moderated at a spread over 1, not at 1', async () => {
  await h.run(async () => {
    const p = await start(panelInput());
    // No scoring task exists before a member declares: nobody sees the bids first.
    const first = await p.until((v) => v.openTasks.length === 3);
    expect(first.openTasks.map((t) => t.kind)).toEqual([PANEL_TASK_KINDS.declaration, PANEL_TASK_KINDS.declaration, PANEL_TASK_KINDS.declaration]);
    expect(first.openTasks[0]!.fields!.map((f) => f.label)).toEqual(['Any interest in Acme Care', 'Any interest in North Support']);

    await p.declare('council-panel-member');
    const scoring = await p.taskOf('score-council-panel-member');
    expect(scoring.fields).toHaveLength(2 * 3 * 2);
    expect(scoring.options).toEqual(['submit']);

    // A score without a reason, or off the scale, is refused with what is wrong.
    const noReason = scores({ acme: all(3), north: all(3) });
    delete (noReason.scores.acme!.price as { reason?: string }).reason;
    expect(await refusal(p.decide('score-council-panel-member', 'council-panel-member', 'submit', noReason))).toBe('InvalidData');
    const offScale = p.decide('score-council-panel-member', 'council-panel-member', 'submit', scores({ acme: { ...all(3), quality: 6 }, north: all(3) }));
    await expect(offScale).rejects.toMatchObject({ cause: { message: expect.stringContaining('scores.acme.quality.score: Acme Care: score for Quality of service must be a whole number from 0 to 5') } });
    // Quality of Acme: 2, 4, 3 (spread 2: moderated). Price of Acme: 3, 4, 4 (spread 1: not).
    await p.decide('score-council-panel-member', 'council-panel-member', 'submit', scores({ acme: { quality: 2, price: 3, social: 3 }, north: all(3) }));

    await p.declare('nenc-panel-member');
    await p.declare('parent-carer-rep');
    await p.decide('score-nenc-panel-member', 'nenc-panel-member', 'submit', scores({ acme: { quality: 4, price: 4, social: 3 }, north: all(3) }));
    // Blind: until everyone has scored, a member sees only their own scores.
    const midway = await p.handle.query(getEvaluation);
    expect(midway.phase).toBe('scoring');
    expect(new Set(blindFor(midway, 'nenc-panel-member').scores.map((s) => s.member))).toEqual(new Set(['nenc-panel-member']));
    expect(blindFor(midway, 'parent-carer-rep').scores).toEqual([]);
    const othersTask = blindFor(midway, 'nenc-panel-member').tasks.find((t) => t.id.endsWith('score-council-panel-member'))!;
    expect(othersTask.decision?.data).toBeUndefined();

    await p.decide('score-parent-carer-rep', 'parent-carer-rep', 'submit', scores({ acme: { quality: 3, price: 4, social: 3 }, north: all(4) }));
    const moderating = await p.until((v) => v.phase === 'moderating' && v.openTasks.length > 0, 'moderation');
    // Only Acme's quality spread 2 > 1; Acme's price (3 to 4) and North (3 to 4) spread exactly 1.
    expect(moderating.openTasks.map((t) => t.key)).toEqual(['moderate-acme-quality']);
    expect(blindFor(moderating, 'parent-carer-rep').scores).toHaveLength(18);

    expect(await refusal(p.decide('moderate-acme-quality', lead, 'record', { score: 3 }))).toBe('ReasonRequired');
    expect(await refusal(p.decide('moderate-acme-quality', 'council-panel-member', 'record', { score: 3 }, 'x'))).toBe('NotAssignee');
    await p.decide('moderate-acme-quality', lead, 'record', { score: 3 }, 'Agreed at the moderation meeting: the mobilisation plan is credible but thin on staffing.');

    const outcome = await p.handle.result();
    // Acme: quality 3/5×50 = 30, price 11/3/5×30 = 22, social 3/5×20 = 12 → 64.
    // North: quality 10/3/5×50 = 33.33, price 20, social 13.33 → 66.67.
    expect(outcome.result.ranking.map((r) => [r.bidder, r.total, r.quality])).toEqual([
      ['north', 66.67, 33.33],
      ['acme', 64, 30],
    ]);
    expect(outcome.recommended).toBe('north');
    const cell = outcome.result.matrix.find((c) => c.bidder === 'acme' && c.criterion === 'quality')!;
    expect(cell.scores.map((s) => s.score)).toEqual([2, 4, 3]);
    expect(cell.moderated).toMatchObject({ score: 3, by: lead, rationale: expect.stringContaining('mobilisation plan') });
    expect(cell.scores.every((s) => s.reason.length > 0)).toBe(true);
    expect(outcome.record.map((e) => e.event)).toEqual(expect.arrayContaining(['conflicts-declared', 'scoring-closed', 'score-moderated', 'evaluation-complete']));
  });
});

test("the members' people are looked up at once when a panel opens, and a worker that lost the panel from its cache replays it the same way", async () => {
  await h.run(async () => {
    // Several panels, so the look-ups' results come back both one at a time and together.
    const panels = await Promise.all([1, 2, 3, 4].map(() => start(panelInput())));
    const emailed = async (p: (typeof panels)[number]) => {
      for (let i = 0; i < 150; i++) {
        const events = (await p.handle.fetchHistory()).events ?? [];
        if (events.filter((e) => e.activityTaskCompletedEventAttributes).length >= 4) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the members were not all asked');
    };
    for (const p of panels) await emailed(p);
    // Scores that diverge on two cells open two moderation steps at once, after the record's
    // first write: their look-ups too are outstanding together.
    const members = ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep'];
    const given = [scores({ acme: { quality: 2, price: 3, social: 3 }, north: { quality: 3, price: 1, social: 3 } }), scores({ acme: { quality: 4, price: 3, social: 3 }, north: { quality: 3, price: 3, social: 3 } }), scores({ acme: { quality: 3, price: 3, social: 3 }, north: { quality: 3, price: 5, social: 3 } })];
    await Promise.all(panels.map(async (p) => {
      for (const m of members) await p.declare(m);
      for (const [i, m] of members.entries()) await p.decide(`score-${m}`, m, 'submit', given[i]);
    }));
    for (const p of panels) await p.until((v) => v.openTasks.filter((t) => t.kind === PANEL_TASK_KINDS.moderation).length === 2, 'two moderations');
    const histories = await Promise.all(panels.map(async (p) => ({ workflowId: p.handle.workflowId, history: await p.handle.fetchHistory() })));
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      if (r.error) failures.push(`${r.workflowId}: ${String(r.error.message).slice(0, 300)}`);
    }
    expect(failures).toEqual([]);
  });
});

test('a declared conflict removes the member from that bidder; when the panel then breaks the rules, the lead commissioner appoints a replacement and that bidder waits', async () => {
  await h.run(async () => {
    const p = await start(panelInput());
    await p.declare('nenc-panel-member', { acme: 'My partner is a director of Acme Care.' });
    // Without the ICB member, Acme's scorers are neither three nor joint.
    const broken = await p.until((v) => v.waitingForReplacement.includes('acme'), 'a replacement asked for');
    expect(broken.history.find((e) => e.event === 'composition-broken')!.detail).toMatch(/Acme Care waits for a replacement member: A panel has at least 3 scoring members; this one has 2\. A joint commission's panel includes/);
    const own = await p.taskOf('score-nenc-panel-member');
    expect(new Set(own.fields!.map((f) => f.path[1]))).toEqual(new Set(['north']));

    const replace = await p.taskOf('replace-for-acme-3');
    expect(replace.assignees).toEqual([lead]);
    const choices = replace.fields![0]!.choices!.map((c) => c.value);
    expect(choices).toContain('nenc-commissioner');
    expect(choices).not.toContain('parent-carer-rep');
    expect(await refusal(p.decide('replace-for-acme-3', lead, 'appoint', { member: 'parent-carer-rep' }))).toBe('InvalidData');

    await p.declare('council-panel-member');
    await p.declare('parent-carer-rep');
    await p.decide('score-council-panel-member', 'council-panel-member', 'submit', scores({ acme: all(3), north: all(3) }));
    await p.decide('score-parent-carer-rep', 'parent-carer-rep', 'submit', scores({ acme: all(3), north: all(3) }));
    await p.decide('score-nenc-panel-member', 'nenc-panel-member', 'submit', scores({ north: all(3) }));
    // Everyone else has scored, but Acme still waits: scoring stays open and blind.
    const waiting = await p.handle.query(getEvaluation);
    expect(waiting.phase).toBe('scoring');

    await p.decide('replace-for-acme-3', lead, 'appoint', { member: 'nenc-commissioner' });
    await p.declare('nenc-commissioner', {}, '-for-acme');
    const replacementTask = await p.taskOf('score-nenc-commissioner-for-acme');
    expect(new Set(replacementTask.fields!.map((f) => f.path[1]))).toEqual(new Set(['acme']));
    await p.decide('score-nenc-commissioner-for-acme', 'nenc-commissioner', 'submit', scores({ acme: all(4) }));

    const outcome = await p.handle.result();
    const acmeQuality = outcome.result.matrix.find((c) => c.bidder === 'acme' && c.criterion === 'quality')!;
    expect(acmeQuality.scores.map((s) => s.member)).toEqual(['council-panel-member', 'parent-carer-rep', 'nenc-commissioner']);
    const view = await p.handle.query(getEvaluation);
    expect(view.members.find((m) => m.person === 'nenc-commissioner')).toMatchObject({ replacing: { bidder: 'acme', person: 'nenc-panel-member' }, bidders: ['acme'] });
    expect(view.members.find((m) => m.person === 'nenc-panel-member')!.conflicts).toEqual([{ bidder: 'acme', interest: 'My partner is a director of Acme Care.' }]);
  });
});

test('a tie on total and on quality is referred back to the panel, which chooses with a reason', async () => {
  await h.run(async () => {
    const p = await start(panelInput());
    for (const m of ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep']) {
      await p.declare(m);
      await p.decide(`score-${m}`, m, 'submit', scores({ acme: all(4), north: all(4) }));
    }
    const tie = await p.taskOf('tie-break');
    expect(tie.options).toEqual(['acme', 'north']);
    expect(await refusal(p.decide('tie-break', lead, 'north'))).toBe('ReasonRequired');
    await p.decide('tie-break', lead, 'north', undefined, 'North Support has a local workforce already in place.');
    const outcome = await p.handle.result();
    expect(outcome.result.tieBreak).toEqual({ tied: ['acme', 'north'], chosen: 'north', reason: 'North Support has a local workforce already in place.' });
    expect(outcome.recommended).toBe('north');
  });
});

test('a member who never scores is reminded, the lead commissioner is told at the deadline, and after the grace period the panel goes on without them', async () => {
  await h.run(async () => {
    const p = await start(panelInput({ members: ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep', 'young-person-rep'] }));
    for (const m of ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep', 'young-person-rep']) await p.declare(m);
    for (const m of ['council-panel-member', 'nenc-panel-member', 'parent-carer-rep']) {
      await p.decide(`score-${m}`, m, 'submit', scores({ acme: all(4), north: all(3) }));
    }
    // Time skips while the result is awaited: reminder, deadline, grace, expiry.
    const outcome = await p.handle.result();
    expect(outcome.recommended).toBe('acme');
    const events = outcome.record.map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['reminder-sent', 'escalated', 'task-expired', 'member-withdrawn']));
    const mails = await h.mails();
    const toYoung = mails.filter((m) => m.to && JSON.stringify(m.to).includes('young.person@forum.example'));
    expect(toYoung.map((m) => m.subject)).toEqual(expect.arrayContaining([expect.stringMatching(/^Reminder/)]));
    const toLead = mails.filter((m) => JSON.stringify(m.to).includes('commissioner@council.example'));
    expect(toLead.some((m) => /Score/.test(m.subject ?? ''))).toBe(true);
    const view = await p.handle.query(getEvaluation);
    expect(view.members.find((m) => m.person === 'young-person-rep')!.scoring).toBe('not-scored');
    expect(outcome.result.matrix.every((c) => c.scores.length === 3)).toBe(true);
  });
});

test('a declaration sent through the API with blank interests records no conflict: blank means none', async () => {
  await h.run(async () => {
    const p = await start(panelInput());
    await p.until((v) => v.openTasks.length === 3);
    await p.declare('council-panel-member', { acme: '', north: '   ' });
    const v = await p.until((x) => x.members.find((m) => m.person === 'council-panel-member')!.declared);
    expect(v.members.find((m) => m.person === 'council-panel-member')!.conflicts).toEqual([]);
    expect(v.history.find((e) => e.event === 'conflicts-declared')!.detail).toMatch(/declared no conflict of interest$/);
    // Both bidders stay on the member's scoring form.
    expect((await p.taskOf('score-council-panel-member')).fields).toHaveLength(2 * 3 * 2);
  });
});
