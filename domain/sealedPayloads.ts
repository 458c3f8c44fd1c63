/**
 * What a payload not sealed with the partnership's key decodes to (codec/payloadEncryption.ts):
 * a value, not an error, so the workflow refuses it in words instead of failing its task again and
 * again. Here, in domain/, because the workflows recognise it (workflows/interceptors.ts).
 */
export const UNSEALED_PAYLOAD = {
  refused: "This did not come through the service: it is not sealed with the partnership's payload key, so it is refused.",
} as const;

export function isUnsealed(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { refused?: unknown }).refused === UNSEALED_PAYLOAD.refused;
}
