import type { Partnership } from '../domain/partnership';
import { checkedAgainstWorkflows } from './index';
import type { Env } from './env';
import { bundledPartnershipFile, ConfigError, loadPartnership } from './partnership';
import { demonstrationKeysIn } from './safety';
import { isLocalRun } from './web';

export interface PeopleChange {
  added: number;
  removed: number;
  changed: number;
  /** Sections that changed in the file but wait for a restart (policies, retention, the calendar). */
  waitingForRestart: string[];
}

/**
 * Re-reads the partnership file (the API, on SIGHUP): people and their keys take effect at once,
 * so someone who leaves loses access and a new colleague or a new key works without a restart.
 * A file that is not valid, holds a demonstration key outside a local run, or changes the
 * partners is refused whole (ConfigError) and the people in force stay. Policies, retention and
 * the calendar are versioned on every decision record, so they change only with a restart of the
 * API and the worker; the worker assigns tasks from the people it started with until then.
 */
export function reloadPeople(running: Partnership, env: Env): PeopleChange {
  const file = env.JCO_CONFIG ?? bundledPartnershipFile;
  const next = checkedAgainstWorkflows(loadPartnership(file), file);
  if (!isLocalRun(env)) {
    const demo = demonstrationKeysIn(next);
    if (demo.length) throw new ConfigError(file, demo.map((d) => ({ path: d.setting.replace(/^JCO_CONFIG /, ''), message: d.problem })));
  }
  if (JSON.stringify(next.partners) !== JSON.stringify(running.partners) || next.partnership.id !== running.partnership.id)
    throw new ConfigError(file, [{ path: 'partners', message: 'the partnership or its partners changed: restart the API and the worker to apply that' }]);
  const before = new Map(running.people.map((p) => [p.id, JSON.stringify(p)]));
  const after = new Set(next.people.map((p) => p.id));
  const change: PeopleChange = {
    added: next.people.filter((p) => !before.has(p.id)).length,
    removed: running.people.filter((p) => !after.has(p.id)).length,
    changed: next.people.filter((p) => before.has(p.id) && before.get(p.id) !== JSON.stringify(p)).length,
    waitingForRestart: (['partnership', 'policies', 'retention'] as const).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(running[k])),
  };
  // One assignment: every request after this one sees the new people (api/auth.ts, sessions, pages).
  running.people = next.people;
  return change;
}
