import { DISPUTE_TASK_KINDS } from './dispute';
import { LIFECYCLE_TASK_KINDS } from './lifecycle';
import type { Task } from './task';

/**
 * High-stakes decisions: the award (it commits the partners' money to a provider), the stage gates
 * (each commits the partners to the next stage of a procurement), and the accountable officers'
 * resolution of a dispute (final and binding on the partners). An emailed link is a bearer
 * credential: anyone the email is forwarded to holds it. So these need the person signed in
 * before they decide through a link; every other decision stays one click by link.
 */
const highStakesKinds: ReadonlySet<string> = new Set([
  LIFECYCLE_TASK_KINDS.award,
  LIFECYCLE_TASK_KINDS.stageGate,
  DISPUTE_TASK_KINDS.officersPropose,
  DISPUTE_TASK_KINDS.officersRespond,
]);

export const isHighStakes = (task: Pick<Task, 'kind'>): boolean => highStakesKinds.has(task.kind);

/**
 * Whether a decision through an emailed link may go ahead, given who (if anyone) is signed in to
 * the web service in the same browser: `not-needed` (one click), `signed-in` (the person the link
 * was for), `sign-in-first`, or `someone-else` (signed in as another person: refused).
 */
export function stepUpThroughLink(task: Pick<Task, 'kind'>, linkPerson: string, signedInAs: string | undefined): 'not-needed' | 'signed-in' | 'sign-in-first' | 'someone-else' {
  if (!isHighStakes(task)) return 'not-needed';
  if (signedInAs === undefined) return 'sign-in-first';
  return signedInAs === linkPerson ? 'signed-in' : 'someone-else';
}
