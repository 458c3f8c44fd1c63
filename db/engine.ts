export type Engine = 'sqlite' | 'postgres';

/** `postgres://…` names a PostgreSQL server; anything else (or nothing) the embedded file. */
export function engineOf(url: string | undefined): Engine {
  return url && /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}
