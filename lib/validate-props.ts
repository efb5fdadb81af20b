import { Duration, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { clientIdProblem } from '../lambda/client-id';
import { DEFAULT_RETRY, MIN_HOPAE_BUDGET_MS, parseApiBaseUrl } from '../lambda/config';
import { HOPAE_RETRY_ENV } from '../lambda/names';
import { HopaeSecretRotationPropsError } from './errors';
import { HopaeEnvironment } from './environment';
import type { HopaeSecretRotationProps, HopaeServiceRefresh } from './props';
import type { SecretsManagerEndpoint } from './secrets-manager-endpoint';

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
    // JavaScript callers (no type checks) may still pass the name, as before HopaeEnvironment was a class.
    if (environment instanceof HopaeEnvironment) return environment.apiBaseUrl;
    return HopaeEnvironment.of(String(environment)).apiBaseUrl;
  }
  if (apiBaseUrl !== undefined) return validateApiBaseUrl(apiBaseUrl);
  throw propsError('environment', 'or apiBaseUrl is required; give exactly one');
}

/** Hopae's documented API base path: every operation lives under it. */
const HOPAE_API_PATH = '/connect/v1';

/**
 * An https URL whose path ends with /connect/v1, as Hopae documents its API base. A deployed
 * function runs in AWS, so plain http (even to localhost, which the function accepts for the local
 * stand-in) is refused here; a base without /connect/v1 would make every call 404, which the
 * function can only read as "app not in this workspace".
 */
export function validateApiBaseUrl(raw: string): string {
  // A deploy-time value (e.g. a parameter) cannot be checked here; the function checks it at start.
  if (Token.isUnresolved(raw)) return raw;
  if (/^\s*http:/i.test(raw)) {
    throw propsError('apiBaseUrl', `must use https: the function runs in AWS, where plain http (even to localhost) is refused; got '${raw}'`);
  }
  let url: string;
  try {
    url = parseApiBaseUrl(raw);
  } catch (error) {
    throw propsError('apiBaseUrl', (error as Error).message.replace(/^HOPAE_API_BASE_URL /, ''));
  }
  if (!url.startsWith('https://')) {
    throw propsError('apiBaseUrl', `must use https; got '${raw}'`);
  }
  if (!url.endsWith(HOPAE_API_PATH)) {
    throw propsError(
      'apiBaseUrl',
      `must end with ${HOPAE_API_PATH}, Hopae's API base (e.g. https://api.hopae.com/connect/v1): without it every call would 404, read as an unknown app; got '${raw}'`,
    );
  }
  return url;
}

// Secrets Manager's rules for a secret name (CreateSecret, Name): ASCII letters, digits and /_+=.@-,
// 1 to 512 characters; it advises against ending with a hyphen and six characters, which partial-ARN
// lookups (and this construct's invoke permission pattern) would read as the ARN's random suffix.
const SECRET_NAME_CHARACTERS = /^[A-Za-z0-9/_+=.@-]*$/;
const MAX_SECRET_NAME_LENGTH = 512;

/** secretNamePrefix, and every name it makes with a clientId, as Secrets Manager would judge them. */
export function validateSecretNames(prefix: string, clientIds: readonly string[]): void {
  if (Token.isUnresolved(prefix)) return;
  if (!SECRET_NAME_CHARACTERS.test(prefix)) {
    throw propsError('secretNamePrefix', `may hold only ASCII letters, digits and /_+=.@- (Secrets Manager's secret name characters); got '${prefix}'`);
  }
  for (const clientId of clientIds) {
    const name = `${prefix}${clientId}`;
    if (name.length > MAX_SECRET_NAME_LENGTH) {
      throw propsError('secretNamePrefix', `makes the secret name of clientId ${clientId} ${name.length} characters long; Secrets Manager allows at most ${MAX_SECRET_NAME_LENGTH}`);
    }
    if (/-[A-Za-z0-9]{6}$/.test(name)) {
      const inClientId = clientId.length >= 7 && clientId.at(-7) === '-';
      throw propsError(
        inClientId ? 'clientIds' : 'secretNamePrefix',
        `makes the secret name '${name}', which ends with a hyphen and six characters: Secrets Manager reads that as the random suffix of a partial ARN${inClientId ? '; import that app\'s secret through appSecrets under another name' : '; end the prefix with \'/\' or \'_\' instead'}`,
      );
    }
  }
}

// Every alarm description carries the runbook link, and CloudWatch allows 1,024 characters in one
// (PutMetricAlarm, AlarmDescription); the longest description text is under 400.
const MAX_RUNBOOK_URL_LENGTH = 600;

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

/** Whether two secret references are one secret: the same object, the same complete ARN, or (either without one) the same name. */
function sameSecret(a: ISecret, b: ISecret): boolean {
  if (a === b) return true;
  if (a.secretFullArn !== undefined && b.secretFullArn !== undefined) return !Token.isUnresolved(a.secretFullArn) && a.secretFullArn === b.secretFullArn;
  return !Token.isUnresolved(a.secretName) && a.secretName === b.secretName;
}

/**
 * At least one app, and no secret twice: the same object, the same ARN or name, or a name a clientId
 * will create; and never the workspace-key secret, which the function only reads.
 */
export function validateAppSecrets(appSecrets: readonly ISecret[], createdNames: readonly string[], workspaceKeySecret: ISecret): void {
  if (appSecrets.length === 0 && createdNames.length === 0) {
    throw propsError('appSecrets', 'or clientIds must name at least one app');
  }
  const keyName = workspaceKeySecret.secretName;
  if (!Token.isUnresolved(keyName) && createdNames.includes(keyName)) {
    throw propsError(
      'clientIds',
      `would create ${keyName}, the workspaceKeySecret's name: Secrets Manager refuses a second secret of that name, so the deploy would fail. Give another secretNamePrefix`,
    );
  }
  const seen = new Set<unknown>();
  const created = new Set(createdNames);
  for (const secret of appSecrets) {
    const identity = secret.secretFullArn ?? secret.secretName;
    if (sameSecret(secret, workspaceKeySecret)) {
      throw propsError(
        'appSecrets',
        `holds the workspaceKeySecret (${identity}): the function only reads the workspace key; rotating it would give the function write access to it and fail every time (it holds no clientId). Remove it from appSecrets`,
      );
    }
    if (seen.has(secret) || seen.has(identity)) {
      throw propsError('appSecrets', `contains the same secret more than once (${identity})`);
    }
    seen.add(secret);
    seen.add(identity);
    if (!Token.isUnresolved(secret.secretName) && created.has(secret.secretName)) {
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
  if (props.runbookUrl !== undefined && props.runbookUrl.length > MAX_RUNBOOK_URL_LENGTH) {
    throw propsError('runbookUrl', `must be at most ${MAX_RUNBOOK_URL_LENGTH} characters: every alarm description carries it, and CloudWatch allows 1,024 characters in one; got ${props.runbookUrl.length}`);
  }
  // EventBridge input templates read <name> as a placeholder.
  if (props.runbookUrl !== undefined && /[<>]/.test(props.runbookUrl)) {
    throw propsError('runbookUrl', `must not contain < or >; got '${props.runbookUrl}'`);
  }
}

/**
 * Each refreshOnRotation entry names exactly one rotated secret (by `secret`, one of `appSecrets`,
 * or by `clientId`, one of `clientIds`) and at least one service, each service once.
 */
/**
 * Finds the appSecrets entry a refreshOnRotation entry names: the same object, else the same
 * complete ARN (or name, when the ARN is not known). Indexes appSecrets once, for fleets.
 */
export function appSecretLookup(appSecrets: readonly ISecret[]): (secret: ISecret) => ISecret | undefined {
  const identity = (secret: ISecret) => secret.secretFullArn ?? secret.secretName;
  const given = new Set(appSecrets);
  const byIdentity = new Map<string, ISecret>();
  // The first of equal identities, as a linear search would find.
  for (const secret of appSecrets) if (!byIdentity.has(identity(secret))) byIdentity.set(identity(secret), secret);
  return (secret) => (given.has(secret) ? secret : byIdentity.get(identity(secret)));
}

export function validateRefreshOnRotation(
  entries: readonly HopaeServiceRefresh[],
  appSecrets: readonly ISecret[],
  clientIds: readonly string[],
): void {
  // Looked up once each: a fleet names thousands of apps.
  const rotated = appSecretLookup(appSecrets);
  const created = new Set(clientIds);
  entries.forEach((entry, i) => {
    const at = `[${i}]`;
    if ((entry.secret === undefined) === (entry.clientId === undefined)) {
      throw propsError('refreshOnRotation', `${at} must name its secret by exactly one of secret (one of appSecrets) and clientId (one of clientIds)`);
    }
    if (entry.secret !== undefined && rotated(entry.secret) === undefined) {
      throw propsError('refreshOnRotation', `${at}.secret must be one of appSecrets: only a secret this construct rotates has a rotation to react to`);
    }
    if (entry.clientId !== undefined && !created.has(entry.clientId)) {
      throw propsError('refreshOnRotation', `${at}.clientId must be one of clientIds; got '${entry.clientId}'`);
    }
    if (!Array.isArray(entry.services) || entry.services.length === 0) {
      throw propsError('refreshOnRotation', `${at}.services must list at least one ECS service`);
    }
    if (new Set(entry.services).size !== entry.services.length) {
      throw propsError('refreshOnRotation', `${at}.services lists the same service more than once`);
    }
  });
}

/** Props the construct needs at all, and props that would do nothing, named rather than ignored. */
export function validatePresence(props: HopaeSecretRotationProps): void {
  if (!props.workspaceKeySecret) throw propsError('workspaceKeySecret', 'is required: the secret holding the Hopae workspace API key');
  if (props.encryptionKey && (props.clientIds ?? []).length === 0) {
    throw propsError('encryptionKey', 'encrypts only the secrets created for clientIds, and there are none: import each of appSecrets with its own key (Secret.fromSecretAttributes) instead');
  }
}

const MAX_HOPAE_ATTEMPTS = 20;
const MIN_RETRY_DELAY = Duration.millis(10);

/**
 * The Hopae retry props as the function's environment (only those given: the function's defaults
 * apply to the rest), each checked against the function's timeout, which bounds every step.
 */
export function hopaeRetryEnvironment(props: HopaeSecretRotationProps, timeout: Duration): Record<string, string> {
  const timeoutMs = timeout.isUnresolved() ? Number.POSITIVE_INFINITY : timeout.toMilliseconds();
  const env: Record<string, string> = {};
  const millis = (prop: keyof HopaeSecretRotationProps, value: Duration | undefined, min: number, max: number, rule: string): number | undefined => {
    if (value === undefined) return undefined;
    if (value.isUnresolved()) throw propsError(prop, 'must be a concrete Duration, not a token');
    const ms = value.toMilliseconds();
    if (!Number.isInteger(ms) || ms < min || ms > max) throw propsError(prop, `must be ${rule}; got ${value.toHumanString()}`);
    return ms;
  };
  const attempts = (prop: keyof HopaeSecretRotationProps, value: number | undefined): number | undefined => {
    if (value === undefined || Token.isUnresolved(value)) return value;
    if (!Number.isInteger(value) || value < 1 || value > MAX_HOPAE_ATTEMPTS) throw propsError(prop, `must be a whole number from 1 to ${MAX_HOPAE_ATTEMPTS}; got ${value}`);
    return value;
  };
  const requestTimeout = millis('hopaeRequestTimeout', props.hopaeRequestTimeout, 1_000, timeoutMs, 'between 1 second and the function\'s timeout');
  const rotate = attempts('hopaeRotateMaxAttempts', props.hopaeRotateMaxAttempts);
  const verify = attempts('hopaeVerifyMaxAttempts', props.hopaeVerifyMaxAttempts);
  const maxDelayMs = props.hopaeRetryMaxDelay?.isUnresolved() === false ? props.hopaeRetryMaxDelay.toMilliseconds() : DEFAULT_RETRY.maxDelayMs;
  const baseDelay = millis('hopaeRetryBaseDelay', props.hopaeRetryBaseDelay, MIN_RETRY_DELAY.toMilliseconds(), maxDelayMs, `between 10 milliseconds and hopaeRetryMaxDelay (${maxDelayMs} ms)`);
  const maxDelay = millis('hopaeRetryMaxDelay', props.hopaeRetryMaxDelay, baseDelay ?? DEFAULT_RETRY.baseDelayMs, timeoutMs, 'at least hopaeRetryBaseDelay and at most the function\'s timeout');
  const reserve = millis('storeReserve', props.storeReserve, 1_000, timeoutMs - MIN_HOPAE_BUDGET_MS, `between 1 second and the function's timeout less ${MIN_HOPAE_BUDGET_MS / 1000} second (the least time a call to Hopae needs)`);
  const set = (name: string, value: number | undefined) => {
    if (value !== undefined) env[name] = String(value);
  };
  set(HOPAE_RETRY_ENV.requestTimeoutMs, requestTimeout);
  set(HOPAE_RETRY_ENV.rotateMaxAttempts, rotate);
  set(HOPAE_RETRY_ENV.verifyMaxAttempts, verify);
  set(HOPAE_RETRY_ENV.baseDelayMs, baseDelay);
  set(HOPAE_RETRY_ENV.maxDelayMs, maxDelay);
  set(HOPAE_RETRY_ENV.storeReserveMs, reserve);
  return env;
}

/** The network props, checked: what FunctionSettings builds from. */
export interface NetworkPlan {
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The security groups given; undefined when the construct creates one. */
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly endpoint?: SecretsManagerEndpoint;
  readonly proxy?: EgressProxy;
}

/** The egress proxy: its URL, and what a security group must let out to reach it. */
export interface EgressProxy {
  readonly url: string;
  /** Undefined for a deploy-time URL. */
  readonly port?: number;
  /** The proxy's IPv4 address when the URL names one, for a narrower egress rule. */
  readonly ipv4?: string;
  /** NO_PROXY entries from `noProxy`. */
  readonly noProxy: string[];
}

const NETWORK_PROPS_NEEDING_VPC = ['vpcSubnets', 'securityGroups', 'secretsManagerEndpoint'] as const;

/**
 * The VPC placement, the Secrets Manager endpoint and the proxy, checked against each other as far
 * as the synth can know: subnets of a VPC created or imported with their types are known to be
 * public, private with egress, or isolated; a subnet imported by id alone is not.
 */
export function validateNetwork(props: HopaeSecretRotationProps): NetworkPlan {
  const proxy = validateProxy(props);
  const { vpc } = props;
  if (!vpc) {
    for (const prop of NETWORK_PROPS_NEEDING_VPC) {
      if (props[prop] !== undefined) throw propsError(prop, 'needs vpc: it places the functions in a VPC; give vpc too, or leave it out');
    }
    return { proxy };
  }
  if (props.securityGroups !== undefined && props.securityGroups.length === 0) {
    throw propsError('securityGroups', 'is empty: give at least one security group, or leave it out for a new one');
  }
  const endpointUrl = props.secretsManagerEndpoint?._givenEndpointUrl;
  if (endpointUrl !== undefined) validateEndpointUrl(endpointUrl);
  const selected = vpc.selectSubnets(props.vpcSubnets).subnetIds;
  // A subnet created in the app has no id until deploy: name it by its construct path instead.
  const among = (subnets: ec2.ISubnet[]) =>
    subnets.filter((subnet) => selected.includes(subnet.subnetId)).map((subnet) => (Token.isUnresolved(subnet.subnetId) ? subnet.node.path : subnet.subnetId));
  const isPublic = among(vpc.publicSubnets);
  if (isPublic.length > 0) {
    throw propsError(
      'vpcSubnets',
      `selects public subnets (${isPublic.join(', ')}): a Lambda function there gets no public IP and cannot reach Hopae or Secrets Manager. ` +
        'Select private subnets with a NAT route, or isolated ones with httpsProxy and secretsManagerEndpoint',
    );
  }
  const isolated = among(vpc.isolatedSubnets);
  if (isolated.length > 0 && !props.secretsManagerEndpoint) {
    throw propsError(
      'secretsManagerEndpoint',
      `is required: the functions' subnets ${isolated.join(', ')} are isolated (no route out of the VPC), so Secrets Manager is out of reach. ` +
        'Give SecretsManagerEndpoint.createInterfaceEndpoint() (or fromInterfaceEndpoint), or select subnets with a NAT route',
    );
  }
  if (isolated.length > 0 && !proxy) {
    throw propsError(
      'httpsProxy',
      `is required: the functions' subnets ${isolated.join(', ')} are isolated (no route out of the VPC), so Hopae is out of reach. ` +
        'Give the URL of an HTTPS proxy the subnets can reach, or select subnets with a NAT route',
    );
  }
  if (proxy && proxy.port === undefined && props.securityGroups === undefined) {
    throw propsError('httpsProxy', 'must be known at synth time when the construct creates the security group (it opens the proxy\'s port); give securityGroups, or a literal URL');
  }
  return { vpc, vpcSubnets: props.vpcSubnets, securityGroups: props.securityGroups, endpoint: props.secretsManagerEndpoint, proxy };
}

function validateProxy(props: HopaeSecretRotationProps): EgressProxy | undefined {
  const { httpsProxy, noProxy } = props;
  if (httpsProxy === undefined) {
    if (noProxy !== undefined) throw propsError('noProxy', 'has no effect without httpsProxy; give httpsProxy, or leave noProxy out');
    return undefined;
  }
  for (const entry of noProxy ?? []) {
    if (!Token.isUnresolved(entry) && !/^[^\s,]+$/.test(entry)) {
      throw propsError('noProxy', `must hold one host, domain or address range per entry, without commas or spaces; got '${entry}'`);
    }
  }
  if (Token.isUnresolved(httpsProxy)) return { url: httpsProxy, noProxy: [...(noProxy ?? [])] };
  const url = URL.canParse(httpsProxy) ? new URL(httpsProxy) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw propsError('httpsProxy', `must be an http:// or https:// URL of the proxy, e.g. http://proxy.internal:3128; got '${httpsProxy}'`);
  }
  if (url.username !== '' || url.password !== '') {
    throw propsError(
      'httpsProxy',
      'must not hold a user or password: the URL is stored in plain text in the template and the functions\' configuration. Let the proxy admit the functions by source address or security group',
    );
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw propsError('httpsProxy', `must be only scheme, host and port, e.g. http://proxy.internal:3128; got '${httpsProxy}'`);
  }
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(url.hostname) ? url.hostname : undefined;
  return { url: url.origin, port, ...(ipv4 ? { ipv4 } : {}), noProxy: [...(noProxy ?? [])] };
}

function validateEndpointUrl(endpointUrl: string): void {
  if (Token.isUnresolved(endpointUrl)) return;
  const url = URL.canParse(endpointUrl) ? new URL(endpointUrl) : undefined;
  if (!url || url.protocol !== 'https:' || url.hostname === '' || url.pathname !== '/' || url.search !== '' || url.username !== '') {
    throw propsError(
      'secretsManagerEndpoint',
      `endpointUrl must be https://<the endpoint's DNS name>, e.g. https://vpce-0a1b2c3d4e5f-abcdefgh.secretsmanager.eu-central-1.vpce.amazonaws.com; got '${endpointUrl}'`,
    );
  }
}
