import { checkTaskData, type FormField } from '../../domain/taskData';
import type { Task } from '../../domain/task';
import { answerFor } from '../helpers/answer';

/**
 * The data a decision with `option` carries, judged by the task's own rule (checkTaskData, the
 * validator's): the first candidate the rule takes, or `false` when the scenario cannot make one.
 * Some options need data the fields alone do not describe (a dispute's lead partner, a split, a
 * deferral's return date), so the candidates cover those shapes from what the task offers.
 */
export function dataFor(task: Task, option: string, values: (f: FormField) => unknown): Record<string, unknown> | undefined | false {
  const fromFields = answerFor(task, { choose: option, values })?.data;
  const choicesAt = (key: string) => task.fields?.find((f) => f.path[0] === key)?.choices?.map((c) => c.value) ?? [];
  const partners = [...new Set([...choicesAt('leadPartner'), ...(task.fields ?? []).filter((f) => f.path[0] === 'split' && f.path[1]).map((f) => f.path[1]!), ...(task.parties ?? []).flatMap((p) => (p.partner ? [p.partner] : []))])];
  const splitOf = (ps: string[]) => Object.fromEntries(ps.map((p, i) => [p, i === 0 ? 100 - Math.floor(100 / ps.length) * (ps.length - 1) : Math.floor(100 / ps.length)]));
  const partnerSets = [partners, ['council', 'nenc-icb']].filter((ps) => ps.length > 0);
  const date = values({ path: ['date'], label: 'date', type: 'date', required: true }) as string;
  const candidates: (Record<string, unknown> | undefined)[] = [
    fromFields,
    undefined,
    ...[...partners, 'council'].map((leadPartner) => ({ leadPartner })),
    ...partnerSets.map((ps) => ({ split: splitOf(ps) })),
    { startDate: date },
    { returnDate: date },
    { annualCost: 150_000 },
  ];
  for (const data of candidates) if (!checkTaskData(task.dataSchema, data, task.fields, option)) return data;
  return false;
}
