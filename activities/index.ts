import { createHash } from 'node:crypto';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import { holdersOf, personById, type Partnership, type Role } from '../domain/partnership';
import type { AssigneeSpec } from '../domain/task';
import type { Delegation } from '../domain/delegation';
import type { HistoryEntry } from '../domain/commission';
import type { Task } from '../domain/task';
import type { LinkSigner } from './links';
import { composeTaskMail, type MailPurpose, type MailTask } from './mail';
import type { RecordStore } from './records';

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
  records: RecordStore;
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

export function createActivities(deps: ActivityDeps) {
  const mailDomain = new URL(deps.publicBaseUrl).hostname || 'jco.invalid';
  // Sends and their ledger writes take turns, so at most one message is ever accepted by the
  // SMTP server but not yet in the ledger: a worker killed at any moment repeats at most one
  // email. Concurrent sends repeated one per send in flight (bench/results/drill-worker-crash.md).
  let mailTurn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = mailTurn.then(fn, fn);
    mailTurn = run.catch(() => undefined);
    return run;
  };

  return {
    async lookupPeople(input: { partner: string; role: Role }): Promise<string[]> {
      return holdersOf(deps.partnership, input.partner, input.role);
    },

    /** Resolves assignee specs at an instant, adding each person's deputy if one is in force. */
    async resolveAssignees(input: { specs: AssigneeSpec[]; at: string }): Promise<ResolvedPeople> {
      const delegations = (await deps.delegations()).filter((d) => d.from <= input.at && input.at < d.to);
      const people: string[] = [];
      const deputies: Record<string, string> = {};
      for (const spec of input.specs) {
        const found = 'person' in spec ? [spec.person] : holdersOf(deps.partnership, spec.partner, spec.role);
        for (const person of found) {
          if (!people.includes(person)) people.push(person);
          const d = delegations.find((x) => x.principal === person && ('person' in spec || x.roles.includes(spec.role)));
          if (d && !(d.deputy in deputies) && d.deputy !== person) deputies[d.deputy] = person;
        }
      }
      for (const deputy of Object.keys(deputies)) if (!people.includes(deputy)) people.push(deputy);
      return { people, deputies };
    },

    /**
     * Idempotent per Message-ID: a retry after a successful send finds the ledger entry and does
     * not send again. Only a crash between the SMTP server's acceptance and the ledger write can
     * repeat a message, and then with the same Message-ID, so receivers can tell.
     */
    async sendTaskEmail(input: TaskEmailInput): Promise<{ messageId: string; sent: boolean }> {
      const messageId = `<${input.task.id}.${input.to}.${input.purpose}-${input.seq}@${mailDomain}>`;
      if (await deps.records.wasSent(messageId)) return { messageId, sent: false };
      const person = personById(deps.partnership, input.to);
      if (!person) {
        throw ApplicationFailure.create({
          type: 'UnknownRecipient',
          message: `No person ${input.to} in the partnership file`,
          nonRetryable: true,
        });
      }
      const link =
        input.purpose === 'notice'
          ? undefined
          : `${deps.publicBaseUrl}/a/${deps.links.sign({
              id: createHash('sha256').update(messageId).digest('base64url').slice(0, 16),
              task: input.task.id,
              person: person.id,
              exp: Date.parse(input.linkExpiresAt),
            })}`;
      const mail = composeTaskMail(input.task, person.name, input.purpose, link);
      await inTurn(async () => {
        try {
          await deps.mailer.sendMail({ from: deps.mailFrom, to: person.email, messageId, ...mail });
        } catch (err) {
          const code = (err as { responseCode?: number }).responseCode;
          if (code !== undefined && code >= 500) {
            throw ApplicationFailure.create({
              type: 'MailRejected',
              message: `The mail server refused the message (${code})`,
              nonRetryable: true,
            });
          }
          throw err;
        }
        await deps.records.markSent(messageId, new Date().toISOString());
      });
      log.info('task email sent', { taskId: input.task.id, to: person.id, purpose: input.purpose });
      return { messageId, sent: true };
    },

    /** Appends entries `from`, `from + 1`, … of a subject's record; a retry rewrites nothing. */
    async recordEvents(input: { subjectId: string; from: number; entries: HistoryEntry[]; policyVersion: string }): Promise<void> {
      for (const [i, entry] of input.entries.entries()) {
        await deps.records.appendEvent(input.subjectId, input.from + i, { ...entry, policyVersion: input.policyVersion });
      }
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
