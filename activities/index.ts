import { createHash } from 'node:crypto';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import { holdersOf, personById, type Partnership, type Role } from '../domain/partnership';
import type { AssigneeSpec } from '../domain/task';
import type { Delegation } from '../domain/delegation';
import type { Task } from '../domain/task';
import type { LinkSigner } from './links';
import { composeTaskMail, type MailPurpose, type MailTask } from './mail';
import { classifyMailError, type OutageReason } from './mailErrors';
import type { Database } from '../db';
import { claimSend, markSent } from '../db/outbox';
import { delegationsInForceAt } from '../db/delegations';
import { createRecordActivities } from './record';
import { createDelegationActivities } from './delegations';

/** People a task asks, and the deputies acting for them (one hop: delegation never cascades). */
export interface ResolvedPeople {
  people: string[];
  deputies: Record<string, string>;
}

export interface ActivityDeps {
  partnership: Partnership;
  /** The delegations in force (the register workflow); none when it does not exist yet. */
  delegations: () => Promise<Delegation[]>;
  mailer: Pick<Transporter, 'sendMail'>;
  links: LinkSigner;
  /** The system of record: decision record, read models, email outbox. */
  database: Database;
  /** Emails in flight at once (default 4). */
  mailConcurrency?: number;
  publicBaseUrl: string;
  mailFrom: string;
}

export interface TaskEmailInput {
  task: MailTask & Pick<Task, 'id'>;
  to: string;
  purpose: MailPurpose;
  /** Which send of this purpose (the second reminder is 2), so each has its own Message-ID. */
  seq: number;
  /** The link stops working then: the last moment the task can still be decided. */
  linkExpiresAt: string;
}

/** Errors retrying cannot fix; the workflow records them instead. */
export const permanentFailures = ['UnknownRecipient', 'MailRejected'];

/**
 * The alert metric of a mail outage, on the worker's Prometheus endpoint (WORKER_METRICS_ADDRESS)
 * beside the SDK's own, labelled by reason (authentication, relay, connection, tls, server): a
 * failed send that is not one recipient's refusal, retried until the mail server mends.
 */
export const MAIL_OUTAGE_METRIC = 'jco_mail_outage_total';

function countOutage(reason: OutageReason): void {
  try {
    Context.current().metricMeter.createCounter(MAIL_OUTAGE_METRIC, 'sends', 'Sends failed for a reason not of the recipient (sign-in, relay, connection, TLS, server); retried').add(1, { reason });
  } catch {
    // Outside an activity (no meter): the log line below still says it.
  }
}

export function createActivities(deps: ActivityDeps) {
  const mailDomain = new URL(deps.publicBaseUrl).hostname || 'jco.invalid';
  const sending = limiter(deps.mailConcurrency ?? 4);
  const db = deps.database.db;

  return {
    async lookupPeople(input: { partner: string; role: Role }): Promise<string[]> {
      return holdersOf(deps.partnership, input.partner, input.role);
    },

    /** Resolves assignee specs at an instant, adding each person's deputy if one is in force. */
    async resolveAssignees(input: { specs: AssigneeSpec[]; at: string }): Promise<ResolvedPeople> {
      const delegations = (await deps.delegations()).filter((d) => d.from <= input.at && input.at < d.to);
      return peopleWithDeputies(deps.partnership, input.specs, delegations);
    },

    /**
     * The same answer, for the workflows' local look-up (workflows/subject.ts): the delegations
     * in force are read from the record, which the register writes before it answers any change
     * (so a delegation the API has confirmed is there). Not from the register itself: its query
     * is answered by a workflow task on a worker, and a local activity holds its own workflow
     * task's slot while it runs, so many at once could wait on slots they hold themselves.
     */
    async peopleToAsk(input: { specs: AssigneeSpec[]; at: string }): Promise<ResolvedPeople> {
      return peopleWithDeputies(deps.partnership, input.specs, await delegationsInForceAt(db, input.at));
    },

    /**
     * Idempotent per Message-ID, through the outbox: the send is recorded before it leaves and
     * marked sent once the SMTP server accepts it, so a retry after that sends nothing. Only a
     * worker killed between acceptance and the mark repeats a message, with the same Message-ID.
     * Once accepted, a failed mark is retried here and never fails the activity: failing it
     * would send again, every retry, for as long as the database is away.
     */
    async sendTaskEmail(input: TaskEmailInput): Promise<{ messageId: string; sent: boolean }> {
      const messageId = `<${input.task.id}.${input.to}.${input.purpose}-${input.seq}@${mailDomain}>`;
      const person = personById(deps.partnership, input.to);
      if (!person) {
        throw ApplicationFailure.create({
          type: 'UnknownRecipient',
          message: `No person ${input.to} in the partnership file`,
          nonRetryable: true,
        });
      }
      const claim = await claimSend(db, { messageId, taskId: input.task.id, recipient: person.id, purpose: input.purpose }, new Date().toISOString());
      if (claim === 'already-sent') return { messageId, sent: false };
      const link =
        input.purpose === 'notice' || input.purpose === 'withdrawn'
          ? undefined
          : `${deps.publicBaseUrl}/a/${deps.links.sign({
              id: createHash('sha256').update(messageId).digest('base64url').slice(0, 16),
              task: input.task.id,
              person: person.id,
              exp: Date.parse(input.linkExpiresAt),
            })}`;
      const mail = composeTaskMail(input.task, person.name, input.purpose, link);
      await sending(async () => {
        try {
          await deps.mailer.sendMail({ from: deps.mailFrom, to: person.email, messageId, ...mail });
        } catch (err) {
          const failure = classifyMailError(err);
          // Only a refusal of this recipient is permanent: the workflow marks them unreachable.
          if (failure.kind === 'recipient-refused') {
            throw ApplicationFailure.create({
              type: 'MailRejected',
              message: `The mail server refused the recipient (${failure.code})`,
              nonRetryable: true,
            });
          }
          if (failure.kind === 'recipient-deferred') throw err;
          // Anything else is the partnership's mail out of order, not this person's: retried
          // (the workflow's policy backs off to a minute) and counted for the alert.
          countOutage(failure.reason);
          log.warn('mail outage: the send will be retried', { taskId: input.task.id, reason: failure.reason, code: failure.code });
          throw ApplicationFailure.create({
            type: 'MailOutage',
            message: `The mail server could not take the message (${failure.reason}${failure.code ? `, ${failure.code}` : ''}); it will be retried`,
            nonRetryable: false,
          });
        }
      });
      await markSentPatiently(db, messageId);
      log.info('task email sent', { taskId: input.task.id, to: person.id, purpose: input.purpose });
      return { messageId, sent: true };
    },

    ...createRecordActivities({ database: deps.database, partnership: deps.partnership }),
    ...createDelegationActivities({ database: deps.database }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** The people the specs name, each with the deputy of theirs in force (one hop: never cascades). */
function peopleWithDeputies(partnership: Partnership, specs: AssigneeSpec[], inForce: Pick<Delegation, 'principal' | 'deputy' | 'roles'>[]): ResolvedPeople {
  const people: string[] = [];
  const deputies: Record<string, string> = {};
  for (const spec of specs) {
    const found = 'person' in spec ? [spec.person] : holdersOf(partnership, spec.partner, spec.role);
    for (const person of found) {
      if (!people.includes(person)) people.push(person);
      const d = inForce.find((x) => x.principal === person && ('person' in spec || x.roles.includes(spec.role)));
      if (d && !(d.deputy in deputies) && d.deputy !== person) deputies[d.deputy] = person;
    }
  }
  for (const deputy of Object.keys(deputies)) if (!people.includes(deputy)) people.push(deputy);
  return { people, deputies };
}

/** Runs at most `n` of the given functions at once; the rest wait their turn. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Marks a send done, retrying for up to about 20 s; an accepted message is never sent again for it. */
async function markSentPatiently(db: Database['db'], messageId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await markSent(db, messageId, new Date().toISOString());
      return;
    } catch (err) {
      if (attempt >= 8) {
        log.warn('email sent but not marked in the outbox', { error: (err as Error).message });
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 5000)));
    }
  }
}
