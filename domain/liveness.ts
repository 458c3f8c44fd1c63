/**
 * What an open case waits on. A case that waits on nothing is stranded: nobody is asked, no date
 * will move it, and nobody notices. Every workflow about a subject answers this, the API shows it
 * on each subject (`waitingOn`), and the tests assert it after every step.
 */
export type WaitingOn =
  /** An open task: who is asked (assignees, deputies included) and by when. */
  | { kind: 'task'; taskId: string; title: string; people: string[]; dueAt: string; awaiting?: { party: string; people: string[] }[] }
  /** A date the workflow acts on by itself (a panel meeting, the end of standstill, a review). */
  | { kind: 'date'; at: string; for: string }
  /** Something named people do outside a task, through the API (set up the panel, say). */
  | { kind: 'action'; people: string[]; for: string }
  /** Another case this one waits for (a dispute, an evaluation panel), which has its own waits. */
  | { kind: 'subject'; subjectId: string; for: string }
  /** The system itself, briefly: a record write or an email in flight. */
  | { kind: 'system'; for: string };

export interface Liveness {
  /** False once the case has ended: it waits on nothing, rightly. */
  open: boolean;
  waitingOn: WaitingOn[];
}

/**
 * Why a case is stranded, in words, or undefined when it is live: open, and waiting on at least
 * one person who exists or on a date. `people` are everyone the partnership file names.
 */
export function strandedBecause(l: Liveness, people: ReadonlySet<string>): string | undefined {
  if (!l.open) return undefined;
  const lasting = l.waitingOn.filter((w) => w.kind !== 'system');
  if (lasting.length === 0) return 'the case is open but waits on no task, no person and no date';
  for (const w of lasting) {
    if (w.kind !== 'task' && w.kind !== 'action') continue;
    const what = w.kind === 'task' ? w.title : w.for;
    if (!w.people.some((p) => people.has(p))) return `"${what}" asks nobody who exists (${w.people.join(', ') || 'no one'})`;
    const unasked = w.kind === 'task' ? w.awaiting?.find((a) => !a.people.some((p) => people.has(p))) : undefined;
    if (unasked) return `"${what}" waits on ${unasked.party}, where it asks nobody who exists`;
  }
  return undefined;
}
