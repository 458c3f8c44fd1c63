import { Router } from 'express';
import { z } from 'zod';
import { commissionWorkflowId } from '../domain/commission';
import { inboxEntry, INBOX_MEMO, subjectIdOfTask, type Channel, type InboxEntry, type Task } from '../domain/task';
import { decideTask, extendTaskDeadline, getCommission } from '../workflows/jointCommission';
import { addDuration, durationText } from '../domain/duration';
import { calendarOf } from '../domain/partnership';
import { caller } from './auth';
import type { ApiContext } from './context';
import { invalid, problem } from './problem';
import { authorize } from './permissions';
import { readCommission, scopeOf, viaTemporal } from './subjects';

const decisionBody = z
  .object({
    decision: z.string().min(1, 'say which option you choose'),
    comment: z.string().trim().max(4000).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const inboxQuery = z
  .object({
    subject: z.string().regex(/^[a-z]+-[a-z0-9]+$/, 'a subject id such as jc-abc123defg').optional(),
    kind: z.string().regex(/^[a-z-]+$/, 'a task kind such as lead-partner-agreement').optional(),
    overdue: z.enum(['true', 'false']).optional(),
  })
  .strict();

const extensionBody = z
  .object({
    dueAt: z.iso.datetime({ offset: true }).optional(),
    extendBy: durationText.optional(),
    reason: z.string().trim().min(3, 'give the reason for the extension'),
  })
  .strict()
  .refine((b) => (b.dueAt === undefined) !== (b.extendBy === undefined), { path: ['dueAt'], message: 'give either dueAt or extendBy' });

/** Finds a task and the commission it belongs to; 404 when either is unknown. */
export async function readTask(ctx: ApiContext, id: string): Promise<{ task: Task; commission: Awaited<ReturnType<typeof readCommission>> }> {
  const subjectId = subjectIdOfTask(id);
  if (!subjectId) throw problem(404, `There is no task ${id}.`);
  const commission = await readCommission(ctx, subjectId).catch((err: unknown) => {
    throw (err as { status?: number }).status === 404 ? problem(404, `There is no task ${id}.`) : err;
  });
  const task = commission.tasks.find((t) => t.id === id);
  if (!task) throw problem(404, `There is no task ${id}.`);
  return { task, commission };
}

/** Decides through the workflow's Update: its validator is the one place the rules are checked. */
export async function decide(
  ctx: ApiContext,
  taskId: string,
  by: string,
  channel: Channel,
  body: z.infer<typeof decisionBody>,
  linkId?: string,
): Promise<Task> {
  const subjectId = subjectIdOfTask(taskId);
  if (!subjectId) throw problem(404, `There is no task ${taskId}.`);
  const handle = ctx.client.workflow.getHandle(commissionWorkflowId(subjectId));
  const task = await viaTemporal(`Task ${taskId}`, () =>
    handle.executeUpdate(decideTask, {
      args: [{ taskId, by, channel, decision: body.decision, comment: body.comment || undefined, data: body.data, linkId }],
    }),
  );
  ctx.recentDecisions.add(`${taskId} ${by}`);
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
    const query = `JcoAssignees = '${person.id}' AND ExecutionStatus = 'Running'`;
    const tasks = await viaTemporal('The inbox', async () => {
      const found: InboxEntry[] = [];
      for await (const wf of ctx.client.workflow.list({ query, pageSize: 1000 })) {
        let open = wf.memo?.[INBOX_MEMO] as InboxEntry[] | undefined;
        // Commissions started before the inbox memo existed: ask the workflow itself.
        open ??= (await ctx.client.workflow.getHandle(wf.workflowId).query(getCommission)).openTasks.map(inboxEntry);
        found.push(...open.filter((t) => t.assignees.includes(person.id) && !ctx.recentDecisions.has(`${t.id} ${person.id}`)));
      }
      return found;
    });
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
    authorize(person, 'task.read', scopeOf(commission), `There is no task ${req.params.id}.`);
    res.json(task);
  });

  router.post('/:id/decision', async (req, res) => {
    const person = caller(req);
    const parsed = decisionBody.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error, 'decision');
    const { commission } = await readTask(ctx, req.params.id);
    authorize(person, 'task.decide', scopeOf(commission), `There is no task ${req.params.id}.`);
    const task = await decide(ctx, req.params.id, person.id, 'api', parsed.data);
    res.json({ task });
  });

  router.post('/:id/extension', async (req, res) => {
    const person = caller(req);
    const parsed = extensionBody.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error, 'extension');
    const { task, commission } = await readTask(ctx, req.params.id);
    authorize(person, 'task.extend', scopeOf(commission), `There is no task ${req.params.id}.`);
    const dueAt = parsed.data.dueAt
      ? new Date(parsed.data.dueAt)
      : addDuration(calendarOf(ctx.partnership), new Date(task.dueAt), parsed.data.extendBy!);
    const handle = ctx.client.workflow.getHandle(commissionWorkflowId(commission.id));
    const moved = await viaTemporal(`Task ${task.id}`, () =>
      handle.executeUpdate(extendTaskDeadline, {
        args: [{ taskId: task.id, by: person.id, byPartner: person.partner, byRoles: person.roles, dueAt: dueAt.toISOString(), reason: parsed.data.reason }],
      }),
    );
    res.json({ task: moved });
  });

  return router;
}
