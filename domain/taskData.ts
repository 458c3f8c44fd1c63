import { z } from 'zod';
import { splitSchema } from './referral';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD');

/**
 * Schemas a task's `data` must satisfy, by name. Workflow state holds the name (a schema is
 * code, not data), and the same schema checks the data in the validator and documents it.
 */
export const taskDataSchemas: Record<string, z.ZodType> = {
  none: z.undefined(),
};

/**
 * Schemas that depend on the option chosen: agreeing needs no data, proposing another split
 * needs the split. An option not listed takes no data.
 */
export const optionDataSchemas: Record<string, Record<string, z.ZodType>> = {
  'referral-position': {
    agree: z.undefined(),
    propose: z.object({ split: splitSchema }).strict(),
  },
  'referral-panel': {
    approve: z.object({ startDate: isoDate }).strict().optional(),
    'approve-with-conditions': z.object({ startDate: isoDate }).strict().optional(),
    defer: z.object({ returnDate: isoDate }).strict(),
  },
  'referral-review': {
    change: z
      .object({ split: splitSchema.optional(), annualCost: z.number().positive('the annual cost is more than zero').optional() })
      .strict()
      .refine((c) => c.split !== undefined || c.annualCost !== undefined, 'a change gives a new split, a new annual cost, or both'),
  },
};

/** What to send, in words, when an option's data is missing (an emailed form carries none). */
const dataHints: Record<string, string> = {
  'referral-position.propose': 'proposing another split needs it as data, {"split": {"<partner id>": <percent>, ...}}, through the API (POST /api/v1/tasks/{id}/decision)',
  'referral-panel.defer': 'deferring needs the return date as data, {"returnDate": "YYYY-MM-DD"}, through the API (POST /api/v1/tasks/{id}/decision)',
  'referral-review.change': 'a change needs the new split or annual cost as data, {"split": {...}, "annualCost": <GBP>}, through the API (POST /api/v1/tasks/{id}/decision)',
};

export function checkTaskData(name: string | undefined, data: unknown, option?: string): string | undefined {
  if (!name) return undefined;
  const byOption = optionDataSchemas[name];
  const schema = byOption ? (byOption[option ?? ''] ?? z.undefined()) : taskDataSchemas[name];
  if (!schema) return `the task expects data of an unknown kind "${name}"`;
  const hint = dataHints[`${name}.${option}`];
  if (data === undefined && hint && !schema.safeParse(undefined).success) return hint;
  const r = schema.safeParse(data);
  return r.success ? undefined : r.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
}
