import { HopaeEnvironment } from '../lib/environment';

/** The context keys the app reads (defaults live in cdk.json; override with `-c key=value`). */
export const CONTEXT_KEYS = {
  environment: 'hopae:environment',
  workspaceKeySecret: 'hopae:workspaceKeySecret',
  appSecrets: 'hopae:appSecrets',
  clientIds: 'hopae:clientIds',
  rotationDays: 'hopae:rotationDays',
  scheduleExpression: 'hopae:scheduleExpression',
  rotationWindowHours: 'hopae:rotationWindowHours',
  alarmEmail: 'hopae:alarmEmail',
  runbookUrl: 'hopae:runbookUrl',
  appStackCount: 'hopae:appStackCount',
  refreshOnRotation: 'hopae:refreshOnRotation',
} as const;

export interface AppContext {
  readonly stackName: string;
  readonly environment: HopaeEnvironment;
  readonly workspaceKeySecret: string;
  /** Existing app secrets, by name or ARN. */
  readonly appSecrets: string[];
  /** Apps whose secret the stack creates. */
  readonly clientIds: string[];
  /** Days between rotations; absent: the construct spreads the secrets' schedules. */
  readonly rotationDays?: number;
  /** A cron(...) expression; when set it replaces rotationDays. */
  readonly scheduleExpression?: string;
  readonly rotationWindowHours?: number;
  readonly alarmEmail?: string;
  readonly runbookUrl?: string;
  /** How many app stacks hold the per-app resources; keep it once deployed. */
  readonly appStackCount?: number;
  /** ECS services (long ARNs) to redeploy after each rotation, by app (an appSecrets entry or a clientId). */
  readonly refreshOnRotation?: Record<string, string[]>;
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

/**
 * Reads and validates the app's context. Values from cdk.json keep their JSON types; values given
 * with `-c` arrive as strings, so lists may be comma-separated and numbers may be numeric strings.
 */
export function readAppContext(getContext: (key: string) => unknown): AppContext {
  const environment = readEnvironment(getContext(CONTEXT_KEYS.environment));
  const appSecrets = readList(CONTEXT_KEYS.appSecrets, getContext(CONTEXT_KEYS.appSecrets), 'secret names or ARNs');
  const clientIds = readList(CONTEXT_KEYS.clientIds, getContext(CONTEXT_KEYS.clientIds), 'clientIds');
  if (appSecrets.length === 0 && clientIds.length === 0) {
    throw new AppContextError(
      CONTEXT_KEYS.appSecrets,
      `or ${CONTEXT_KEYS.clientIds} must name at least one app: pass -c ${CONTEXT_KEYS.clientIds}=<clientId>[,...] (creates their secrets) or -c ${CONTEXT_KEYS.appSecrets}=<secret name or ARN>[,...] (attaches existing secrets)`,
    );
  }
  return {
    stackName: environment === HopaeEnvironment.PRODUCTION ? 'HopaeSecretRotation-production' : 'HopaeSecretRotation',
    environment,
    workspaceKeySecret: readSecretRef(getContext(CONTEXT_KEYS.workspaceKeySecret)),
    appSecrets,
    clientIds,
    ...optional('rotationDays', readWholeNumber(CONTEXT_KEYS.rotationDays, getContext(CONTEXT_KEYS.rotationDays), 1, 1000, 'days')),
    ...optional('scheduleExpression', readCron(getContext(CONTEXT_KEYS.scheduleExpression))),
    ...optional('rotationWindowHours', readWholeNumber(CONTEXT_KEYS.rotationWindowHours, getContext(CONTEXT_KEYS.rotationWindowHours), 1, 24, 'hours')),
    ...optional('alarmEmail', readOptionalString(CONTEXT_KEYS.alarmEmail, getContext(CONTEXT_KEYS.alarmEmail))),
    ...optional('runbookUrl', readOptionalString(CONTEXT_KEYS.runbookUrl, getContext(CONTEXT_KEYS.runbookUrl))),
    ...optional('appStackCount', readWholeNumber(CONTEXT_KEYS.appStackCount, getContext(CONTEXT_KEYS.appStackCount), 1, 200, 'stacks')),
    ...optional('refreshOnRotation', readRefreshOnRotation(getContext(CONTEXT_KEYS.refreshOnRotation), [...appSecrets, ...clientIds])),
  };
}

// ECS's service ARN with the cluster in it (the long format): the cluster is what UpdateService needs.
const SERVICE_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service\/[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/;

/**
 * `{"<app>": ["<service ARN>", ...], ...}`, as a JSON object (cdk.json) or its text (-c); each app
 * one of appSecrets (as given) or clientIds.
 */
function readRefreshOnRotation(value: unknown, apps: readonly string[]): Record<string, string[]> | undefined {
  const key = CONTEXT_KEYS.refreshOnRotation;
  if (value === undefined || value === '') return undefined;
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new AppContextError(key, `must be a JSON object of app to ECS service ARNs, e.g. {"hopae/apps/HqTRDIYH":["arn:aws:ecs:eu-central-1:123456789012:service/payments/api"]}; got ${value}`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AppContextError(key, `must be a JSON object of app to ECS service ARNs; got ${describe(parsed)}`);
  }
  const result: Record<string, string[]> = {};
  for (const [app, services] of Object.entries(parsed)) {
    if (!apps.includes(app)) {
      throw new AppContextError(key, `names ${app}, which is not in ${CONTEXT_KEYS.appSecrets} or ${CONTEXT_KEYS.clientIds}: list it there too (as given there), or remove it`);
    }
    if (!Array.isArray(services) || services.length === 0) throw new AppContextError(key, `must list at least one ECS service ARN for ${app}; got ${describe(services)}`);
    for (const service of services) {
      if (typeof service !== 'string' || !SERVICE_ARN.test(service)) {
        throw new AppContextError(key, `for ${app}: ${describe(service)} is not an ECS service ARN with its cluster, arn:aws:ecs:<region>:<account>:service/<cluster>/<name>`);
      }
    }
    result[app] = services as string[];
  }
  return result;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function readEnvironment(value: unknown): HopaeEnvironment {
  if (value === 'sandbox' || value === 'production') return HopaeEnvironment.of(value);
  throw new AppContextError(CONTEXT_KEYS.environment, `must be 'sandbox' or 'production'; got ${describe(value)}`);
}

function readSecretRef(value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new AppContextError(CONTEXT_KEYS.workspaceKeySecret, `must be a secret name or ARN; got ${describe(value)}`);
}

/** A JSON array, a JSON array in a string, or a comma-separated string; absent or empty is []. */
function readList(key: string, value: unknown, what: string): string[] {
  let items: unknown[];
  if (value === undefined || value === '') return [];
  if (Array.isArray(value)) {
    items = value;
  } else if (typeof value === 'string' && value.trim().startsWith('[')) {
    items = parseJsonArray(key, value);
  } else if (typeof value === 'string') {
    items = value.split(',');
  } else {
    throw new AppContextError(key, `must be a JSON array or a comma-separated list of ${what}; got ${describe(value)}`);
  }
  const refs = items.map((item) => {
    if (typeof item !== 'string' || item.trim() === '') {
      throw new AppContextError(key, `must list only non-empty ${what}; got ${describe(item)}`);
    }
    return item.trim();
  });
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

function readWholeNumber(key: string, value: unknown, min: number, max: number, unit: string): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new AppContextError(key, `must be a whole number of ${unit} from ${min} to ${max}; got ${describe(value)}`);
  }
  return number;
}

function readCron(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.trim().startsWith('cron(')) return value.trim();
  throw new AppContextError(CONTEXT_KEYS.scheduleExpression, `must be a cron(...) expression (use ${CONTEXT_KEYS.rotationDays} for a rate); got ${describe(value)}`);
}

function readOptionalString(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new AppContextError(key, `must be a non-empty string; got ${describe(value)}`);
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
