import { createHash } from 'node:crypto';
import { roleGaps } from '../domain/askedRoles';
import type { Partnership } from '../domain/partnership';
import { readEnv, type Env } from './env';
import { bundledPartnershipFile, ConfigError, loadPartnership } from './partnership';
import { unsafeSettings } from './safety';
import { isLocalRun } from './web';

export { readEnv, requireSetting, DEFAULT_TASK_QUEUE, type Env } from './env';
export { loadPartnership, parsePartnership, ConfigError, bundledPartnershipFile } from './partnership';

export interface AppConfig {
  env: Env;
  partnership: Partnership;
  /** Digest of the policies and calendar in force, kept on every decision record. */
  policyVersion: string;
  /** The text behind `policyVersion`, kept in the record so the version can be read years later. */
  policyText: string;
}

/** The policies and calendar in force, as the text their version is the digest of. */
export function policyTextOf(p: Partnership): string {
  return JSON.stringify({ policies: p.policies, calendar: p.partnership.calendar, extra: p.partnership.extraHolidays });
}

export function policyVersionOf(p: Partnership): string {
  return createHash('sha256').update(policyTextOf(p)).digest('hex').slice(0, 12);
}

/**
 * The partnership file against what the workflows will ask (domain/askedRoles.ts): a role nobody
 * holds where a task would ask it is an error (ConfigError); one only some paths need, a warning.
 */
export function checkedAgainstWorkflows(partnership: Partnership, source: string): Partnership {
  const gaps = roleGaps(partnership);
  for (const w of gaps.filter((g) => g.level === 'warning')) console.warn(`${source}: warning: ${w.message}`);
  const errors = gaps.filter((g) => g.level === 'error');
  if (errors.length) throw new ConfigError(source, errors.map((e) => ({ path: 'people', message: e.message })));
  return partnership;
}

/**
 * Loads environment and partnership file, or prints every problem and exits non-zero. A serving
 * process (the API, the worker) outside a local run also refuses every unsafe setting
 * (config/safety.ts), naming each and what to do.
 */
export function loadConfigOrExit(source: NodeJS.ProcessEnv = process.env, opts: { serving?: 'api' | 'worker' } = {}): AppConfig {
  try {
    const env = readEnv(source);
    const partnership = checkedAgainstWorkflows(loadPartnership(env.JCO_CONFIG), env.JCO_CONFIG ?? bundledPartnershipFile);
    const unsafe = opts.serving && !isLocalRun(env) ? unsafeSettings(env, partnership) : [];
    if (unsafe.length)
      throw new Error(`The ${opts.serving} will not start with settings anyone could use (PUBLIC_BASE_URL is not this machine, or NODE_ENV=production):\n${unsafe.map((u) => `  - ${u.setting} ${u.problem}`).join('\n')}`);
    return { env, partnership, policyVersion: policyVersionOf(partnership), policyText: policyTextOf(partnership) };
  } catch (err) {
    console.error(err instanceof ConfigError || err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
