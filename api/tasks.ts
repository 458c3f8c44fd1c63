import { Router } from 'express';
import { inboxEntry, subjectIdOfTask, type Channel, type InboxEntry, type Task } from '../domain/task';
import type { Person } from '../domain/partnership';
import { asks, openTasksFor } from '../db/readModels';
import { coversOf } from '../db/delegations';
import { standingOn, type Cover } from '../domain/delegation';
import type { Party } from '../domain/task';
import { untilRecorded } from './readYourWrites';
import { decideTask, extendTaskDeadline } from '../workflows/jointCommission';
import { stepUpThroughLink } from '../domain/stepUp';
import { caller } from './auth';
import { auditTaskRead, readerOf } from './accessAudit';
import type { ApiContext } from './context';
import { invalid, problem } from './problem';
import { decisionBody, extensionBody, inboxQuery, type DecisionBody } from './schemas';
import { authorize, readRuleOf, type Action } from './permissions';
import { readSubject, scopeOf, subjectWorkflowId, TEMPORAL_BUDGET_MS, viaTemporal, type SubjectView } from './subjects';

/**
 * Who gets past the API's gate to a task: whoever may read its subject, by the subject's own rule
 * (readRuleOf: a referral's tasks are as private as the referral, a split dispute's too; an
 * evaluation panel's, its declarations and scores, are the panel's). Past it, the workflow says
 * who may decide or extend (403 naming the rule), so 404 means only that the task is not theirs
 * to know of.
 */
const gate = (subject: SubjectView, action: Action): Action => (subject.kind === 'commission' ? action : readRuleOf(subject));

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
export async function coversNow(ctx: ApiContext, person: string, now: number): Promise<{ covers: Cover[]; principals: string[] }> {
  const covers = await coversOf(ctx.database.db, person, new Date(now).toISOString());
  const principals = [...new Set(covers.filter((c) => Date.parse(c.from) <= now && now < Date.parse(c.to)).map((c) => c.principal))];
  return { covers, principals };
}

/** Whether the rule lets this person decide the task now (as the workflow's validator will judge it). */
export function mayDecide(task: Task, person: string, covers: Cover[], now: number): boolean {
  const parties: Party[] = task.parties ?? [{ id: 'anyone', assignees: task.assignees, deputies: {}, unreachable: [] }];
  return standingOn(parties, person, covers, now).ok;
}

/** A decision through an emailed link: the link's id, the task's kind, and who is signed in to the web service in that browser. */
export interface LinkUse {
  id: string;
  kind: string;
  signedInAs?: string | undefined;
}

/**
 * The step-up rule (domain/stepUp.ts), checked here too so that nothing decides a high-stakes task
 * through a link without its person signed in, whichever page or route calls: refused (403) before
 * anything reaches the workflow.
 */
function refuseWithoutStepUp(by: string, link: LinkUse | undefined): void {
  if (!link) throw problem(403, 'A decision through an emailed link must come from the link itself.');
  const step = stepUpThroughLink({ kind: link.kind }, by, link.signedInAs);
  if (step === 'sign-in-first') {
    throw problem(403, "An award, a stage gate or the accountable officers' resolution needs you to sign in before you decide through an emailed link: sign in as the person the link was sent to, then open the link again.");
  }
  if (step === 'someone-else') throw problem(403, 'You are signed in as someone other than the person this link was sent to; only they can make this decision through it.');
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
  link?: LinkUse,
): Promise<Task> {
  if (channel === 'email') refuseWithoutStepUp(by, link);
  const linkId = link?.id;
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

/**
 * The inbox: the open tasks asking the person or anyone they cover for now, kept only where the
 * rule lets them decide. The API's GET /tasks and the web service's "Your tasks" both read this.
 */
export async function inboxOf(ctx: ApiContext, person: Person): Promise<InboxEntry[]> {
  const nowMs = Date.now();
  const { covers, principals } = await coversNow(ctx, person.id, nowMs);
  return (await openTasksFor(ctx.database.db, [person.id, ...principals])).filter((t) => mayDecide(t, person.id, covers, nowMs)).map(inboxEntry);
}

/** A task as this person may read it (404 when it is not theirs to know of), with its subject. */
export async function readTaskAs(ctx: ApiContext, person: Person, id: string): Promise<{ task: Task; commission: SubjectView }> {
  const found = await readTask(ctx, id);
  // A deputy sees the tasks of those they cover for now, as the inbox shows them.
  const { principals } = await coversNow(ctx, person.id, Date.now());
  if (!(principals.length && (await asks(ctx.database.db, id, principals)))) {
    authorize(person, gate(found.commission, 'task.read'), scopeOf(found.commission), `There is no task ${id}.`);
  }
  return found;
}

/** Decides as this person, through whichever channel they used: the API's gate, then the workflow's rule. */
export async function decideAs(ctx: ApiContext, person: Person, id: string, channel: Channel, body: DecisionBody): Promise<Task> {
  // Someone the inbox shows the task to may read it, so the permission check needs one indexed
  // read, not the whole subject. The update's validator still checks, against the workflow's
  // own state, that they may decide.
  let taskId = id;
  // A deputy, now or lately, of someone the task asks gets past too: the workflow then says
  // whether their cover lets them decide (403 naming the rule when it has ended).
  const { covers } = await coversNow(ctx, person.id, Date.now());
  if (!(await asks(ctx.database.db, taskId, [person.id, ...new Set(covers.map((c) => c.principal))]))) {
    const { task, commission } = await readTask(ctx, taskId);
    authorize(person, gate(commission, 'task.decide'), scopeOf(commission), `There is no task ${id}.`);
    taskId = task.id;
  }
  return decide(ctx, taskId, person.id, channel, body);
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
    const shown = (await inboxOf(ctx, person))
      .filter((t) => (filters.subject ? t.subject.id === filters.subject : true))
      .filter((t) => (filters.kind ? t.kind === filters.kind : true))
      .filter((t) => (filters.overdue === undefined ? true : (t.dueAt < now) === (filters.overdue === 'true')))
      .sort((a, b) => b.dueAt.localeCompare(a.dueAt));
    res.json({ tasks: shown });
  });

  router.get('/:id', async (req, res) => {
    const { task, commission } = await readTaskAs(ctx, caller(req), req.params.id);
    await auditTaskRead(ctx, readerOf(req, 'api'), task.id, commission.id);
    res.json(task);
  });

  router.post('/:id/decision', async (req, res) => {
    const person = caller(req);
    const parsed = decisionBody.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error, 'decision');
    const task = await decideAs(ctx, person, req.params.id, 'api', parsed.data);
    res.json({ task });
  });

  router.post('/:id/extension', async (req, res) => {
    const person = caller(req);
    const parsed = extensionBody.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error, 'extension');
    const { task, commission } = await readTask(ctx, req.params.id);
    authorize(person, gate(commission, 'task.extend'), scopeOf(commission), `There is no task ${req.params.id}.`);
    // Nothing is computed here: the workflow's validator checks who may extend first, then counts
    // a duration on the case's own calendar from the deadline it holds (bounded: DURATION_BOUND).
    const { dueAt, extendBy, reason } = parsed.data;
    const handle = ctx.client.workflow.getHandle(commission.workflowId);
    const moved = await viaTemporal(ctx, `Task ${task.id}`, () =>
      handle.executeUpdate(extendTaskDeadline, {
        args: [{ taskId: task.id, by: person.id, byPartner: person.partner, byRoles: person.roles, ...(dueAt !== undefined ? { dueAt } : { extendBy }), reason }],
      }),
      TEMPORAL_BUDGET_MS.update,
    );
    await untilRecorded(ctx, moved);
    res.json({ task: moved });
  });

  return router;
}
