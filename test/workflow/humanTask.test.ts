import { addWorkingDays, subtractWorkingDays } from '../../domain/calendar';
import { loadPartnership } from '../../config';
import type { Partnership } from '../../domain/partnership';
import { recordDelegation } from '../../api/people';
import { decideTask, extendTaskDeadline, getCommission } from '../../workflows/jointCommission';
import { entries, leadTask, minute, MINUTE, party, plus, timeline, refusal } from '../helpers/timeline';
import { harness, TASK_QUEUE, type Harness } from '../helpers/workflowEnv';

let h: Harness;
afterEach(async () => {
  await h?.close();
});


/** Mail to an address once `count` have arrived (mail goes out in the background). */
async function mailsTo(address: string, count: number) {
  for (let i = 0; i < 100; i++) {
    const mine = (await h.mails()).filter((m) => m.to && !Array.isArray(m.to) && m.to.text === address);
    if (mine.length >= count) return mine;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${count} email(s) to ${address}`);
}

const ew = { name: 'england-and-wales' as const, extraHolidays: [] };

test('extending a deadline moves the running reminder and escalation timers; only people with authority may', async () => {
  h = await harness();
  const { firstFutureCase, advanceTo, waitFor, startAt } = timeline(h);
  const c = await firstFutureCase();
  await h.run(async () => {
    const handle = await startAt(c.start);
    const task = leadTask(await handle.query(getCommission));
    const newDue = addWorkingDays(ew, new Date(c.dueAt), 5).toISOString();
    const extend = (by: string, byPartner: string, byRoles: string[], dueAt: string, reason = 'Board meets next week') =>
      handle.executeUpdate(extendTaskDeadline, { args: [{ taskId: task.id, by, byPartner, byRoles, dueAt, reason }] });

    expect(await refusal(extend('lsc-commissioner', 'lsc-icb', ['commissioner'], newDue))).toBe('NoAuthority');
    expect(await refusal(extend('council-senior-manager', 'council', ['senior-manager'], newDue))).toBe('NoAuthority');
    expect(await refusal(extend('council-commissioner', 'council', ['commissioner'], plus(c.dueAt, -MINUTE)))).toBe('InvalidExtension');
    expect(await refusal(extend('council-commissioner', 'council', ['commissioner'], newDue, ''))).toBe('InvalidExtension');

    // The lead commissioner extends by five working days, before the reminder was due.
    const extended = await extend('council-commissioner', 'council', ['commissioner'], newDue);
    expect(extended.dueAt).toBe(newDue);

    // Nothing happens at the old times...
    await advanceTo(plus(c.dueAt, MINUTE));
    let view = await handle.query(getCommission);
    expect(entries(view, 'reminder-sent')).toHaveLength(0);
    expect(entries(view, 'escalated')).toHaveLength(0);
    // ...and the reminder comes 3 working days before the new deadline.
    const newRemind = subtractWorkingDays(ew, new Date(newDue), 3).toISOString();
    await advanceTo(plus(newRemind, MINUTE));
    view = await waitFor(handle, (v) => entries(v, 'reminder-sent').length === 1);
    expect(minute(entries(view, 'reminder-sent')[0]!.at)).toBe(minute(newRemind));

    // A senior manager of an asked partner may extend too.
    const later = addWorkingDays(ew, new Date(newDue), 1).toISOString();
    await extend('nenc-senior-manager', 'nenc-icb', ['senior-manager'], later, 'Waiting for the ICB board');
    await advanceTo(plus(newDue, MINUTE));
    view = await handle.query(getCommission);
    expect(entries(view, 'escalated')).toHaveLength(0);

    await advanceTo(plus(later, MINUTE));
    view = await waitFor(handle, (v) => entries(v, 'escalated').length === 2);
    expect(minute(entries(view, 'escalated')[0]!.at)).toBe(minute(later));
    expect(entries(view, 'deadline-extended').map((e) => e.by)).toEqual(['council-commissioner', 'nenc-senior-manager']);
  });
});

function withDeputies(p: Partnership): Partnership {
  return {
    ...p,
    people: [
      ...p.people,
      { id: 'nenc-deputy', name: 'Example NENC Deputy Commissioner', email: 'deputy@nenc-icb.example', partner: 'nenc-icb', roles: ['commissioner'] },
      { id: 'nenc-senior-deputy', name: 'Example NENC Deputy Senior Manager', email: 'senior.deputy@nenc-icb.example', partner: 'nenc-icb', roles: ['senior-manager'] },
    ],
  };
}

test('a deputy in their window gets the task and their decision records whom they acted for', async () => {
  h = await harness(withDeputies(loadPartnership()));
  const { firstFutureCase, advanceTo, waitFor, startAt } = timeline(h);
  const c = await firstFutureCase();
  await h.run(async () => {
    await advanceTo(plus(c.start, -10 * MINUTE));
    // The senior manager is away from the start until after the escalation deadline.
    await recordDelegation(h.env.client, TASK_QUEUE, {
      principal: 'nenc-senior-manager',
      deputy: 'nenc-senior-deputy',
      roles: ['senior-manager'],
      from: plus(c.start, -5 * MINUTE),
      to: plus(c.finalDueAt, MINUTE),
    });
    const handle = await startAt(c.start);
    let view = await handle.query(getCommission);
    // Not yet escalated: the senior manager (and so their deputy) is not asked.
    expect(party(view, 'nenc-icb').assignees).toEqual(['nenc-commissioner', 'nenc-deputy']);

    await advanceTo(plus(c.dueAt, MINUTE));
    view = await waitFor(handle, (v) => entries(v, 'escalated').length === 2);
    expect(party(view, 'nenc-icb').assignees).toEqual(['nenc-commissioner', 'nenc-deputy', 'nenc-senior-manager', 'nenc-senior-deputy']);
    expect(party(view, 'lsc-icb').assignees).toEqual(['lsc-commissioner', 'lsc-senior-manager']);

    const task = leadTask(view);
    const decided = await handle.executeUpdate(decideTask, { args: [{ taskId: task.id, by: 'nenc-senior-deputy', channel: 'api', decision: 'agree' }] });
    expect(decided.decisions![0]).toMatchObject({ by: 'nenc-senior-deputy', actingFor: 'nenc-senior-manager', partner: 'nenc-icb' });
    view = await handle.query(getCommission);
    expect(entries(view, 'task-decided')[0]).toMatchObject({ by: 'nenc-senior-deputy', actingFor: 'nenc-senior-manager' });
    const mails = await mailsTo('senior.deputy@nenc-icb.example', 1);
    expect(mails.map((m) => m.subject?.split(' by ')[0])).toEqual(['Escalated to you']);
  });
});

test('a delegation that ended before the task was created does not pass the task on', async () => {
  h = await harness(withDeputies(loadPartnership()));
  const { firstFutureCase, advanceTo, startAt } = timeline(h);
  const c = await firstFutureCase();
  await h.run(async () => {
    await advanceTo(plus(c.start, -10 * MINUTE));
    await recordDelegation(h.env.client, TASK_QUEUE, {
      principal: 'nenc-commissioner',
      deputy: 'nenc-deputy',
      roles: ['commissioner'],
      from: plus(c.start, -9 * MINUTE),
      to: plus(c.start, -MINUTE),
    });
    const handle = await startAt(c.start);
    const view = await handle.query(getCommission);
    // nenc-deputy is a commissioner in their own right, so asked; but not acting for anyone.
    expect(party(view, 'nenc-icb').assignees).toEqual(['nenc-commissioner', 'nenc-deputy']);
    expect(party(view, 'nenc-icb').deputies).toEqual({});
  });
});

test('an address the mail server refuses (550) is not retried: the task shows it and the senior manager is asked at once', async () => {
  h = await harness(loadPartnership(), { rejectRecipients: ['commissioner@nenc-icb.example'] });
  const { firstFutureCase, waitFor, startAt } = timeline(h);
  const c = await firstFutureCase();
  await h.run(async () => {
    const handle = await startAt(c.start);
    const view = await waitFor(handle, (v) => entries(v, 'notification-failed').length === 1 && entries(v, 'escalated').length === 1);
    const task = leadTask(view);
    expect(task.notificationFailed).toBe(true);
    expect(party(view, 'nenc-icb').unreachable).toEqual(['nenc-commissioner']);
    expect(party(view, 'nenc-icb').assignees).toEqual(['nenc-commissioner', 'nenc-senior-manager']);
    // The deadline does not move: the senior manager answers within the same one.
    expect(minute(task.dueAt)).toBe(minute(c.dueAt));
    const seniors = await mailsTo('senior.manager@nenc-icb.example', 1);
    expect(seniors.map((m) => m.subject?.split(' by ')[0])).toEqual(['Escalated to you']);
    expect(await mailsTo('commissioner@nenc-icb.example', 0)).toHaveLength(0);
  });
});
