import { z } from 'zod';
import { lazy } from './lazy';
import { splitSchema } from './referral';
import { DATE_BOUNDS_MESSAGE, withinDateBounds } from './calendar';

const isoDate = lazy(() => z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD').refine(withinDateBounds, { message: DATE_BOUNDS_MESSAGE }));

/** A dispute's outcome as its parent reads it: the partner who leads, or the split (DOMAIN.md section 4). */
const leadChoice = lazy(() => z.object({ leadPartner: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'choose one of the partners') }).strict());
const splitChoice = lazy(() => z.object({ split: splitSchema() }).strict());
const noChoice = (what: string) => z.undefined({ message: `${what} takes no choice: leave it empty, or choose an option that proposes or resolves` });
const noData = lazy(() => z.undefined());

/**
 * Schemas a task's `data` must satisfy, by name. Workflow state holds the name (a schema is
 * code, not data), and the same schema checks the data in the validator and documents it.
 * Each is built when a decision on such a task is first checked (domain/lazy.ts says why).
 */
const taskDataSchemas: Record<string, () => z.ZodType> = {
  none: noData,
};

/**
 * Schemas that depend on the option chosen: agreeing needs no data, proposing another split
 * needs the split. An option not listed takes no data.
 */
const optionDataSchemas: Record<string, () => Record<string, z.ZodType>> = {
  'referral-position': lazy(() => ({
    agree: z.undefined({ message: 'agreeing takes no split: leave the shares empty, or choose propose' }),
    propose: z.object({ split: splitSchema() }).strict(),
  })),
  'referral-panel': lazy(() => ({
    approve: z.object({ startDate: isoDate() }).strict().optional(),
    'approve-with-conditions': z.object({ startDate: isoDate() }).strict().optional(),
    defer: z.object({ returnDate: isoDate() }).strict(),
  })),
  // The options that settle a lead-partner dispute carry the partner chosen; the others none.
  'dispute-lead': lazy(() => ({
    accept: noChoice('accepting'),
    escalate: noChoice('escalating'),
    'final-decision-required': noChoice('recording that a final decision is required'),
    'counter-propose': leadChoice(),
    propose: leadChoice(),
    resolve: leadChoice(),
  })),
  // The same for a split dispute: the split in full.
  'dispute-split': lazy(() => ({
    accept: noChoice('accepting'),
    escalate: noChoice('escalating'),
    'final-decision-required': noChoice('recording that a final decision is required'),
    'counter-propose': splitChoice(),
    propose: splitChoice(),
    resolve: splitChoice(),
  })),
  'referral-review': lazy(() => ({
    change: z
      .object({ split: splitSchema().optional(), annualCost: z.number().positive('the annual cost is more than zero').optional() })
      .strict()
      .refine((c) => c.split !== undefined || c.annualCost !== undefined, 'a change gives a new split, a new annual cost, or both'),
  })),
};

/** What to send, in words, when an option's data is missing (an emailed form carries none). */
const dataHints: Record<string, string> = {
  'referral-position.propose': 'proposing another split needs each partner\'s share: fill them in on the page, or send data {"split": {"<partner id>": <percent>, ...}} through the API',
  'referral-panel.defer': 'deferring needs the return date: fill it in on the page, or send data {"returnDate": "YYYY-MM-DD"} through the API',
  ...Object.fromEntries(
    ['counter-propose', 'propose', 'resolve'].flatMap((o) => [
      [`dispute-lead.${o}`, 'this needs the partner who leads: choose it on the page, or send data {"leadPartner": "<partner id>"} through the API'],
      [`dispute-split.${o}`, 'this needs each partner\'s share: fill them in on the page, or send data {"split": {"<partner id>": <percent>, ...}} through the API'],
    ]),
  ),
  'referral-review.change': 'a change needs the new shares or annual cost: fill them in on the page, or send data {"split": {...}, "annualCost": <GBP>} through the API',
};

/**
 * One input a decision's `data` carries, when the data depends on the task (a score for each
 * bidder and criterion). `path` names where the value sits in `data`; the emailed page renders
 * the same fields, so both channels are checked by one rule.
 */
export interface FormField {
  path: string[];
  label: string;
  type: 'integer' | 'text' | 'choice' | 'date';
  required: boolean;
  min?: number;
  max?: number;
  choices?: { value: string; label: string }[];
  hint?: string;
  /** Consecutive fields with the same group are shown together under it (a bidder's scores); layout only, never a rule. */
  group?: string;
}

export function checkTaskData(name: string | undefined, data: unknown, fields?: FormField[], option?: string): string | undefined {
  // Where the data depends on the option, its schema is the rule; the fields only lay out the page.
  if (fields && !(name && optionDataSchemas[name])) return checkForm(fields, data);
  if (!name) return undefined;
  const byOption = optionDataSchemas[name]?.();
  const schema = byOption ? (byOption[option ?? ''] ?? noData()) : taskDataSchemas[name]?.();
  if (!schema) return `the task expects data of an unknown kind "${name}"`;
  const hint = dataHints[`${name}.${option}`];
  if (data === undefined && hint && !schema.safeParse(undefined).success) return hint;
  const r = schema.safeParse(data);
  if (!r.success) return r.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
  // The schema knows the shape; a choice the fields offer (the dispute's partners) is the task's own.
  return fields ? checkChoices(fields, data) : undefined;
}

/** A value given for a choice field is one of its choices. */
function checkChoices(fields: FormField[], data: unknown): string | undefined {
  const problems = fields
    .filter((f) => f.type === 'choice')
    .flatMap((f) => {
      const v = valueAt(data, f.path);
      if (v === undefined || (f.choices ?? []).some((c) => c.value === v)) return [];
      return [`${f.path.join('.')}: ${f.label} must be one of ${(f.choices ?? []).map((c) => c.value).join(', ')}`];
    });
  return problems.length ? problems.join('; ') : undefined;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function valueAt(data: unknown, path: string[]): unknown {
  let at: unknown = data;
  for (const key of path) {
    if (!isRecord(at)) return undefined;
    at = at[key];
  }
  return at;
}

/** Every value the fields ask for, in their types, and nothing they do not ask for. */
export function checkForm(fields: FormField[], data: unknown): string | undefined {
  const problems: string[] = [];
  if (data !== undefined && !isRecord(data)) return 'data: an object is expected';
  for (const f of fields) {
    const v = valueAt(data, f.path);
    const where = f.path.join('.');
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      if (f.required) problems.push(`${where}: ${f.label} is required`);
      continue;
    }
    if (f.type === 'integer' && !(typeof v === 'number' && Number.isInteger(v) && v >= (f.min ?? -Infinity) && v <= (f.max ?? Infinity))) {
      problems.push(`${where}: ${f.label} must be a whole number from ${f.min} to ${f.max}`);
    }
    if (f.type === 'text' && !(typeof v === 'string' && v.trim().length >= 3 && v.length <= 4000)) {
      problems.push(`${where}: ${f.label} must be written out (3 to 4,000 characters)`);
    }
    if (f.type === 'date' && !(typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && withinDateBounds(v))) {
      problems.push(`${where}: ${f.label} must be a date written YYYY-MM-DD, ${DATE_BOUNDS_MESSAGE}`);
    }
    if (f.type === 'choice' && !(typeof v === 'string' && (f.choices ?? []).some((c) => c.value === v))) {
      problems.push(`${where}: ${f.label} must be one of ${(f.choices ?? []).map((c) => c.value).join(', ')}`);
    }
  }
  const known = new Set(fields.map((f) => f.path.join('.')));
  const walk = (x: unknown, at: string[]): void => {
    if (isRecord(x)) for (const [k, v] of Object.entries(x)) walk(v, [...at, k]);
    else if (!known.has(at.join('.'))) problems.push(`${at.join('.')}: not asked for here`);
  };
  if (data !== undefined) walk(data, []);
  return problems.length ? problems.slice(0, 10).join('; ') : undefined;
}

/** Builds `data` from a submitted HTML form, whose inputs are named `data.<path>`. */
export function dataFromForm(fields: FormField[], body: Record<string, unknown>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const f of fields) {
    const raw = body[`data.${f.path.join('.')}`];
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    const value = f.type === 'integer' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    out ??= {};
    let at = out;
    for (const key of f.path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[f.path.at(-1)!] = value;
  }
  return out;
}
