/**
 * What makes a string usable as a Hopae clientId: one URL path segment, sent as
 * /apps/{clientId}/rotate-client-secret. encodeURIComponent keeps "." and "..", and a URL
 * resolves them (".." would send the workspace key to POST /connect/v1/rotate-client-secret), so
 * they are refused, with the other values no Hopae app can have. Shared by the function, the
 * construct's `clientIds` and the CLI, so all three refuse the same values with the same words.
 */
export const MAX_CLIENT_ID_LENGTH = 255;

/** Why `value` cannot be a clientId, or undefined when it can. Never echoes the value. */
export function clientIdProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value === '.' || value === '..') return `is "${value}", which a URL path resolves instead of sending`;
  if (value.length > MAX_CLIENT_ID_LENGTH) return `is longer than ${MAX_CLIENT_ID_LENGTH} characters (${value.length})`;
  if (/[\s\p{Cc}]/u.test(value)) return 'contains whitespace or control characters';
  return undefined;
}
