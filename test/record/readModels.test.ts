import type { Database } from '../../db';
import { applySnapshot, currentSubject, listSubjects, openTasksFor, tasksOf, type ListFilter, type SubjectSnapshot } from '../../db/readModels';
import { claimSend, markSent, unconfirmedSends } from '../../db/outbox';
import type { Task } from '../../domain/task';
import { at, dbTest, engines, snapshot, task, type EngineName } from './helpers';

const apply = (d: Database, seq: number, s: SubjectSnapshot, tasks: Task[] = []) => d.write((tx) => applySnapshot(tx, seq, s, tasks));
const subjectRow = (d: Database, s: SubjectSnapshot) => d.db.selectFrom('subjects').selectAll().where('subject_id', '=', s.id).where('instance', '=', s.instance).executeTakeFirstOrThrow();
const assignees = async (d: Database, taskId: string) =>
  (await d.db.selectFrom('task_assignees').select('person').where('task_id', '=', taskId).orderBy('person').execute()).map((r) => r.person);

describe.each(engines)('the read models on %s', (engine: EngineName) => {
  const it = dbTest(engine);

  it('applies a newer projection; an equal or older one changes nothing', async ({ database: d }) => {
    const s = snapshot('jc-0001');
    expect(await apply(d, 1, s)).toBe(true);
    expect(await subjectRow(d, s)).toMatchObject({ status: 'draft', seq: 1, is_open: 1, ended_at: null, partners: '["council","icb"]' });
    expect(await apply(d, 3, { ...s, status: 'approved', at: at(5) })).toBe(true);
    const stored = await subjectRow(d, s);
    expect(stored).toMatchObject({ status: 'approved', seq: 3, updated_at: at(5) });
    // The same write again (a retry) and an older one arriving late.
    expect(await apply(d, 3, { ...s, status: 'retried' })).toBe(false);
    expect(await apply(d, 2, { ...s, status: 'late' })).toBe(false);
    expect(await subjectRow(d, s)).toEqual(stored);
    expect(await apply(d, 4, { ...s, status: 'closed', open: false, at: at(9) })).toBe(true);
    expect(await subjectRow(d, s)).toMatchObject({ is_open: 0, ended_at: at(9) });
    // Closed stays closed at the time it closed.
    expect(await apply(d, 5, { ...s, status: 'archived', open: false, at: at(20) })).toBe(true);
    expect(await subjectRow(d, s)).toMatchObject({ status: 'archived', ended_at: at(9) });
  });

  it('tasks and their assignees follow the projection: the inbox lists open tasks only', async ({ database: d }) => {
    const s = snapshot('jc-0001');
    const t1 = task('jc-0001.approve', s.id, { assignees: ['alice', 'bob', 'alice'], dueAt: at(60) });
    const t2 = task('jc-0001.sign', s.id, { assignees: ['carol'], dueAt: at(30), createdAt: at(2) });
    await apply(d, 1, s, [t1, t2]);
    expect(await assignees(d, t1.id)).toEqual(['alice', 'bob']);
    expect((await openTasksFor(d.db, 'alice')).map((t) => t.id)).toEqual([t1.id]);
    expect((await openTasksFor(d.db, 'carol')).map((t) => t.id)).toEqual([t2.id]);
    expect((await subjectRow(d, s)).next_due_at).toBe(at(30));
    expect(await tasksOf(d.db, s.id, s.instance)).toEqual([t1, t2]);

    const decided = { ...t1, status: 'decided' as const, decision: { by: 'bob', decision: 'approve', at: at(10), channel: 'api' as const } };
    await apply(d, 2, s, [decided, { ...t2, assignees: ['carol', 'dave'] }]);
    expect(await assignees(d, t1.id)).toEqual([]);
    expect(await openTasksFor(d.db, 'alice')).toEqual([]);
    expect(await openTasksFor(d.db, 'bob')).toEqual([]);
    expect((await openTasksFor(d.db, 'dave')).map((t) => t.id)).toEqual([t2.id]);
    expect((await tasksOf(d.db, s.id, s.instance))[0]).toEqual(decided);
    // A stale projection does not bring the decided task back.
    expect(await apply(d, 1, s, [t1, t2])).toBe(false);
    expect(await openTasksFor(d.db, 'alice')).toEqual([]);
    await apply(d, 3, s, [decided, { ...t2, status: 'cancelled' }]);
    expect((await subjectRow(d, s)).next_due_at).toBeNull();
    expect(await openTasksFor(d.db, 'carol')).toEqual([]);
  });

  it('a subject id used again: currentSubject is the latest started case', async ({ database: d }) => {
    const first = snapshot('rf-0001', { type: 'referral', instance: 'rf-0001-a', startedAt: at(0), status: 'closed', open: false });
    const second = snapshot('rf-0001', { type: 'referral', instance: 'rf-0001-b', startedAt: at(50), status: 'open' });
    await apply(d, 1, second);
    await apply(d, 7, first);
    expect(await currentSubject(d.db, 'rf-0001')).toMatchObject({ instance: 'rf-0001-b', status: 'open', seq: 1 });
    expect(await subjectRow(d, first)).toMatchObject({ status: 'closed', seq: 7 });
    expect(await currentSubject(d.db, 'rf-0404')).toBeUndefined();
  });

  it('listSubjects filters by partners, status, lead and overdue', async ({ database: d }) => {
    const now = at(100);
    const rows: [SubjectSnapshot, Task[]][] = [
      [snapshot('jc-0001', { partners: ['council', 'icb'], status: 'draft', startedAt: at(1) }), [task('jc-0001.a', 'jc-0001', { dueAt: at(50) })]],
      [snapshot('jc-0002', { partners: ['council', 'trust'], status: 'draft', startedAt: at(2), lead: { partner: 'trust', status: 'agreed' } }), [task('jc-0002.a', 'jc-0002', { dueAt: at(150) })]],
      [snapshot('jc-0003', { partners: ['icb', 'trust'], status: 'approved', startedAt: at(3) }), [task('jc-0003.a', 'jc-0003', { dueAt: at(10), status: 'decided' })]],
      [snapshot('jc-0004', { partners: ['council', 'icb', 'trust'], status: 'approved', startedAt: at(4), lead: undefined }), []],
      [snapshot('jd-0005', { type: 'dispute', partners: ['council', 'icb'], status: 'draft', startedAt: at(5) }), []],
    ];
    for (const [s, t] of rows) await apply(d, 1, s, t);
    const list = async (f: Partial<ListFilter>) => (await listSubjects(d.db, { type: 'commission', partners: [], now, limit: 50, ...f })).rows.map((r) => r.subject_id);
    expect(await list({})).toEqual(['jc-0004', 'jc-0003', 'jc-0002', 'jc-0001']);
    expect(await list({ partners: ['icb'] })).toEqual(['jc-0004', 'jc-0003', 'jc-0001']);
    expect(await list({ partners: ['icb', 'trust'] })).toEqual(['jc-0004', 'jc-0003']);
    expect(await list({ partners: ['nhs'] })).toEqual([]);
    expect(await list({ status: 'draft' })).toEqual(['jc-0002', 'jc-0001']);
    expect(await list({ lead: 'trust' })).toEqual(['jc-0002']);
    expect(await list({ lead: 'council', leadStatus: 'proposed' })).toEqual(['jc-0003', 'jc-0001']);
    expect(await list({ overdue: true })).toEqual(['jc-0001']);
    expect(await list({ overdue: false })).toEqual(['jc-0004', 'jc-0003', 'jc-0002']);
    expect(await list({ type: 'dispute' })).toEqual(['jd-0005']);
  });

  it('listSubjects pages by cursor: 25 subjects, 10 a page, each exactly once, newest first', async ({ database: d }) => {
    const ids = Array.from({ length: 25 }, (_, i) => `jc-${String(i).padStart(4, '0')}`);
    // Some start at the same instant, and one id has two cases: the cursor must break ties.
    for (const [i, id] of ids.entries()) await apply(d, 1, snapshot(id, { startedAt: at(Math.floor(i / 3)) }));
    await apply(d, 1, snapshot('jc-0004', { instance: 'jc-0004-run-0', startedAt: at(1) }));
    const all = await d.db.selectFrom('subjects').select(['subject_id', 'instance', 'started_at']).execute();
    const expected = all
      .sort((a, b) => (a.started_at !== b.started_at ? (a.started_at < b.started_at ? 1 : -1) : a.subject_id !== b.subject_id ? (a.subject_id < b.subject_id ? 1 : -1) : a.instance < b.instance ? 1 : -1))
      .map((r) => `${r.subject_id}/${r.instance}`);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await listSubjects(d.db, { type: 'commission', partners: [], now: at(0), limit: 10, cursor });
      sizes.push(page.rows.length);
      seen.push(...page.rows.map((r) => `${r.subject_id}/${r.instance}`));
      cursor = page.next;
    } while (cursor);
    expect(sizes).toEqual([10, 10, 6]);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(26);
    // An unreadable cursor starts from the top.
    expect((await listSubjects(d.db, { type: 'commission', partners: [], now: at(0), limit: 3, cursor: 'garbage' })).rows.map((r) => r.subject_id)).toEqual(['jc-0024', 'jc-0023', 'jc-0022']);
  });

  it('the outbox: a send is claimed, marked sent, and never sent twice', async ({ database: d }) => {
    const e = { messageId: '<m1@jco>', taskId: 'jc-0001.approve', recipient: 'alice', purpose: 'task' };
    expect(await unconfirmedSends(d.db)).toBe(0);
    expect(await claimSend(d.db, e, at(0))).toBe('send');
    expect(await unconfirmedSends(d.db)).toBe(1);
    // The worker died before marking it: the retry sends again (same Message-ID), counting the attempt.
    expect(await claimSend(d.db, e, at(1))).toBe('send');
    expect(await claimSend(d.db, { ...e, messageId: '<m2@jco>' }, at(1))).toBe('send');
    expect(await unconfirmedSends(d.db)).toBe(2);
    await markSent(d.db, e.messageId, at(2));
    expect(await claimSend(d.db, e, at(3))).toBe('already-sent');
    expect(await unconfirmedSends(d.db)).toBe(1);
    expect(await d.db.selectFrom('outbox').selectAll().where('message_id', '=', e.messageId).executeTakeFirstOrThrow()).toMatchObject({ status: 'sent', attempts: 2, created_at: at(0), sent_at: at(2) });
  });
});
