import { createHash } from 'node:crypto';
import { type Node, parseTree } from 'jsonc-parser';
import { clientIdProblem } from './client-id';
import { MalformedSecretError } from './errors';

/**
 * The rotated secret's value: `{"clientId": "...", "clientSecret": "..."}` plus any other fields.
 * A new version is the stored text with only the clientSecret's value replaced (or, before the
 * first rotation mints it, added at the end), so every other byte is carried exactly: numbers a
 * JavaScript parse would round, escapes, key order, whitespace and duplicate keys of other fields.
 */
export interface AppSecret {
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  /** The SecretString as stored. */
  readonly text: string;
  /** Where the clientSecret's value sits in `text`, or where a new member goes when there is none. */
  readonly clientSecretSpan: { readonly start: number; readonly end: number; readonly present: boolean };
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
  const { clientId, clientSecret } = parsed as Record<string, unknown>;
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
  return { clientId, clientSecret, text: secretString, clientSecretSpan: locateClientSecret(secretString, label) };
}

/**
 * The top-level members of a text JSON.parse accepted, by their decoded keys (an escaped key such as
 * "client\u0053ecret" is the clientSecret too). A repeated clientId or clientSecret is refused: which
 * of the two an application reads depends on its JSON parser, so no new version could be right.
 */
function locateClientSecret(text: string, label: string): AppSecret['clientSecretSpan'] {
  const root = parseTree(text, [], { disallowComments: true, allowTrailingComma: false }) as Node;
  const members = (root.children ?? []).map((property) => ({ key: property.children![0]!.value as string, value: property.children![1]! }));
  for (const key of ['clientId', 'clientSecret']) {
    if (members.filter((member) => member.key === key).length > 1) {
      throw new MalformedSecretError(`${label} has the key "${key}" more than once: applications may read either one; keep only one, then rotate again`);
    }
  }
  const secret = members.find((member) => member.key === 'clientSecret');
  if (secret) return { start: secret.value.offset, end: secret.value.offset + secret.value.length, present: true };
  const last = members[members.length - 1]!.value;
  return { start: last.offset + last.length, end: last.offset + last.length, present: false };
}

/**
 * The SecretString of the next version: the stored text with only the clientSecret's value
 * replaced, or `,"clientSecret":"..."` added after the last member when it had none.
 */
export function withClientSecret(current: AppSecret, clientSecret: string): string {
  const { start, end, present } = current.clientSecretSpan;
  const value = JSON.stringify(clientSecret);
  return `${current.text.slice(0, start)}${present ? value : `,"clientSecret":${value}`}${current.text.slice(end)}`;
}

/** Hopae's secrets are 64 characters; a value many times that long is not a secret Hopae issued. */
export const MAX_CLIENT_SECRET_LENGTH = 512;

// Characters no issued secret holds and a garbled answer may: control characters, whitespace of any
// kind, and invisible ones (format characters such as a zero-width space, and every other default-
// ignorable code point: variation selectors, fillers). Lone surrogates cannot even be stored intact.
const GARBLED_CHARACTERS = /[\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}]/u;

/**
 * Why `value` cannot be a clientSecret Hopae issued, or undefined when it is plausible. Hopae
 * documents 64 hex characters; an answer is garbled (replayed, never stored) when it is empty,
 * over MAX_CLIENT_SECRET_LENGTH, or holds a control, whitespace or invisible character. Any other
 * shape is stored, with a warning (looksLikeHopaeSecret). Never echoes the value.
 */
export function clientSecretProblem(value: string): string | undefined {
  if (value === '') return 'an empty clientSecret';
  if (value.length > MAX_CLIENT_SECRET_LENGTH) return `a clientSecret longer than ${MAX_CLIENT_SECRET_LENGTH} characters (${value.length})`;
  if (GARBLED_CHARACTERS.test(value)) return 'a clientSecret with control, whitespace or invisible characters';
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
