import type { ApiContext } from '../../api/context';
import { can } from '../../api/permissions';
import { scopeOf, type SubjectView } from '../../api/subjects';
import { coversNow, mayDecide, readTaskAs } from '../../api/tasks';
import type { Person } from '../../domain/partnership';
import type { Decision, Task } from '../../domain/task';
import { commissionIdOfEvaluation } from '../../domain/evaluation';
import { fieldViews, type FieldView } from './taskForm';
import { askedOf, biddersOf, decidedInWords, kindLabel, partnerNames, partyName, personName, stillAwaiting, subjectTypeLabel, textInWords } from './words';

export interface TaskPage {
  task: Task;
  /** What the task asks and the record so far, in words (an evaluation's bidders by name, not `acme-care`). */
  title: string;
  briefing: string[];
  /** Each option as its button says it: a bidder by its name, other options as words. */
  options: { value: string; label: string }[];
  /** The options that need a reason, as the comment's hint says them (a bidder by its name). */
  reasonRequiredFor: string[];
  kindLabel: string;
  /** `page`: the subject's own page in this service, where this person may see it. */
  subject: { title: string; type: string; partners: string; page?: string | undefined };
  /** What is asked, of whom, by when: the summary list's rows. */
  facts: { key: string; value: string }[];
  overdue: boolean;
  /** Whether this person may decide it now (the workflow's rule, as the inbox judges it). */
  mayDecide: boolean;
  /** Whom they would decide for as deputy, by name. */
  asDeputyFor?: string | undefined;
  fields: FieldView[];
  decisions: { by: string; actingFor?: string | undefined; partner?: string | undefined; decision: string; comment?: string | undefined; at: string; channel: string }[];
  /** This person's own latest decision, for the banner after deciding. */
  mine?: Decision | undefined;
}

const via: Record<string, string> = { api: 'the API', email: 'an emailed link', web: 'the web service' };

/**
 * The subject's own page, for the task page's link to it: a dispute's, an evaluation panel's, and
 * a commission's or a referral's to those the API lets read it (others would meet the 404 page).
 */
function subjectPage(person: Person, subject: SubjectView): string | undefined {
  switch (subject.kind) {
    case 'dispute':
      return `/disputes/${subject.id}`;
    case 'evaluation':
      return `/commissions/${commissionIdOfEvaluation(subject.id)}/evaluation`;
    case 'commission':
      return can(person, 'commission.read', scopeOf(subject)) ? `/commissions/${subject.id}` : undefined;
    case 'referral':
      return can(person, 'referral.read', scopeOf(subject)) ? `/referrals/${subject.id}` : undefined;
  }
}

/** Everything the task page shows, read as the API reads it (404 for those it is not for). */
export async function taskPage(ctx: ApiContext, person: Person, id: string, now = Date.now()): Promise<TaskPage> {
  const { task, commission } = await readTaskAs(ctx, person, id);
  const { covers, principals } = await coversNow(ctx, person.id, now);
  // A commission's and its panel's tasks name the panel's bidders by their ids (the award, a tie-break).
  const bidders = commission.kind === 'commission' || commission.kind === 'evaluation' ? await biddersOf(ctx, commission.kind === 'evaluation' ? commissionIdOfEvaluation(commission.id) : commission.id) : [];
  const optionLabel = (o: string): string => bidders.find((b) => b.id === o)?.name ?? (o === 'final-decision-required' ? 'Final decision required' : o.charAt(0).toUpperCase() + o.slice(1));
  const decidable = task.status === 'open' && mayDecide(task, person.id, covers, now);
  const deputyFor = task.assignees.includes(person.id) ? [] : task.assignees.filter((a) => principals.includes(a));
  const p = ctx.partnership;
  const facts = [
    // A dispute's or a panel's title already says what it is ("Dispute: …", "Evaluation: …").
    { key: 'About', value: /^(Dispute|Evaluation): /.test(commission.title) ? commission.title : `${subjectTypeLabel[commission.kind] ?? commission.kind}: ${commission.title}` },
    { key: 'Partners', value: partnerNames(p, commission.partners) },
    { key: 'Asked of', value: askedOf(p, task) },
    // A party is a partner, or people named by the party's id ("anyone"): then its people by name.
    ...(task.awaiting?.length && task.status === 'open' ? [{ key: 'Still awaiting', value: stillAwaiting(p, task) }] : []),
    ...(task.ifNoAnswer ? [{ key: 'If nobody answers', value: task.ifNoAnswer }] : []),
  ];
  const decisions = (task.decisions ?? (task.decision ? [task.decision] : [])).map((d) => ({
    by: personName(p, d.by),
    actingFor: d.actingFor ? personName(p, d.actingFor) : undefined,
    partner: d.partner ? partyName(p, d.partner) : undefined,
    decision: optionLabel(d.decision),
    comment: d.comment,
    at: d.at,
    channel: via[d.channel] ?? d.channel,
  }));
  return {
    task,
    title: textInWords(p, task.title, bidders),
    briefing: (task.briefing ?? []).map((line) => decidedInWords(textInWords(p, line, bidders))),
    options: task.options.map((o) => ({ value: o, label: optionLabel(o) })),
    reasonRequiredFor: task.reasonRequiredFor.map((o) => bidders.find((b) => b.id === o)?.name ?? o),
    kindLabel: kindLabel(task.kind),
    subject: {
      title: commission.title,
      type: commission.kind,
      partners: partnerNames(p, commission.partners),
      page: subjectPage(person, commission),
    },
    facts,
    overdue: task.status === 'open' && Date.parse(task.dueAt) < now,
    mayDecide: decidable,
    asDeputyFor: deputyFor.length ? deputyFor.map((a) => personName(p, a)).join(', ') : undefined,
    fields: fieldViews(task.fields),
    decisions,
    mine: (task.decisions ?? (task.decision ? [task.decision] : [])).filter((d) => d.by === person.id).at(-1),
  };
}
