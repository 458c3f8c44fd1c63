import { Router, urlencoded, type Response } from 'express';
import { z } from 'zod';
import type { LinkClaims } from '../activities/links';
import { personById } from '../domain/partnership';
import type { Task } from '../domain/task';
import type { ApiContext } from './context';
import { esc, page, ukDateTime } from './pages';
import { HttpProblem } from './problem';
import { decide, readTask } from './tasks';

const form = z.object({ decision: z.string().min(1), comment: z.string().optional() });

function show(res: Response, status: number, title: string, body: string): void {
  res.status(status).set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer').type('html').send(page(title, body));
}

const whatNext = {
  invalid:
    'This link is not one we issued, or it has been changed. Use the link exactly as it arrived in your email, or sign in to the partnership\'s system to find your task.',
  expired:
    'The time to decide through this link has passed. If a decision is still needed, your partnership lead or the commission\'s lead commissioner can tell you what happens next.',
};

/**
 * Emailed links (../shared/API.md, Emailed links). GET only shows: mail scanners follow links.
 * POST decides as the person the link was issued to, once.
 */
export function linksRouter(ctx: ApiContext): Router {
  const router = Router();

  type Checked = { claims: LinkClaims; task: Task; subjectTitle: string } | undefined;

  async function check(token: string, res: Response): Promise<Checked> {
    const result = ctx.links.verify(token);
    if (!result.ok && result.reason === 'expired') {
      show(res, 410, 'This link has expired', `<p class="note">${esc(whatNext.expired)}</p>`);
      return undefined;
    }
    if (!result.ok) {
      show(res, 403, 'This link is not valid', `<p class="note">${esc(whatNext.invalid)}</p>`);
      return undefined;
    }
    let found: Awaited<ReturnType<typeof readTask>>;
    try {
      found = await readTask(ctx, result.claims.task);
    } catch (err) {
      if (err instanceof HttpProblem && err.status === 404) {
        show(res, 403, 'This link is not valid', `<p class="note">${esc(whatNext.invalid)}</p>`);
        return undefined;
      }
      throw err;
    }
    const { task, commission } = found;
    if (task.status !== 'open') {
      closedPage(res, task);
      return undefined;
    }
    if (!task.assignees.includes(result.claims.person)) {
      show(
        res,
        403,
        'This link is not for you',
        `<p class="note">This link was issued to someone who cannot decide this task now. Only the people it is assigned to can decide it; if you think it should be you, ask the commission's lead commissioner.</p>`,
      );
      return undefined;
    }
    return { claims: result.claims, task, subjectTitle: commission.title };
  }

  function closedPage(res: Response, task: Task): void {
    const d = task.decision;
    const who = d ? personById(ctx.partnership, d.by)?.name ?? d.by : undefined;
    show(
      res,
      409,
      d ? 'This has already been decided' : `This task is ${task.status}`,
      d
        ? `<p>${esc(task.title)}</p><p class="note">It was decided <strong>${esc(d.decision)}</strong> by ${esc(who!)} on ${esc(ukDateTime(d.at))} (via ${d.channel === 'email' ? 'an emailed link' : 'the API'}). Nothing more is needed from you.</p>`
        : `<p>${esc(task.title)}</p><p class="note">It no longer takes decisions. Nothing more is needed from you through this link.</p>`,
    );
  }

  function formPage(res: Response, c: NonNullable<Checked>, status = 200, error?: string): void {
    const person = personById(ctx.partnership, c.claims.person);
    const buttons = c.task.options
      .map((o) => `<button type="submit" name="decision" value="${esc(o)}">${esc(o[0]!.toUpperCase() + o.slice(1))}</button>`)
      .join('');
    const reasons = c.task.reasonRequiredFor.length
      ? `<p>A comment giving your reason is required to ${esc(c.task.reasonRequiredFor.join(' or '))}.</p>`
      : '';
    show(
      res,
      status,
      c.task.title,
      `${error ? `<p class="note" role="alert">${esc(error)}</p>` : ''}
<dl>
<dt>About</dt><dd>${esc(c.subjectTitle)}</dd>
<dt>Asked of</dt><dd>${esc(person?.name ?? c.claims.person)}</dd>
<dt>Decide by</dt><dd>${esc(ukDateTime(c.task.dueAt))}</dd>
</dl>
<form method="post">
<label for="comment">Comment</label>
<textarea id="comment" name="comment"></textarea>
${reasons}
${buttons}
</form>
<p>Nothing is recorded until you press a button.</p>`,
    );
  }

  router.get('/:token', async (req, res) => {
    const c = await check(req.params.token, res);
    if (c) formPage(res, c);
  });

  router.post('/:token', urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const c = await check(req.params.token, res);
    if (!c) return;
    const parsed = form.safeParse(req.body);
    if (!parsed.success) return formPage(res, c, 400, 'Choose one of the options.');
    try {
      const task = await decide(ctx, c.task.id, c.claims.person, 'email', parsed.data, c.claims.id);
      show(
        res,
        200,
        'Your decision is recorded',
        `<p>${esc(task.title)}</p><p class="note">You chose <strong>${esc(task.decision!.decision)}</strong> on ${esc(ukDateTime(task.decision!.at))}. You can close this page; the other partners are told through the system.</p>`,
      );
    } catch (err) {
      if (!(err instanceof HttpProblem)) throw err;
      if (err.status === 409) {
        const latest = await readTask(ctx, c.task.id);
        return closedPage(res, latest.task);
      }
      if (err.status === 422 || err.status === 400) return formPage(res, c, 422, err.detail);
      if (err.status === 403) return show(res, 403, 'This link is not for you', `<p class="note">${esc(err.detail)}</p>`);
      throw err;
    }
  });

  return router;
}
