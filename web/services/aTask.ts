import type { ApiContext } from '../../api/context';
import { coversNow, mayDecide, readTaskAs } from '../../api/tasks';
import type { Person } from '../../domain/partnership';
import type { Decision, Task } from '../../domain/task';
import { commissionIdOfEvaluation } from '../../domain/evaluation';
import { fieldViews, type FieldView } from './taskForm';
import { kindLabel, partnerNames, partyName, personName, subjectTypeLabel } from './words';

export interface TaskPage {
  task: Task;
  kindLabel: string;
  /** `page`: the subject's own page in this service, where it has one (a dispute, an evaluation panel). */
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

/** Everything the task page shows, read as the API reads it (404 for those it is not for). */
export async function taskPage(ctx: ApiContext, person: Person, id: string, now = Date.now()): Promise<TaskPage> {
  const { task, commission } = await readTaskAs(ctx, person, id);
  const { covers, principals } = await coversNow(ctx, person.id, now);
  const decidable = task.status === 'open' && mayDecide(task, person.id, covers, now);
  const asked = task.parties?.length ? task.parties.map((p) => (p.partner ? partyName(ctx.partnership, p.partner) : p.assignees.map((a) => personName(ctx.partnership, a)).join(', '))) : task.assignees.map((a) => personName(ctx.partnership, a));
  const deputyFor = task.assignees.includes(person.id) ? [] : task.assignees.filter((a) => principals.includes(a));
  const p = ctx.partnership;
  const awaitedName = (id: string): string => {
    const party = task.parties?.find((x) => x.id === id);
    return party && !party.partner ? party.assignees.map((a) => personName(p, a)).join(', ') : partyName(p, id);
  };
  const facts = [
    // A dispute's or a panel's title already says what it is ("Dispute: …", "Evaluation: …").
    { key: 'About', value: /^(Dispute|Evaluation): /.test(commission.title) ? commission.title : `${subjectTypeLabel[commission.kind] ?? commission.kind}: ${commission.title}` },
    { key: 'Partners', value: partnerNames(p, commission.partners) },
    { key: 'Asked of', value: asked.join('; ') },
    // A party is a partner, or people named by the party's id ("anyone"): then its people by name.
    ...(task.awaiting?.length && task.status === 'open' ? [{ key: 'Still awaiting', value: task.awaiting.map((a) => awaitedName(a)).join(', ') }] : []),
    ...(task.ifNoAnswer ? [{ key: 'If nobody answers', value: task.ifNoAnswer }] : []),
  ];
  const decisions = (task.decisions ?? (task.decision ? [task.decision] : [])).map((d) => ({
    by: personName(p, d.by),
    actingFor: d.actingFor ? personName(p, d.actingFor) : undefined,
    partner: d.partner ? partyName(p, d.partner) : undefined,
    decision: d.decision,
    comment: d.comment,
    at: d.at,
    channel: via[d.channel] ?? d.channel,
  }));
  return {
    task,
    kindLabel: kindLabel(task.kind),
    subject: {
      title: commission.title,
      type: commission.kind,
      partners: partnerNames(p, commission.partners),
      page: commission.kind === 'dispute' ? `/disputes/${commission.id}` : commission.kind === 'evaluation' ? `/commissions/${commissionIdOfEvaluation(commission.id)}/evaluation` : undefined,
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
