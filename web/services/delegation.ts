import type { ApiContext } from '../../api/context';
import { HttpProblem } from '../../api/problem';
import { currentDelegationOf, delegationHistoryOf } from '../../db/delegations';
import { inForceAt, type DelegationRecord } from '../../domain/delegation';
import type { Person } from '../../domain/partnership';
import { personName } from './words';

const ids = ['deputy', 'from', 'to'] as const;

/**
 * The delegation form read into the body of PUT /api/v1/people/me/delegation (dates as UK days:
 * from the start of the first to the end of the last). Empty fields are said in words here; the
 * API's schema and rules judge everything else.
 */
export function delegationRequestFrom(form: Record<string, unknown>): { body: Record<string, string>; errors: { path: string; message: string }[] } {
  const text = (k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');
  const body = { deputy: text('deputy'), from: text('from'), to: text('to') };
  const errors = [
    ...(body.deputy ? [] : [{ path: 'deputy', message: 'Choose your deputy' }]),
    ...(body.from ? [] : [{ path: 'from', message: 'Enter the first day of the cover' }]),
    ...(body.to ? [] : [{ path: 'to', message: 'Enter the last day of the cover' }]),
  ];
  return { body, errors };
}

/** A refusal beside its field and in the error summary; a rule with no field is about the deputy. */
export function delegationErrors(err: HttpProblem | { path: string; message: string }[]) {
  const list = Array.isArray(err) ? err : err.errors?.length ? err.errors : [{ path: 'deputy', message: err.detail }];
  const fields: Record<string, string> = {};
  const summary = list.map((e) => {
    const id = ids.find((f) => e.path.startsWith(f)) ?? 'deputy';
    const text = /^Invalid|expected/i.test(e.message) ? (id === 'deputy' ? 'Choose your deputy' : 'Enter a real date') : e.message.charAt(0).toUpperCase() + e.message.slice(1);
    fields[id] = fields[id] ? `${fields[id]} ${text}` : text;
    return { text, href: `#${id}` };
  });
  return { summary, fields };
}

const statusOf = (d: DelegationRecord, now: string): string =>
  d.status === 'revoked' ? 'Revoked' : d.status === 'replaced' ? 'Replaced' : inForceAt(d, now) ? 'In force' : d.from > now ? 'Starts later' : 'Ended';

/** The delegation page: the one in force or due, the colleagues one may name, and every delegation given or received. */
export async function delegationPage(ctx: ApiContext, person: Person, now = new Date().toISOString()) {
  const p = ctx.partnership;
  const current = await currentDelegationOf(ctx.database.db, person.id, now);
  const history = await delegationHistoryOf(ctx.database.db, person.id);
  return {
    current: current ? { deputy: personName(p, current.deputy), from: current.from, to: current.to, status: statusOf(current, now) } : undefined,
    // Colleagues of the person's own partner; the API's rule says whether one may be the deputy.
    colleagues: p.people.filter((x) => x.partner === person.partner && x.id !== person.id).map((x) => ({ id: x.id, name: x.name })),
    history: history.map((d) => ({
      given: d.principal === person.id,
      other: personName(p, d.principal === person.id ? d.deputy : d.principal),
      from: d.from,
      to: d.revokedAt && d.revokedAt < d.to ? d.revokedAt : d.to,
      status: statusOf(d, now),
    })),
  };
}
