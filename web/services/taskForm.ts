import type { FormField } from '../../domain/taskData';

/** A form field as the template shows it: the one definition plus an HTML id made from its path. */
export type FieldView = FormField & { id: string; name: string };

/** The names the POST rebuilds the decision's data from (`data.<path>`, read by dataFromForm). */
export const fieldName = (f: FormField): string => `data.${f.path.join('.')}`;

export function fieldViews(fields: FormField[] | undefined): FieldView[] {
  return (fields ?? []).map((f) => ({ ...f, name: fieldName(f), id: fieldName(f).replace(/[^a-zA-Z0-9-]/g, '-') }));
}

/** What the person typed, to show again after a refusal: strings only, each bounded. */
export function echoedValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (typeof v === 'string' && k.length <= 200) out[k] = v.slice(0, 10_000);
  return out;
}

/** Consecutive fields of the same group, together (a bidder's scores and reasons); fields of no group each stand alone. */
export function fieldSections<F extends { group?: string | undefined }>(fields: F[] | undefined): { group?: string | undefined; fields: F[] }[] {
  const out: { group?: string | undefined; fields: F[] }[] = [];
  for (const f of fields ?? []) {
    const last = out.at(-1);
    if (last && f.group && last.group === f.group) last.fields.push(f);
    else out.push({ group: f.group, fields: [f] });
  }
  return out;
}
