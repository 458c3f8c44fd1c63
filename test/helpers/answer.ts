import type { Task } from '../../domain/task';
import type { FormField } from '../../domain/taskData';

/**
 * How a willing participant answers a task: the first option that moves things on, every field
 * filled, a reason where one is needed. Tests that walk a commission through its cycle use it
 * for the steps they are not about.
 */
export interface Answer {
  by: string;
  decision: string;
  comment?: string;
  data?: Record<string, unknown>;
}

export function answerFor(task: Task, opts: { canAct?: (person: string) => boolean; values?: (f: FormField) => unknown; choose?: string } = {}): Answer | undefined {
  const awaiting = task.parties?.filter((p) => !p.decision) ?? [];
  const people = awaiting.length ? awaiting.flatMap((p) => p.assignees) : task.assignees;
  const by = people.find((p) => opts.canAct?.(p) ?? true);
  if (!by) return undefined;
  const decision = opts.choose && task.options.includes(opts.choose) ? opts.choose : (task.options.find((o) => !(task.rejectOn ?? []).includes(o)) ?? task.options[0]!);
  let data: Record<string, unknown> | undefined;
  for (const f of task.fields ?? []) {
    // Optional fields (an interest in a bidder) stay blank unless the test says otherwise.
    const value = opts.values?.(f) ?? (!f.required ? undefined : f.type === 'integer' ? (f.min ?? 0) : f.type === 'choice' ? f.choices?.[0]?.value : f.type === 'date' ? '2027-01-04' : `Recorded for ${f.label.toLowerCase()}`);
    if (value === undefined) continue;
    data ??= {};
    let at = data;
    for (const key of f.path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[f.path.at(-1)!] = value;
  }
  return { by, decision, ...(task.reasonRequiredFor.includes(decision) ? { comment: `Reason for ${decision}` } : {}), ...(data ? { data } : {}) };
}
