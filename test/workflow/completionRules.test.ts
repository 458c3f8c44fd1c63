import { addWorkingDays, subtractWorkingDays } from '../../domain/calendar';
import type { TaskSpec } from '../../workflows/humanTask';
import { decideTask } from '../../workflows/jointCommission';
import { minute, MINUTE, plus, timeline, refusal } from '../helpers/timeline';
import { harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';
import { probeState, taskProbe } from '../workflows/taskProbe';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h?.close();
});

const ew = { name: 'england-and-wales' as const, extraHolidays: [] };
let n = 0;
const spec = (overrides: Partial<TaskSpec>): TaskSpec => ({
  key: 'probe',
  kind: 'probe',
  title: 'Approve the probe',
  subject: { type: 'commission', id: `jc-probe${String(++n).padStart(5, '0')}` },
  options: ['approve', 'reject'],
  rejectOn: ['reject'],
  completion: 'any',
  ask: [],
  due: '10 working days',
  reminders: [],
  escalation: [],
  ifNoAnswer: 'It expires.',
  ...overrides,
});

async function start(s: TaskSpec) {
  const handle = await h.env.client.workflow.start(taskProbe, { workflowId: `probe:${s.subject.id}`, taskQueue: TASK_QUEUE, args: [s, ew] });
  for (let i = 0; i < 100 && (await handle.query(probeState)).tasks.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  const taskId = (await handle.query(probeState)).tasks[0]!.id;
  const decide = (by: string, decision: string) => handle.executeUpdate(decideTask, { args: [{ taskId, by, channel: 'api', decision, comment: decision === 'reject' ? 'no' : undefined }] });
  return { handle, decide };
}


test('any: the first decision settles the task; nobody else can then decide', async () => {
  await h.run(async () => {
    const { handle, decide } = await start(spec({ completion: 'any', ask: [{ people: [{ role: 'commissioner', partner: 'nenc-icb' }, { person: 'lsc-commissioner' }] }] }));
    const t = await decide('lsc-commissioner', 'approve');
    expect(t.status).toBe('decided');
    expect(await refusal(decide('nenc-commissioner', 'reject'))).toBe('TaskClosed');
    expect(await handle.result()).toMatchObject({ status: 'decided', outcome: 'approve' });
  });
});

test('all: every named person decides; the task shows who is still awaited; one rejection rejects', async () => {
  await h.run(async () => {
    const people = [{ person: 'council-commissioner' }, { person: 'nenc-commissioner' }, { person: 'lsc-commissioner' }];
    const first = await start(spec({ completion: 'all', ask: [{ people }] }));
    expect((await first.decide('council-commissioner', 'approve')).awaiting).toEqual(['nenc-commissioner', 'lsc-commissioner']);
    expect(await refusal(first.decide('council-commissioner', 'approve'))).toBe('TaskClosed');
    const second = await first.decide('nenc-commissioner', 'approve');
    expect(second.status).toBe('open');
    expect(second.awaiting).toEqual(['lsc-commissioner']);
    expect((await first.decide('lsc-commissioner', 'approve')).status).toBe('decided');
    expect(await first.handle.result()).toMatchObject({ status: 'decided', outcome: 'approve' });

    const other = await start(spec({ completion: 'all', ask: [{ people }] }));
    await other.decide('council-commissioner', 'approve');
    const rejected = await other.decide('lsc-commissioner', 'reject');
    expect(rejected.status).toBe('decided');
    expect(rejected.decision!.decision).toBe('reject');
    expect(await other.handle.result()).toMatchObject({ status: 'decided', outcome: 'reject' });
  });
});

test('several reminders, then an escalation chain: notify a senior manager, then the board chair takes over, then it hands back expired', async () => {
  const { firstFutureCase, advanceTo } = timeline(h);
  const c = await firstFutureCase();
  await h.run(async () => {
    await advanceTo(c.start);
    const { handle } = await start(
      spec({
        completion: 'each-partner',
        ask: [{ partner: 'nenc-icb', people: [{ role: 'commissioner', partner: 'nenc-icb' }] }],
        reminders: ['3 working days', '1 working day'],
        escalation: [
          { to: { role: 'senior-manager' }, mode: 'notify', due: '5 working days' },
          { to: { person: 'board-chair' }, mode: 'take-over', due: '2 working days' },
        ],
      }),
    );
    const lastDue = addWorkingDays(ew, new Date(c.finalDueAt), 2).toISOString();
    await advanceTo(plus(lastDue, MINUTE));
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'expired', awaiting: ['nenc-icb'] });

    const { history, tasks } = await handle.query(probeState);
    const at = (event: string) => history.filter((e) => e.event === event).map((e) => minute(e.at));
    expect(at('reminder-sent')).toEqual([minute(c.remindAt), minute(subtractWorkingDays(ew, new Date(c.dueAt), 1).toISOString())]);
    expect(at('escalated')).toEqual([minute(c.dueAt), minute(c.finalDueAt)]);
    expect(at('task-expired')).toEqual([minute(lastDue)]);
    // Notified people are told, not asked; the chair who takes over can decide.
    expect(tasks[0]!.parties![0]!.assignees).toEqual(['nenc-commissioner', 'board-chair']);

    const mails = await h.mails();
    const notice = mails.find((m) => m.subject?.startsWith('For your information'))!;
    expect(notice.to && !Array.isArray(notice.to) && notice.to.text).toBe('senior.manager@nenc-icb.example');
    expect(notice.text).not.toMatch(/https?:\/\//);
    const chair = mails.find((m) => m.to && !Array.isArray(m.to) && m.to.text === 'board.chair@council.example')!;
    expect(chair.subject).toMatch(/^Escalated to you/);
    expect(chair.text).toMatch(/http:\/\/localhost:3000\/a\//);
  });
});

test('a decision in the last seconds before the deadline is accepted and nothing escalates', async () => {
  const { firstFutureCase, advanceTo } = timeline(h);
  const c = await firstFutureCase();
  await h.run(async () => {
    await advanceTo(c.start);
    const { handle, decide } = await start(
      spec({
        completion: 'each-partner',
        ask: [{ partner: 'nenc-icb', people: [{ role: 'commissioner', partner: 'nenc-icb' }] }],
        escalation: [{ to: { role: 'senior-manager' }, mode: 'take-over', due: '5 working days' }],
      }),
    );
    await advanceTo(plus(c.dueAt, -2000));
    expect((await decide('nenc-commissioner', 'approve')).status).toBe('decided');
    expect(await handle.result()).toMatchObject({ status: 'decided', outcome: 'approve' });
    expect((await handle.query(probeState)).history.map((e) => e.event)).not.toContain('escalated');
  });
});
