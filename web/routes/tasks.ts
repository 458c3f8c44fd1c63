import type { InboxEntry } from '../../domain/task';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ApiContext } from '../../api/context';
import { decideAs } from '../../api/tasks';
import { HttpProblem } from '../../api/problem';
import { decisionBody } from '../../api/schemas';
import { dataFromForm } from '../../domain/taskData';
import { checkCsrf } from '../middleware/csrf';
import { formBody } from '../middleware/forms';
import { requireSignedIn } from '../middleware/signedIn';
import { taskPage } from '../services/aTask';
import { echoedValues } from '../services/taskForm';
import { auditTaskRead, readerOf } from '../../api/accessAudit';
import { subjectIdOfTask } from '../../domain/task';
import { PAGE_SIZE, yourTasks, yourTasksQuery } from '../services/yourTasks';
import { textInWords } from '../services/words';

const taskId = z.string().min(1).max(200).regex(/^[A-Za-z0-9._-]+$/);
/** The form's own fields; the task's data fields are read by its one definition (dataFromForm). */
const decisionForm = z.object({ decision: z.string().max(60).optional(), comment: z.string().max(4000).optional() });

/** "Your tasks" and a task's page, where a person decides in the browser (channel `web`). */
export function tasksRouter(ctx: ApiContext): Router {
  const router = Router();
  router.use('/tasks', requireSignedIn);
  const csrf = checkCsrf(ctx.publicBaseUrl);

  router.get('/tasks', async (req, res) => {
    const parsed = yourTasksQuery.safeParse(req.query);
    const query = parsed.success ? parsed.data : yourTasksQuery.parse({});
    const list = await yourTasks(ctx, req.person!, query, Date.now(), res.locals['openTasks'] as Promise<InboxEntry[]> | undefined);
    const link = (page: number) => `/tasks?${new URLSearchParams({ ...(query.kind ? { kind: query.kind } : {}), ...(query.subjectType ? { subjectType: query.subjectType } : {}), ...(query.due ? { due: query.due } : {}), sort: query.sort, page: String(page) })}`;
    res.render('tasks', {
      title: 'Your tasks',
      query,
      list,
      errors: parsed.success ? [] : [{ text: 'Some filters were not understood and were ignored; choose them again below.', href: '#kind' }],
      pagination: {
        previous: list.page > 1 ? { href: link(list.page - 1) } : undefined,
        next: list.page < list.pages ? { href: link(list.page + 1) } : undefined,
        items: Array.from({ length: list.pages }, (_, i) => ({ number: i + 1, href: link(i + 1), current: i + 1 === list.page })),
      },
      pageSize: PAGE_SIZE,
    });
  });

  async function showTask(req: Request, res: Response, status = 200, refusedAs?: string, values: Record<string, string> = {}): Promise<void> {
    // The workflow's words, with its ids and dates ("on 2027-01-12 or after") as names and dates in words.
    const refusal = refusedAs === undefined ? undefined : textInWords(ctx.partnership, refusedAs);
    const id = taskId.parse(req.params['id']);
    const view = await taskPage(ctx, req.person!, id);
    await auditTaskRead(ctx, readerOf(req, 'web'), view.task.id, subjectIdOfTask(view.task.id) ?? '');
    // A refusal is shown beside the field it is about: the comment when it asks for a reason (or
    // the task has no other field), else the first of the task's fields.
    // A rule about the decision itself (the panel's quorum, whether it has met) is shown at the buttons.
    const aboutDecision = refusal !== undefined && /^(Quorum|Meeting|Delegation) rule:|have not agreed a split/.test(refusal);
    const aboutComment = refusal !== undefined && !aboutDecision && (!view.fields.length || /comment|reason/i.test(refusal));
    const field = refusal === undefined || aboutComment || aboutDecision ? undefined : view.fields[0];
    res.status(status).render('task', {
      title: view.title,
      view,
      values,
      errors: refusal ? [{ text: refusal, href: aboutDecision ? '#decision' : field ? `#${field.id}` : '#comment' }] : [],
      commentError: aboutComment ? refusal : undefined,
      decisionError: aboutDecision ? refusal : undefined,
      fieldErrors: field ? { [field.name]: refusal } : {},
      success: req.query['decided'] === '1' && view.mine ? `Your decision is recorded: you chose "${view.options.find((o) => o.value === view.mine!.decision)?.label ?? view.mine.decision}".` : undefined,
    });
  }

  router.get('/tasks/:id', async (req, res) => {
    if (!taskId.safeParse(req.params.id).success) return void res.status(404).render('notFound', { title: 'Page not found' });
    await showTask(req, res);
  });

  router.post('/tasks/:id', formBody, csrf, async (req, res) => {
    const id = taskId.safeParse(req.params.id);
    if (!id.success) return void res.status(404).render('notFound', { title: 'Page not found' });
    const body = req.body as Record<string, unknown>;
    const form = decisionForm.safeParse(body);
    if (!form.success || !form.data.decision) return showTask(req, res, 400, 'Choose one of the options: press its button.', echoedValues(body));
    const { task } = await taskPage(ctx, req.person!, id.data);
    const data = task.fields ? dataFromForm(task.fields, body) : undefined;
    // The same body and rules as POST /api/v1/tasks/{id}/decision: the workflow's validator decides.
    const parsed = decisionBody.safeParse({ decision: form.data.decision, comment: form.data.comment || undefined, ...(data ? { data } : {}) });
    if (!parsed.success) return showTask(req, res, 400, parsed.error.issues.map((i) => i.message).join('; '), echoedValues(body));
    try {
      await decideAs(ctx, req.person!, task.id, 'web', parsed.data);
    } catch (err) {
      // The rule the decision broke, in the workflow's own words; 5xx are not the person's doing.
      if (err instanceof HttpProblem && err.status < 500 && err.status !== 404) return showTask(req, res, err.status, err.detail, echoedValues(body));
      throw err;
    }
    res.redirect(303, `/tasks/${encodeURIComponent(task.id)}?decided=1`);
  });

  return router;
}
