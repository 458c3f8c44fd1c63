import { Router } from 'express';
import { inboxEntry, subjectIdOfTask, type Channel, type Task } from '../domain/task';
import { asks, openTasksFor } from '../db/readModels';
import { coversOf } from '../db/delegations';
import { standingOn, type Cover } from '../domain/delegation';
import type { Party } from '../domain/task';
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

/** A person's covers as deputy from the record now, and the principals they act for at this moment. */
async function coversNow(ctx: ApiContext, person: string, now: number): Promise<{ covers: Cover[]; principals: string[] }> {
  const covers = await coversOf(ctx.database.db, person, new Date(now).toISOString());
  const principals = [...new Set(covers.filter((c) => Date.parse(c.from) <= now && now < Date.parse(c.to)).map((c) => c.principal))];
  return { covers, principals };
}

/** Whether the rule lets this person decide the task now (as the workflow's validator will judge it). */
function mayDecide(task: Task, person: string, covers: Cover[], now: number): boolean {
  const parties: Party[] = task.parties ?? [{ id: 'anyone', assignees: task.assignees, deputies: {}, unreachable: [] }];
  return standingOn(parties, person, covers, now).ok;
}

/**
 * Decides through the workflow's Update: its validator is the one place the rules are checked.
 * The decider's covers go with it, read from the record now, so the workflow checks the deputy's
 * window at the moment of decision (a delegation set or revoked after the task opened counts).
 */
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
  const { covers } = await coversNow(ctx, by, Date.now());
  const task = await viaTemporal(ctx, `Task ${taskId}`, () =>
    handle.executeUpdate(decideTask, {
      args: [{ taskId, by, channel, decision: body.decision, comment: body.comment || undefined, data: body.data, linkId, actingFor: covers }],
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
    const nowMs = Date.now();
    const now = new Date(nowMs).toISOString();
    // The tasks asking the caller or anyone they cover for now, kept only where the rule lets them decide.
    const { covers, principals } = await coversNow(ctx, person.id, nowMs);
    const tasks = (await openTasksFor(ctx.database.db, [person.id, ...principals])).filter((t) => mayDecide(t, person.id, covers, nowMs)).map(inboxEntry);
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
    // A deputy sees the tasks of those they cover for now, as the inbox shows them.
    const { principals } = await coversNow(ctx, person.id, Date.now());
    if (!(principals.length && (await asks(ctx.database.db, req.params.id, principals)))) {
      authorize(person, gate(commission, 'task.read'), scopeOf(commission), `There is no task ${req.params.id}.`);
    }
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
    // A deputy, now or lately, of someone the task asks gets past too: the workflow then says
    // whether their cover lets them decide (403 naming the rule when it has ended).
    const { covers } = await coversNow(ctx, person.id, Date.now());
    if (!(await asks(ctx.database.db, taskId, [person.id, ...new Set(covers.map((c) => c.principal))]))) {
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
