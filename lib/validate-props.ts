import { Duration, Token } from 'aws-cdk-lib';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { clientIdProblem } from '../lambda/client-id';
import { parseApiBaseUrl } from '../lambda/config';
import { HopaeSecretRotationPropsError } from './errors';
import { HOPAE_API_BASE_URLS, type HopaeSecretRotationProps } from './props';

// Below 30 s a Hopae call with retries plus the Secrets Manager write does not fit; Lambda's cap is 15 min.
const MIN_TIMEOUT = Duration.seconds(30);
const MAX_TIMEOUT = Duration.minutes(15);
const MIN_MEMORY_MB = 128;
const MAX_MEMORY_MB = 10_240;
// Below 10, Secrets Manager's invocations are throttled and the rotation loops.
const MIN_RESERVED_CONCURRENCY = 10;

/** The props error, its prop name checked against the props interface. */
export function propsError(prop: keyof HopaeSecretRotationProps, detail: string): HopaeSecretRotationPropsError {
  return new HopaeSecretRotationPropsError(prop, detail);
}

export function resolveApiBaseUrl(props: HopaeSecretRotationProps): string {
  const { environment, apiBaseUrl } = props;
  if (environment !== undefined && apiBaseUrl !== undefined) {
    throw propsError('environment', 'and apiBaseUrl are mutually exclusive; give only one');
  }
  if (environment !== undefined) {
    if (!Object.hasOwn(HOPAE_API_BASE_URLS, environment)) {
      throw propsError('environment', `must be 'sandbox' or 'production'; got '${String(environment)}'`);
    }
    return HOPAE_API_BASE_URLS[environment];
  }
  if (apiBaseUrl !== undefined) return validateApiBaseUrl(apiBaseUrl);
  throw propsError('environment', 'or apiBaseUrl is required; give exactly one');
}

/**
 * The function's own check (lambda/config.ts), plus https without the loopback exception: a
 * deployed function never talks to a local stand-in.
 */
export function validateApiBaseUrl(raw: string): string {
  // A deploy-time value (e.g. a parameter) cannot be checked here; the function checks it at start.
  if (Token.isUnresolved(raw)) return raw;
  let url: string;
  try {
    url = parseApiBaseUrl(raw);
  } catch (error) {
    throw propsError('apiBaseUrl', (error as Error).message.replace(/^HOPAE_API_BASE_URL /, ''));
  }
  if (!url.startsWith('https://')) {
    throw propsError('apiBaseUrl', `must use https; got '${raw}'`);
  }
  return url;
}

export function validateTimeout(timeout: Duration): Duration {
  if (timeout.isUnresolved()) return timeout;
  const ms = timeout.toMilliseconds();
  if (ms < MIN_TIMEOUT.toMilliseconds() || ms > MAX_TIMEOUT.toMilliseconds()) {
    throw propsError('timeout', `must be between 30 seconds and 15 minutes; got ${timeout.toHumanString()}`);
  }
  return timeout;
}

export function validateMemorySize(memorySize: number): number {
  if (Token.isUnresolved(memorySize)) return memorySize;
  if (!Number.isInteger(memorySize) || memorySize < MIN_MEMORY_MB || memorySize > MAX_MEMORY_MB) {
    throw propsError('memorySize', `must be a whole number of MB between ${MIN_MEMORY_MB} and ${MAX_MEMORY_MB}; got ${memorySize}`);
  }
  return memorySize;
}

export function validateReservedConcurrency(value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < MIN_RESERVED_CONCURRENCY) {
    throw propsError(
      'reservedConcurrentExecutions',
      `must be a whole number of at least ${MIN_RESERVED_CONCURRENCY} (below that Secrets Manager is throttled and loops); got ${value}`,
    );
  }
}

export function validateClientIds(clientIds: readonly string[]): string[] {
  for (const clientId of clientIds) {
    const problem = clientIdProblem(clientId);
    if (problem !== undefined) throw propsError('clientIds', `holds a clientId that ${problem}; got '${JSON.stringify(clientId).slice(1, -1)}'`);
    // Hopae documents 8 alphanumerics; older ids differ. These characters are safe in a secret name.
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(clientId)) {
      throw propsError('clientIds', `must hold ids of letters, digits, '_', '.' or '-' (1 to 128); got '${clientId}'`);
    }
  }
  if (new Set(clientIds).size !== clientIds.length) {
    throw propsError('clientIds', 'contains the same clientId more than once');
  }
  return [...clientIds];
}

/** At least one app, and no secret twice: the same object, the same ARN or name, or a name a clientId will create. */
export function validateAppSecrets(appSecrets: readonly ISecret[], createdNames: readonly string[]): void {
  if (appSecrets.length === 0 && createdNames.length === 0) {
    throw propsError('appSecrets', 'or clientIds must name at least one app');
  }
  const seen = new Set<unknown>();
  for (const secret of appSecrets) {
    const identity = secret.secretFullArn ?? secret.secretName;
    if (seen.has(secret) || seen.has(identity)) {
      throw propsError('appSecrets', `contains the same secret more than once (${identity})`);
    }
    seen.add(secret);
    seen.add(identity);
    if (!Token.isUnresolved(secret.secretName) && createdNames.includes(secret.secretName)) {
      throw propsError('appSecrets', `contains ${secret.secretName}, which clientIds would also create`);
    }
  }
}

export function validateAlertProps(props: HopaeSecretRotationProps): void {
  if (props.alarmTopic && props.alarmEmail !== undefined) {
    throw propsError('alarmEmail', 'and alarmTopic are mutually exclusive: subscribe the address to your topic yourself');
  }
  if (props.alarmEmail !== undefined && !Token.isUnresolved(props.alarmEmail) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.alarmEmail)) {
    throw propsError('alarmEmail', `is not an e-mail address; got '${props.alarmEmail}'`);
  }
  if (props.runbookUrl !== undefined && props.runbookUrl.trim() === '') {
    throw propsError('runbookUrl', 'must not be empty');
  }
  // EventBridge input templates read <name> as a placeholder.
  if (props.runbookUrl !== undefined && /[<>]/.test(props.runbookUrl)) {
    throw propsError('runbookUrl', `must not contain < or >; got '${props.runbookUrl}'`);
  }
}
