import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { openApiDocument } from '../../api/openapi';

/**
 * Checks responses against the OpenAPI document the API serves: the end-to-end tests call this
 * on every JSON response they receive, so the document cannot drift from what the API sends.
 */
const ajv = new Ajv2020({ strict: false, allErrors: true });
const compiled = new Map<string, ValidateFunction | null>();
type Operation = { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> };

const templates = Object.keys(openApiDocument.paths).map((t) => ({
  template: t,
  pattern: new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

function validatorFor(method: string, path: string, status: number, contentType: string): ValidateFunction | null {
  const bare = path.split('?')[0]!;
  const match = templates.find((t) => t.pattern.test(bare));
  const key = `${method} ${match?.template} ${status} ${contentType}`;
  if (compiled.has(key)) return compiled.get(key)!;
  let v: ValidateFunction | null = null;
  const op = match && (openApiDocument.paths as Record<string, Record<string, Operation>>)[match.template]![method.toLowerCase()];
  const media = op?.responses[String(status)]?.content?.[contentType];
  if (media) {
    const ref = media.schema.$ref;
    const target = ref ? (openApiDocument.components.schemas as Record<string, object>)[ref.split('/').pop()!]! : media.schema;
    v = ajv.compile(target);
  } else if (match && !op?.responses[String(status)]) {
    throw new Error(`${method} ${bare} answered ${status}, which the OpenAPI document does not list for ${match.template}`);
  }
  compiled.set(key, v);
  return v;
}

export function checkAgainstContract(method: string, path: string, status: number, contentType: string | null, body: unknown): void {
  if (!path.startsWith('/api/v1/') || !contentType) return;
  const type = contentType.split(';')[0]!.trim();
  const v = validatorFor(method, path, status, type);
  if (v && !v(body)) {
    throw new Error(`${method} ${path} → ${status} does not match the OpenAPI document: ${ajv.errorsText(v.errors)}`);
  }
}
