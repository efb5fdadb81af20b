import type { HopaeEnvironment } from '../lib/hopae-secret-rotation';

/** The context keys the app reads (defaults live in cdk.json; override with `-c key=value`). */
export const CONTEXT_KEYS = {
  environment: 'hopae:environment',
  workspaceKeySecret: 'hopae:workspaceKeySecret',
  appSecrets: 'hopae:appSecrets',
  rotationDays: 'hopae:rotationDays',
} as const;

export interface AppContext {
  readonly stackName: string;
  readonly environment: HopaeEnvironment;
  readonly workspaceKeySecret: string;
  readonly appSecrets: string[];
  readonly rotationDays: number;
}

/** Thrown when a context value is missing or malformed; the message names the context key. */
export class AppContextError extends Error {
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`Context ${key} ${detail}`);
    this.name = 'AppContextError';
  }
}

const DEFAULT_ROTATION_DAYS = 30;

/**
 * Reads and validates the app's context. Values from cdk.json keep their JSON types; values given
 * with `-c` arrive as strings, so lists may be comma-separated and numbers may be numeric strings.
 */
export function readAppContext(getContext: (key: string) => unknown): AppContext {
  const environment = readEnvironment(getContext(CONTEXT_KEYS.environment));
  return {
    stackName: environment === 'production' ? 'HopaeSecretRotation-production' : 'HopaeSecretRotation',
    environment,
    workspaceKeySecret: readSecretRef(getContext(CONTEXT_KEYS.workspaceKeySecret)),
    appSecrets: readSecretList(getContext(CONTEXT_KEYS.appSecrets)),
    rotationDays: readRotationDays(getContext(CONTEXT_KEYS.rotationDays)),
  };
}

function readEnvironment(value: unknown): HopaeEnvironment {
  if (value === 'sandbox' || value === 'production') return value;
  throw new AppContextError(CONTEXT_KEYS.environment, `must be 'sandbox' or 'production'; got ${describe(value)}`);
}

function readSecretRef(value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new AppContextError(CONTEXT_KEYS.workspaceKeySecret, `must be a secret name or ARN; got ${describe(value)}`);
}

function readSecretList(value: unknown): string[] {
  const key = CONTEXT_KEYS.appSecrets;
  let items: unknown[];
  if (Array.isArray(value)) {
    items = value;
  } else if (typeof value === 'string' && value.trim().startsWith('[')) {
    items = parseJsonArray(key, value);
  } else if (typeof value === 'string') {
    items = value.split(',');
  } else {
    throw new AppContextError(key, `must be a JSON array or a comma-separated list of secret names or ARNs; got ${describe(value)}`);
  }
  const refs = items.map((item) => {
    if (typeof item !== 'string' || item.trim() === '') {
      throw new AppContextError(key, `must list only non-empty secret names or ARNs; got ${describe(item)}`);
    }
    return item.trim();
  });
  if (refs.length === 0) throw new AppContextError(key, 'must list at least one secret');
  const duplicate = refs.find((ref, index) => refs.indexOf(ref) !== index);
  if (duplicate !== undefined) throw new AppContextError(key, `lists ${duplicate} more than once`);
  return refs;
}

function parseJsonArray(key: string, text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppContextError(key, `looks like JSON but does not parse: ${text}`);
  }
  if (!Array.isArray(parsed)) throw new AppContextError(key, `must be a JSON array; got ${text}`);
  return parsed;
}

function readRotationDays(value: unknown): number {
  const key = CONTEXT_KEYS.rotationDays;
  if (value === undefined) return DEFAULT_ROTATION_DAYS;
  const days = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  // Secrets Manager rotates at most every 1000 days.
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 1000) {
    throw new AppContextError(key, `must be a whole number of days from 1 to 1000; got ${describe(value)}`);
  }
  return days;
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
