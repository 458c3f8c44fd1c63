import { ukDateTime } from '../../activities/mail';
import { partnerById, partnerName, personName, type Partnership } from '../../domain/partnership';

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

export const subjectTypeLabel: Record<string, string> = { commission: 'Commission', dispute: 'Dispute', referral: 'Referral', evaluation: 'Evaluation panel' };

/**
 * What a workflow wrote, in a commissioner's words: partner and person ids as their names, instants
 * (2027-01-12T10:00:00.000Z) in UK time, a capital first letter.
 */
export function textInWords(p: Partnership, text: string): string {
  let out = text;
  for (const x of [...p.partners, ...p.people]) out = out.replace(new RegExp(`(?<![\\w-])${x.id}(?![\\w-])`, 'g'), x.name);
  out = out.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z\b/g, (iso) => ukDateTime(iso));
  return out.charAt(0).toUpperCase() + out.slice(1);
}
