import type { Task } from '../domain/task';

export type MailPurpose = 'request' | 'reminder' | 'escalation';

export interface TaskMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const ukDateTime = (iso: string): string =>
  new Date(iso).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'full', timeStyle: 'short' });

const leads: Record<MailPurpose, string> = {
  request: 'Action needed',
  reminder: 'Reminder, decision due soon',
  escalation: 'Escalated to you',
};

/** One email asking one person to decide one task, carrying exactly one link (theirs). */
export function composeTaskMail(
  task: Pick<Task, 'title' | 'dueAt' | 'options'> & { subjectTitle: string },
  recipientName: string,
  purpose: MailPurpose,
  link: string,
): TaskMail {
  const subject = `${leads[purpose]}: ${task.subjectTitle}: ${task.title}`;
  const why =
    purpose === 'escalation'
      ? 'Nobody answered this by its deadline, so it has been escalated to you.'
      : purpose === 'reminder'
        ? 'This is a reminder: no answer has been recorded yet.'
        : 'Your decision is needed.';
  const due = ukDateTime(task.dueAt);
  const text = [
    `Dear ${recipientName},`,
    '',
    why,
    '',
    `${task.title}`,
    `Due by: ${due}`,
    `Options: ${task.options.join(', ')}`,
    '',
    `Open this link to see the details and record your decision:`,
    link,
    '',
    'Opening the link changes nothing; you decide on the page. The link is yours alone: do not forward it.',
  ].join('\n');
  const html = `<p>Dear ${escapeHtml(recipientName)},</p>
<p>${escapeHtml(why)}</p>
<p><strong>${escapeHtml(task.title)}</strong><br>Due by: ${escapeHtml(due)}<br>Options: ${escapeHtml(task.options.join(', '))}</p>
<p><a href="${escapeHtml(link)}">Review and decide</a></p>
<p>Opening the link changes nothing; you decide on the page. The link is yours alone: do not forward it.</p>`;
  return { subject, text, html };
}
