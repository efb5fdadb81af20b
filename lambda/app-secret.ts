import { createHash } from 'node:crypto';
import { clientIdProblem } from './client-id';
import { MalformedSecretError } from './errors';

/**
 * The rotated secret's value: `{"clientId": "...", "clientSecret": "..."}` plus any other fields,
 * which are carried unchanged into each new version. `clientSecret` may be absent before the first
 * rotation mints it.
 */
export interface AppSecret {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  /** Every field as stored, in order, so a new version keeps what it does not own. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * Parses a SecretString. `label` names the version in errors ("AWSCURRENT of arn:..."); the value
 * itself never appears in a message, since it holds a secret.
 */
export function parseAppSecret(secretString: string | undefined, label: string): AppSecret {
  if (secretString === undefined) {
    throw new MalformedSecretError(`${label} has no SecretString; store JSON like {"clientId": "HqTRDIYH"}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new MalformedSecretError(`${label} is not valid JSON; store JSON like {"clientId": "HqTRDIYH", "clientSecret": "..."}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedSecretError(`${label} is JSON but not an object; store {"clientId": "...", "clientSecret": "..."}`);
  }
  const fields = parsed as Record<string, unknown>;
  const { clientId, clientSecret } = fields;
  if (typeof clientId !== 'string' || clientId.trim() === '') {
    throw new MalformedSecretError(`${label} has no clientId: it needs a non-empty string "clientId" naming the Hopae app`);
  }
  const problem = clientIdProblem(clientId);
  if (problem !== undefined) {
    throw new MalformedSecretError(`${label} has a clientId that ${problem}; store the Hopae app's clientId (e.g. "HqTRDIYH")`);
  }
  if (clientSecret !== undefined && (typeof clientSecret !== 'string' || clientSecret === '')) {
    throw new MalformedSecretError(
      `${label} has a clientSecret that is not a non-empty string; remove the field to let the next rotation mint one`,
    );
  }
  return { clientId, clientSecret, fields };
}

/** The SecretString of the next version: the current fields with the new clientSecret. */
export function withClientSecret(current: AppSecret, clientSecret: string): string {
  return JSON.stringify({ ...current.fields, clientSecret });
}

/** Hopae's secrets are 64 characters; a value many times that long is not a secret Hopae issued. */
export const MAX_CLIENT_SECRET_LENGTH = 512;

/**
 * Why `value` cannot be a clientSecret Hopae issued (empty, too long, control characters or
 * whitespace, which a garbled answer may hold), or undefined when it is plausible. Never echoes it.
 */
export function clientSecretProblem(value: string): string | undefined {
  if (value === '') return 'an empty clientSecret';
  if (value.length > MAX_CLIENT_SECRET_LENGTH) return `a clientSecret longer than ${MAX_CLIENT_SECRET_LENGTH} characters (${value.length})`;
  if (/[\s\p{Cc}]/u.test(value)) return 'a clientSecret with control characters or whitespace';
  return undefined;
}

/** Secrets Manager stores at most this many bytes in one SecretString. */
export const MAX_SECRET_STRING_BYTES = 65_536;

/**
 * The most bytes the next version can take: the current fields with the longest clientSecret
 * accepted from Hopae, every character of it escaped in JSON. Checked before Hopae is called,
 * because an answer that cannot be stored afterwards leaves the app without a usable secret.
 */
export function largestNextVersionBytes(current: AppSecret): number {
  return Buffer.byteLength(withClientSecret(current, '"'.repeat(MAX_CLIENT_SECRET_LENGTH)), 'utf8');
}

/** Hopae documents clientSecrets as 64 hex characters; other shapes are accepted with a warning. */
export function looksLikeHopaeSecret(value: string): boolean {
  return /^[0-9a-f]{64}$/i.test(value);
}

/** The most a log may show of a secret: 8 hex characters of its SHA-256. */
export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}
