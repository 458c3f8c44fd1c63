import { Router } from 'express';
import { inboxEntry, subjectIdOfTask, type Channel, type Task } from '../domain/task';
import { asks, openTasksFor } from '../db/readModels';
import { untilRecorded } from './readYourWrites';
import { decideTask, extendTaskDeadline } from '../workflows/jointCommission';
import { addDuration } from '../domain/duration';
import { calendarOf } from '../domain/partnership';
import { caller } from './auth';
import type { ApiContext } from './context';
import { invalid, problem } from './problem';
import { decisionBody, extensionBody, inboxQuery, type DecisionBody } from './schemas';
import { authorize, type Action } from './permissions';
import { readSubject, scopeOf, subjectWorkflowId, TEMPORAL_BUDGET_MS, viaTemporal, type SubjectView } from './subjects';

/**
 * Who gets past the API's gate to a task: whoever may read its subject, by the subject's own rule
 * (a referral's tasks are as private as the referral; a dispute's are open to the Board and the
 * accountable officers, who read the dispute itself). Past it, the workflow says who may decide
 * or extend (403 naming the rule), so 404 means only that the task is not theirs to know of.
 */
const gate = (subject: SubjectView, action: Action): Action =>
  subject.kind === 'referral' ? 'referral.read' : subject.kind === 'dispute' ? 'dispute.read' : action;

/** Finds a task and the commission it belongs to; 404 when either is unknown. */
export async function readTask(ctx: ApiContext, id: string): Promise<{ task: Task; commission: SubjectView }> {
  const subjectId = subjectIdOfTask(id);
  if (!subjectId) throw problem(404, `There is no task ${id}.`);
  const commission = await readSubject(ctx, subjectId).catch((err: unknown) => {
    throw (err as { status?: number }).status === 404 ? problem(404, `There is no task ${id}.`) : err;
  });
  // `<subject>.<key>` (the form task ids had before they named their case) still finds the
  // current case's task with that key, so links and clients built on it keep working.
  const task = commission.tasks.find((t) => t.id === id) ?? commission.tasks.find((t) => t.key !== undefined && `${commission.id}.${t.key}` === id);
  if (!task) throw problem(404, `There is no task ${id}.`);
  return { task, commission };
}

/** Decides through the workflow's Update: its validator is the one place the rules are checked. */
export async function decide(
  ctx: ApiContext,
  taskId: string,
  by: string,
  channel: Channel,
  body: DecisionBody,
  linkId?: string,
): Promise<Task> {
  const workflowId = subjectWorkflowId(subjectIdOfTask(taskId) ?? '');
  if (!workflowId) throw problem(404, `There is no task ${taskId}.`);
  const handle = ctx.client.workflow.getHandle(workflowId);
  const task = await viaTemporal(ctx, `Task ${taskId}`, () =>
    handle.executeUpdate(decideTask, {
      args: [{ taskId, by, channel, decision: body.decision, comment: body.comment || undefined, data: body.data, linkId }],
    }),
    TEMPORAL_BUDGET_MS.update,
  );
  await untilRecorded(ctx, task);
  return task;
}

export function tasksRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const person = caller(req);
    authorize(person, 'inbox.read', {}, '');
    const parsed = inboxQuery.safeParse(req.query);
    if (!parsed.success) throw invalid(parsed.error, 'query');
    const filters = parsed.data;
    const now = new Date().toISOString();
    const tasks = (await openTasksFor(ctx.database.db, person.id)).map(inboxEntry);
    const shown = tasks
      .filter((t) => (filters.subject ? t.subject.id === filters.subject : true))
      .filter((t) => (filters.kind ? t.kind === filters.kind : true))
      .filter((t) => (filters.overdue === undefined ? true : (t.dueAt < now) === (filters.overdue === 'true')))
      .sort((a, b) => b.dueAt.localeCompare(a.dueAt));
    res.json({ tasks: shown });
  });

  router.get('/:id', async (req, res) => {
    const person = caller(req);
    const { task, commission } = await readTask(ctx, req.params.id);
    authorize(person, gate(commission, 'task.read'), scopeOf(commission), `There is no task ${req.params.id}.`);
    res.json(task);
  });

  router.post('/:id/decision', async (req, res) => {
    const person = caller(req);
    const parsed = decisionBody.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error, 'decision');
    // Someone the inbox shows the task to may read it, so the permission check needs one indexed
    // read, not the whole subject. The update's validator still checks, against the workflow's
    // own state, that they may decide.
    let taskId = req.params.id;
    if (!(await asks(ctx.database.db, taskId, person.id))) {
      const { task, commission } = await readTask(ctx, taskId);
      authorize(person, gate(commission, 'task.decide'), scopeOf(commission), `There is no task ${req.params.id}.`);
      taskId = task.id;
    }
    const task = await decide(ctx, taskId, person.id, 'api', parsed.data);
    res.json({ task });
  });

  router.post('/:id/extension', async (req, res) => {
    const person = caller(req);
    const parsed = extensionBody.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error, 'extension');
    const { task, commission } = await readTask(ctx, req.params.id);
    authorize(person, gate(commission, 'task.extend'), scopeOf(commission), `There is no task ${req.params.id}.`);
    const dueAt = parsed.data.dueAt
      ? new Date(parsed.data.dueAt)
      : addDuration(calendarOf(ctx.partnership), new Date(task.dueAt), parsed.data.extendBy!);
    const handle = ctx.client.workflow.getHandle(commission.workflowId);
    const moved = await viaTemporal(ctx, `Task ${task.id}`, () =>
      handle.executeUpdate(extendTaskDeadline, {
        args: [{ taskId: task.id, by: person.id, byPartner: person.partner, byRoles: person.roles, dueAt: dueAt.toISOString(), reason: parsed.data.reason }],
      }),
      TEMPORAL_BUDGET_MS.update,
    );
    await untilRecorded(ctx, moved);
    res.json({ task: moved });
  });

  return router;
}
