import path from 'node:path';
import nunjucks from 'nunjucks';
import type { Task } from '../domain/task';

/** The emails' HTML is a template with autoescape on, like every page: nothing is assembled from strings. */
const templates = new nunjucks.Environment(new nunjucks.FileSystemLoader(path.join(__dirname, 'templates')), { autoescape: true });

export type MailPurpose = 'request' | 'reminder' | 'escalation' | 'notice' | 'extended' | 'fresh-link' | 'withdrawn';

export interface TaskMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailTask extends Pick<Task, 'title' | 'dueAt' | 'options'> {
  subjectTitle: string;
  /** Names of the partners the task asks, for the reader's context. */
  partnerNames?: string[] | undefined;
  ifNoAnswer?: string | undefined;
  /** The record so far, one line an event. */
  briefing?: string[] | undefined;
  /** Why the subject was withdrawn (purpose `withdrawn`). */
  reason?: string | undefined;
}

/** A date and time as people in the UK read it. */
export const ukDateTime = (iso: string): string =>
  new Date(iso).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'full', timeStyle: 'short' });
const ukDay = (iso: string): string =>
  new Date(iso).toLocaleDateString('en-GB', { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });

const leads: Record<MailPurpose, string> = {
  request: 'Decision needed',
  reminder: 'Reminder, decision due soon',
  escalation: 'Escalated to you',
  notice: 'For your information, no answer yet',
  extended: 'Deadline moved, decision still needed',
  'fresh-link': 'A fresh link, as you asked',
  withdrawn: 'Withdrawn, no decision needed',
};

const why: Record<MailPurpose, string> = {
  request: 'Your decision is needed.',
  reminder: 'This is a reminder: no answer has been recorded yet.',
  escalation: 'Nobody answered this by its deadline, so it has been escalated to you. You can now decide it.',
  notice: 'Nobody answered this by its deadline. You are told so you can follow it up; there is nothing for you to decide here.',
  extended: 'The deadline for this decision has moved. Links sent before no longer work after their own expiry; use this one.',
  'fresh-link': 'You asked for a fresh link to this decision, which is still open. Earlier links to it may have expired; use this one.',
  withdrawn: 'What this decision was about has been withdrawn, so it no longer needs your decision. Links sent before no longer work.',
};

/**
 * One email to one person about one task. An email that asks for a decision carries exactly one
 * link, theirs; a notice carries none.
 */
export function composeTaskMail(task: MailTask, recipientName: string, purpose: MailPurpose, link?: string): TaskMail {
  const subject = purpose === 'withdrawn' ? `${leads[purpose]}: ${task.subjectTitle}: ${task.title}` : `${leads[purpose]} by ${ukDay(task.dueAt)}: ${task.subjectTitle}: ${task.title}`;
  const due = ukDateTime(task.dueAt);
  const facts: [string, string][] = [
    ['About', task.subjectTitle],
    ['Asked', task.title],
    ...(task.partnerNames?.length ? [['Partners asked', task.partnerNames.join(', ')] as [string, string]] : []),
    ...(purpose === 'withdrawn'
      ? [['Reason for withdrawing', task.reason ?? ''] as [string, string]]
      : [
          ['Due by', due] as [string, string],
          ['Options', task.options.join(', ')] as [string, string],
          ...(task.ifNoAnswer ? [['If nobody answers', task.ifNoAnswer] as [string, string]] : []),
        ]),
  ];
  const action = link
    ? ['Open this link to see the details and record your decision:', link, '', 'Opening the link changes nothing; you decide on the page. The link is yours alone: do not forward it.']
    : [];
  const record = task.briefing?.length ? ['The record so far:', ...task.briefing.map((l) => `- ${l}`), ''] : [];
  const text = [`Dear ${recipientName},`, '', why[purpose], '', ...facts.map(([k, v]) => `${k}: ${v}`), '', ...record, ...action].join('\n');
  const html = templates.render('taskMail.html.njk', { recipientName, why: why[purpose], facts, briefing: task.briefing, link });
  return { subject, text, html };
}
