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
