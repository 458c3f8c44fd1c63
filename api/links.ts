import { Router, urlencoded, type Request, type Response } from 'express';
import { z } from 'zod';
import type { LinkClaims } from '../activities/links';
import { partnerName, personName } from '../domain/partnership';
import type { Decision, Task } from '../domain/task';
import type { ApiContext } from './context';
import { ukDateTime } from '../activities/mail';
import { HttpProblem } from './problem';
import { dataFromForm } from '../domain/taskData';
import { echoedValues, fieldViews } from '../web/services/taskForm';
import { pageSecurityHeadersSendingFormsTo } from '../web/middleware/securityHeaders';
import { loadSession } from '../web/middleware/session';
import { stepUpThroughLink } from '../domain/stepUp';
import { decide, readTask } from './tasks';
import { sendFreshLink } from '../workflows/taskMessages';
import { TEMPORAL_BUDGET_MS, viaTemporal } from './subjects';

const form = z.object({ decision: z.string().min(1), comment: z.string().optional(), form: z.string().optional() });

const whatNext = {
  invalid:
    "This link is not one we issued, or it has been changed. Use the link exactly as it arrived in your email, or ask the commission's lead commissioner for the task.",
  expired:
    "The time to decide through this link has passed. If a decision is still needed, the commission's lead commissioner or your senior manager can tell you what happens next.",
  staleForm: 'This form could not be accepted. Open the link from your email again and make your decision on the page it shows.',
  stillOpen: 'The time to use this link has passed, but the task it was sent for is still open and still asks you. We can email you a fresh link to the same address.',
  freshSent: 'A fresh link is on its way to your email. It replaces this one; use it to make your decision.',
};

type Checked = { token: string; claims: LinkClaims; task: Task; subjectTitle: string };

/**
 * Emailed links (../shared/API.md, Emailed links). GET only shows: mail scanners follow links.
 * POST decides as the person the link was issued to, once, and only from the page we served.
 */
export function linksRouter(ctx: ApiContext): Router {
  const router = Router();
  const name = (id: string): string => personName(ctx.partnership, id);
  const partnerNameOf = (id: string): string => partnerName(ctx.partnership, id);
  // Signing out (from a page that refuses someone else) may go on to the organisation's provider, as in the web service.
  router.use(pageSecurityHeadersSendingFormsTo(ctx.web?.oidc ? [new URL(ctx.web.oidc.issuer).origin] : []));
  // Who is signed in to the web service in this browser: high-stakes decisions need their person.
  router.use(loadSession(ctx, ctx.web?.secureCookies ?? true));

  /** A page that says one thing: `inset` is what happened, `before` and `after` its context. */
  function show(res: Response, status: number, title: string, text: { inset?: string; before?: string[]; after?: string[] }): void {
    res.status(status).render('message', { title, ...text });
  }

  /** The decision that answers for this person: their partner's (or their own), else the task's. */
  function answeredFor(task: Task, person: string): Decision | undefined {
    const party = task.parties?.find((p) => p.decision && (p.assignees.includes(person) || p.id === person));
    return party?.decision ?? task.decision;
  }

  function alreadyDecided(res: Response, task: Task, d: Decision): void {
    const via = { email: 'an emailed link', web: 'the web service', api: 'the API' }[d.channel] ?? d.channel;
    show(res, 409, 'This has already been decided', {
      before: [task.title],
      inset: `It was decided "${d.decision}" by ${name(d.by)}${d.actingFor ? ` (acting for ${name(d.actingFor)})` : ''} on ${ukDateTime(d.at)}, via ${via}.`,
      after: ['Nothing more is needed from you through this link.'],
    });
  }

  async function check(token: string, res: Response): Promise<Checked | undefined> {
    const result = ctx.links.verify(token);
    const inGrace = !result.ok && result.reason === 'expired' && result.claims && result.claims.exp + ctx.linkGraceMs > Date.now();
    if (!result.ok && !inGrace) {
      if (result.reason === 'expired' && result.claims && (await offerFreshLink(token, result.claims, res))) return undefined;
      if (result.reason === 'expired') show(res, 410, 'This link has expired', { inset: whatNext.expired });
      else show(res, 403, 'This link is not valid', { inset: whatNext.invalid });
      return undefined;
    }
    const claims = result.ok ? result.claims : result.claims!;
    let found: Awaited<ReturnType<typeof readTask>>;
    try {
      found = await readTask(ctx, claims.task);
    } catch (err) {
      if (err instanceof HttpProblem && err.status === 404) {
        show(res, 403, 'This link is not valid', { inset: whatNext.invalid });
        return undefined;
      }
      if (err instanceof HttpProblem && err.status === 503) {
        res.set('Retry-After', '5');
        show(res, 503, 'Please try again in a moment', { inset: 'The system is busy or restarting. Nothing has been recorded; open the link again in a minute.' });
        return undefined;
      }
      throw err;
    }
    const { task, commission } = found;
    const mine = answeredFor(task, claims.person);
    const partyDecided = task.parties?.some((p) => p.decision && (p.assignees.includes(claims.person) || p.id === claims.person));
    if ((task.status === 'decided' || partyDecided) && mine) {
      alreadyDecided(res, task, mine);
      return undefined;
    }
    if (!result.ok) {
      if (!(await offerFreshLink(token, claims, res))) show(res, 410, 'This link has expired', { inset: whatNext.expired });
      return undefined;
    }
    if (task.status !== 'open') {
      show(res, task.status === 'expired' ? 410 : 409, `This task is ${task.status}`, {
        before: [task.title],
        inset: 'It no longer takes decisions. Nothing more is needed from you through this link.',
      });
      return undefined;
    }
    if (!task.assignees.includes(claims.person)) {
      show(res, 403, 'This link is not for you', {
        inset: "This link was issued to someone who cannot decide this task now. Only the people it is assigned to can decide it; if you think it should be you, ask the commission's lead commissioner.",
      });
      return undefined;
    }
    return { token, claims, task, subjectTitle: commission.title };
  }

  /**
   * A genuine link that has expired while its task is still open and still asks its person: the
   * page offers to email a fresh one (the workflow sends it, so it is recorded and counted).
   */
  async function stillAsks(claims: LinkClaims): Promise<{ task: Task; workflowId: string } | undefined> {
    const found = await readTask(ctx, claims.task).catch(() => undefined);
    if (!found || found.task.status !== 'open' || !found.task.assignees.includes(claims.person)) return undefined;
    return { task: found.task, workflowId: found.commission.workflowId };
  }

  async function offerFreshLink(token: string, claims: LinkClaims, res: Response): Promise<boolean> {
    const task = (await stillAsks(claims))?.task;
    if (!task) return false;
    res.status(410).render('links/freshLink', {
      title: 'This link has expired',
      taskTitle: task.title,
      inset: whatNext.stillOpen,
      action: `/a/${token}/fresh-link`,
      formToken: ctx.links.formToken(token),
    });
    return true;
  }

  function formPage(res: Response, c: Checked, status = 200, error?: string, values: Record<string, string> = {}): void {
    const party = c.task.parties?.find((p) => p.assignees.includes(c.claims.person));
    const actingFor = party?.deputies[c.claims.person];
    const row = (key: string, value: string) => ({ key: { text: key }, value: { text: value } });
    res.status(status).render('links/decide', {
      title: c.task.title,
      errors: error ? [{ text: error, href: '#comment' }] : [],
      facts: [
        row('About', c.subjectTitle),
        row('Asked of', `${name(c.claims.person)}${actingFor ? ` (as deputy for ${name(actingFor)})` : ''}`),
        ...(party?.partner ? [row('For partner', partnerNameOf(party.partner))] : []),
        row('Decide by', ukDateTime(c.task.dueAt)),
        ...(c.task.awaiting?.length ? [row('Still awaiting', c.task.awaiting.map(partnerNameOf).join(', '))] : []),
        ...(c.task.ifNoAnswer ? [row('If nobody answers', c.task.ifNoAnswer)] : []),
      ],
      formToken: ctx.links.formToken(c.token),
      fields: fieldViews(c.task.fields),
      values,
      reasonRequiredFor: c.task.reasonRequiredFor,
      options: c.task.options,
    });
  }

  /**
   * Step-up (domain/stepUp.ts): an award, a stage gate or the officers' resolution needs the
   * person the link was for signed in. Otherwise a page saying so (sign in, and come back here),
   * or that someone else is signed in; false when the decision may not go ahead.
   */
  function steppedUp(req: Request, res: Response, c: Checked, status: number): boolean {
    const step = stepUpThroughLink(c.task, c.claims.person, req.person?.id);
    if (step === 'sign-in-first') {
      res.status(status).render('links/signInFirst', {
        title: 'Sign in to make this decision',
        taskTitle: c.task.title,
        subjectTitle: c.subjectTitle,
        linkPerson: name(c.claims.person),
        signInHref: `/sign-in?returnTo=${encodeURIComponent(`/a/${c.token}`)}`,
      });
      return false;
    }
    if (step === 'someone-else') {
      show(res, 403, 'This decision is not yours to make', {
        before: [c.task.title],
        inset: `You are signed in as ${req.person!.name}, but this link was sent to ${name(c.claims.person)}. Only they can make this decision through it. If you are ${name(c.claims.person)}, sign out, open the link from your email again and sign in as yourself.`,
      });
      return false;
    }
    return true;
  }

  /** Only a form we served, posted from our own origin, may act. */
  function fromOurPage(req: Request, c: Checked): boolean {
    const origin = req.get('origin');
    if (origin && origin !== new URL(ctx.publicBaseUrl).origin && origin !== `${req.protocol}://${req.get('host')}`) return false;
    return ctx.links.checkFormToken(c.token, (req.body as { form?: unknown }).form);
  }

  router.get('/:token', async (req, res) => {
    const c = await check(req.params.token, res);
    if (c && steppedUp(req, res, c, 200)) formPage(res, c);
  });

  router.post('/:token/fresh-link', urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const result = ctx.links.verify(req.params.token);
    const claims = result.ok ? result.claims : result.reason === 'expired' ? result.claims : undefined;
    if (!claims) return show(res, 403, 'This link is not valid', { inset: whatNext.invalid });
    const origin = req.get('origin');
    const ours = !origin || origin === new URL(ctx.publicBaseUrl).origin || origin === `${req.protocol}://${req.get('host')}`;
    if (!ours || !ctx.links.checkFormToken(req.params.token, (req.body as { form?: unknown }).form)) {
      return show(res, 403, 'Please try again', { inset: whatNext.staleForm });
    }
    const asked = await stillAsks(claims);
    if (!asked) return show(res, 409, 'This task no longer needs you', { inset: 'It no longer takes decisions from you. Nothing more is needed through this link.' });
    const handle = ctx.client.workflow.getHandle(asked.workflowId);
    try {
      const taskId = asked.task.id;
      await viaTemporal(ctx, `Task ${taskId}`, () => handle.executeUpdate(sendFreshLink, { args: [{ taskId, person: claims.person }] }), TEMPORAL_BUDGET_MS.update);
    } catch (err) {
      if (err instanceof HttpProblem && err.status < 500) return show(res, err.status, 'A fresh link cannot be sent', { inset: err.detail });
      throw err;
    }
    show(res, 202, 'A fresh link is on its way', { inset: whatNext.freshSent });
  });

  router.post('/:token', urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    const c = await check(req.params.token, res);
    if (!c || !steppedUp(req, res, c, 403)) return;
    if (!fromOurPage(req, c)) return show(res, 403, 'Please try again', { inset: whatNext.staleForm });
    const parsed = form.safeParse(req.body);
    if (!parsed.success) return formPage(res, c, 400, 'Choose one of the options.');
    const data = c.task.fields ? dataFromForm(c.task.fields, req.body as Record<string, unknown>) : undefined;
    try {
      const task = await decide(ctx, c.task.id, c.claims.person, 'email', { ...parsed.data, ...(data ? { data } : {}) }, { id: c.claims.id, kind: c.task.kind, signedInAs: req.person?.id });
      const d = task.decisions?.filter((x) => x.by === c.claims.person).at(-1) ?? task.decision!;
      res.status(200).render('links/decided', {
        title: 'Your decision is recorded',
        decision: d.decision,
        taskTitle: task.title,
        at: d.at,
        next: task.status === 'open' ? `Still awaiting: ${(task.awaiting ?? []).map(partnerNameOf).join(', ')}.` : 'Every answer needed is in; the commission moves on.',
      });
    } catch (err) {
      if (!(err instanceof HttpProblem)) throw err;
      if (err.status === 409) {
        const latest = await readTask(ctx, c.task.id);
        const d = answeredFor(latest.task, c.claims.person);
        return d ? alreadyDecided(res, latest.task, d) : show(res, 409, 'This task is closed', { inset: err.detail });
      }
      if (err.status === 422 || err.status === 400) return formPage(res, c, 422, err.detail, echoedValues(req.body));
      if (err.status === 403) return show(res, 403, 'This link is not for you', { inset: err.detail });
      throw err;
    }
  });

  return router;
}
