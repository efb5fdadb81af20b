/**
 * Finds secrets in captured output, also when encoded: a log line that holds the Basic
 * Authorization header (base64 of "clientId:clientSecret"), a secret in base64 or upper case, or
 * the first half of one leaks as surely as the exact string.
 */

/** A secret and, for a clientSecret, the app it belongs to (for the Basic credentials form). */
export interface KnownSecret {
  readonly value: string;
  readonly clientId?: string;
}

// A prefix this long of a 64-character secret is a leak; shorter runs (an 8-character fingerprint) are not.
const PREFIX_LENGTH = 16;
// Public beginnings of secret values: the workspace key's documented prefix, our RotationToken tag.
const PUBLIC_PREFIX = /^(sk_workspace_(test|live)_|rt-)/;

/** Every form in which `secret` must not appear. */
export function encodedForms(secret: KnownSecret): string[] {
  const { value, clientId } = secret;
  const forms = new Set<string>([value, base64(value), base64url(value), value.toUpperCase()]);
  // The prefix of the random part: "sk_workspace_test_" is in every key and in error messages.
  const random = value.replace(PUBLIC_PREFIX, '');
  if (random.length >= 2 * PREFIX_LENGTH) forms.add(random.slice(0, PREFIX_LENGTH));
  if (clientId !== undefined) {
    forms.add(base64(`${clientId}:${value}`));
    forms.add(base64url(`${clientId}:${value}`));
  }
  return [...forms];
}

/** How many of `secrets` appear in `text` in any of their forms (each secret counted once). */
export function countLeaks(text: string, secrets: readonly KnownSecret[]): number {
  return secrets.filter((secret) => encodedForms(secret).some((form) => text.includes(form))).length;
}

function base64(text: string): string {
  // Without padding: a base64 string embedded in a longer one keeps its characters, not its "=".
  return Buffer.from(text, 'utf8').toString('base64').replace(/=+$/, '');
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
