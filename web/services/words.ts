import { ukDateTime } from '../../activities/mail';
import { partnerById, partnerName, personName, type Partnership } from '../../domain/partnership';
import type { Task } from '../../domain/task';
import type { ApiContext } from '../../api/context';
import { currentSubject } from '../../db/readModels';
import { evaluationIdOf, type EvaluationView } from '../../domain/evaluation';

export { partnerName, personName };

/** A task kind in words: `lead-partner-agreement` reads "Lead partner agreement". */
export const kindLabel = (kind: string): string => {
  const words = kind.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Partners and people by their names, never their ids (`lsc-icb`), as a commissioner reads them. */
export const partnerNames = (p: Partnership, ids: string[]): string => ids.map((id) => partnerName(p, id)).join(', ');
export const personNames = (p: Partnership, ids: string[]): string => ids.map((id) => personName(p, id)).join(', ');

/** A party of a task is a partner or a person; either way, its name. */
export const partyName = (p: Partnership, id: string): string => partnerById(p, id)?.name ?? personName(p, id);

/**
 * Whom a task asks or still awaits: a party that is a partner by the partner's name; one that is not
 * (the id `anyone`: whoever of its people answers first) by its people's names.
 */
export const awaitedName = (p: Partnership, party: string, people: string[] | undefined): string => partnerById(p, party)?.name ?? (people?.length ? personNames(p, people) : personName(p, party));

/** Whom a task asks, each party as `awaitedName` names it; a task without parties asks its assignees. */
export const askedOf = (p: Partnership, t: Pick<Task, 'parties' | 'assignees'>): string =>
  t.parties?.length ? t.parties.map((x) => awaitedName(p, x.partner ?? x.id, x.assignees)).join('; ') : personNames(p, t.assignees);

/** Whom an open task still awaits, named as `askedOf` names them. */
export const stillAwaiting = (p: Partnership, t: Pick<Task, 'parties' | 'assignees' | 'awaiting'>): string =>
  t.awaiting?.length ? t.awaiting.map((a) => awaitedName(p, a, t.parties?.find((x) => x.id === a)?.assignees)).join(', ') : personNames(p, t.assignees);

/**
 * The bidders of a commission's evaluation panel (ids and names), for `textInWords`: the commission's
 * and the panel's tasks and events name the bidders by their ids. None before a panel is set up.
 */
export async function biddersOf(ctx: Pick<ApiContext, 'database'>, commissionId: string): Promise<{ id: string; name: string }[]> {
  // The panel's row alone (one read): not its tasks and record, nor Temporal when there is no panel.
  const row = await currentSubject(ctx.database.db, evaluationIdOf(commissionId));
  return row?.subject_type === 'evaluation' ? ((JSON.parse(row.view) as Partial<EvaluationView>).bidders ?? []) : [];
}

/**
 * A decision's record ("Record the Executive Board's resolution: final-decision-required, "why"")
 * with the option chosen said as words: "final decision required". Bidders are named first by `textInWords`.
 */
export const decidedInWords = (detail: string): string => detail.replace(/: ([a-z]+(?:-[a-z0-9]+)+)(?=, "|$)/, (_, option: string) => `: ${option.replace(/-/g, ' ')}`);

export const subjectTypeLabel: Record<string, string> = { commission: 'Commission', dispute: 'Dispute', referral: 'Referral', evaluation: 'Evaluation panel' };

/**
 * What a workflow wrote, in a commissioner's words: partner and person ids as their names, instants
 * (2027-01-12T10:00:00.000Z) in UK time and days (2027-01-12) as dates in words, a capital first letter. `named`: more ids with their names
 * (an evaluation panel's bidders: "Award the contract to acme-care").
 */
export function textInWords(p: Partnership, text: string, named: readonly { id: string; name: string }[] = []): string {
  // What a person wrote, quoted by the workflow ("The council leads"), stays as they wrote it: the
  // partner id `council` is also a word.
  const out = text
    .split(/("[^"]*"|“[^”]*”)/)
    .map((part, i) => (i % 2 ? part : idsAndInstantsInWords(p, part, named)))
    .join('');
  return out.charAt(0).toUpperCase() + out.slice(1);
}

function idsAndInstantsInWords(p: Partnership, text: string, named: readonly { id: string; name: string }[]): string {
  let out = text;
  for (const x of [...p.partners, ...p.people, ...named]) out = out.replace(new RegExp(`(?<![\\w-])${x.id}(?![\\w-])`, 'g'), x.name);
  return out
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z\b/g, (iso) => ukDateTime(iso))
    .replace(/(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w:-])/g, (day) => new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }));
}
