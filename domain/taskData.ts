import { z } from 'zod';

/**
 * Schemas a task's `data` must satisfy, by name. Workflow state holds the name (a schema is
 * code, not data), and the same schema checks the data in the validator and documents it.
 */
export const taskDataSchemas: Record<string, z.ZodType> = {
  none: z.undefined(),
};

export function checkTaskData(name: string | undefined, data: unknown): string | undefined {
  if (!name) return undefined;
  const schema = taskDataSchemas[name];
  if (!schema) return `the task expects data of an unknown kind "${name}"`;
  const r = schema.safeParse(data);
  return r.success ? undefined : r.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
}
