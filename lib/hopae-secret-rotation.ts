import { Duration, RemovalPolicy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CfnRotationSchedule, type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { clientIdProblem } from '../lambda/client-id';
import { parseApiBaseUrl } from '../lambda/config';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/names';
import { RotationAlerts } from './alerts';
import { HopaeSecretRotationPropsError } from './errors';
import { rotationFunctionCode } from './function-asset';
import { invokeSourceArn, knownSecretName, rotationPolicyStatements } from './permissions';
import { auditSettings, FleetMonitoring } from './fleet-monitoring';
import { HopaeRotationSchedule } from './schedule';
import { planRotationRules } from './schedule-spread';

/** The Hopae Connect API a rotation talks to. */
export type HopaeEnvironment = 'sandbox' | 'production';

/** Base URL (including `/connect/v1`) of each Hopae environment. */
export const HOPAE_API_BASE_URLS: Readonly<Record<HopaeEnvironment, string>> = {
  sandbox: 'https://sandbox.api.hopae.com/connect/v1',
  production: 'https://api.hopae.com/connect/v1',
};

/** Value of POWERTOOLS_SERVICE_NAME, so log lines say which function wrote them. */
export const ROTATION_SERVICE_NAME = SERVICE_NAME;

/** Where the alerts point when no runbookUrl is given. */
export const DEFAULT_RUNBOOK = 'docs/runbook.md of the hopae-secret-rotation package, section Runbook: a rotation failed';

// Below 30 s a Hopae call with retries plus the Secrets Manager write does not fit; Lambda's cap is 15 min.
const MIN_TIMEOUT = Duration.seconds(30);
const MAX_TIMEOUT = Duration.minutes(15);
const MIN_MEMORY_MB = 128;
const MAX_MEMORY_MB = 10_240;
// Below 10, Secrets Manager's invocations are throttled and the rotation loops.
const MIN_RESERVED_CONCURRENCY = 10;

/**
 * Properties of a {@link HopaeSecretRotation}. Give exactly one of `environment` and `apiBaseUrl`,
 * and at least one app through `appSecrets` or `clientIds`.
 */
export interface HopaeSecretRotationProps {
  /**
   * The Hopae environment whose API the function calls. Mutually exclusive with `apiBaseUrl`.
   *
   * @default - none; give this or `apiBaseUrl`
   */
  readonly environment?: HopaeEnvironment;

  /**
   * An explicit Hopae API base URL including `/connect/v1`. Must use https. Mutually exclusive
   * with `environment`.
   *
   * @default - none; give this or `environment`
   */
  readonly apiBaseUrl?: string;

  /**
   * The secret holding the Hopae workspace API key (bare, or JSON `{"apiKey": "..."}`). The
   * function may only read it. If it is encrypted with a customer managed KMS key, import it with
   * that key (`Secret.fromSecretAttributes`) so the function may decrypt it through Secrets Manager.
   */
  readonly workspaceKeySecret: ISecret;

  /**
   * Existing secrets holding app credentials (`{"clientId": ..., "clientSecret": ...}`) to rotate.
   * The KMS note of `workspaceKeySecret` applies. A secret created in another stack makes a
   * dependency cycle: import it by ARN or name instead.
   *
   * @default - none
   */
  readonly appSecrets?: ISecret[];

  /**
   * Hopae clientIds for which this construct creates the secret, named `secretNamePrefix` +
   * clientId and holding only `{"clientId": ...}`: the first rotation mints its clientSecret. The
   * secrets are retained when the stack is deleted: they may hold the only valid secret.
   *
   * @default - none
   */
  readonly clientIds?: string[];

  /**
   * Name prefix of the secrets created for `clientIds`.
   *
   * @default 'hopae/apps/'
   */
  readonly secretNamePrefix?: string;

  /**
   * KMS key for the secrets created for `clientIds`.
   *
   * @default - the AWS managed key `aws/secretsmanager`
   */
  readonly encryptionKey?: IKey;

  /**
   * When Secrets Manager rotates each app secret. Given, it applies to every secret and no
   * spreading happens.
   *
   * @default - spread: each secret monthly on its own day and hour (see `spreadSchedules`)
   */
  readonly schedule?: HopaeRotationSchedule;

  /**
   * Without a `schedule`: give each secret `cron(0 H D * ? *)` with day 1–28 and hour from a hash
   * of its name and a 2-hour window (or `rotationWindow`), so a fleet does not rotate all at once
   * (docs/fleet.md). False: every secret on HopaeRotationSchedule.rate(Duration.days(30)).
   *
   * @default true
   */
  readonly spreadSchedules?: boolean;

  /**
   * How often the rotation audit checks every secret for a stuck, overdue or disabled rotation.
   * Between 5 minutes and 24 hours.
   *
   * @default Duration.hours(1)
   */
  readonly auditInterval?: Duration;

  /**
   * How long a pending version apart from AWSCURRENT may exist before the audit calls the rotation stuck.
   *
   * @default Duration.minutes(30)
   */
  readonly stuckAfter?: Duration;

  /**
   * Added to the schedule's longest interval and the rotation window: past that without a
   * successful rotation, a secret is overdue.
   *
   * @default Duration.days(1)
   */
  readonly overdueGrace?: Duration;

  /**
   * How long without a successful rotation makes a secret overdue, instead of schedule + window +
   * `overdueGrace`. Required for a cron whose longest interval cannot be read from it.
   *
   * @default - derived from the schedule
   */
  readonly overdueAfter?: Duration;

  /**
   * Whether to create a CloudWatch dashboard of the fleet (rotations, step durations, Hopae
   * retries, audit findings, function errors).
   *
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * How long, from the scheduled start, Secrets Manager may take to start a rotation: whole hours,
   * 1 to 24.
   *
   * @default - Secrets Manager's default: the rest of the UTC day for day-based schedules, one hour for hour-based ones
   */
  readonly rotationWindow?: Duration;

  /**
   * Whether CloudFormation rotates each secret as soon as its rotation schedule is created or changed.
   *
   * Hopae invalidates the old clientSecret the instant it rotates, so CloudFormation's own default
   * (true) would rotate production secrets on the first deploy and lock out every consumer that
   * caches AWSCURRENT. With false, Secrets Manager runs only the testSecret step as a configuration
   * check, which this function answers by checking the current pair read-only; the first real
   * rotation happens on the schedule.
   *
   * @default false
   */
  readonly rotateImmediatelyOnUpdate?: boolean;

  /**
   * SNS topic for failure alerts (failed or abandoned rotations, function errors and throttles).
   * Mutually exclusive with `alarmEmail`. An encrypted topic must let events.amazonaws.com and
   * cloudwatch.amazonaws.com use its key.
   *
   * @default - a new topic encrypted with its own KMS key
   */
  readonly alarmTopic?: ITopic;

  /**
   * E-mail address subscribed to the new alert topic (confirm the subscription e-mail).
   *
   * @default - no subscription
   */
  readonly alarmEmail?: string;

  /**
   * Link or pointer to the runbook, included in every alert.
   *
   * @default DEFAULT_RUNBOOK
   */
  readonly runbookUrl?: string;

  /**
   * Lambda timeout for one rotation step. Between 30 seconds and 15 minutes.
   *
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;

  /**
   * Lambda memory in MB.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Retention of the function's log group.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Reserved concurrency of the function; at least 10 (below that, Secrets Manager is throttled and loops).
   *
   * @default - none reserved
   */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A Secrets Manager rotation function for the clientSecret of Hopae Connect apps, attached to each
 * app secret with a rotation schedule, with least-privilege permissions and failure alerts.
 */
export class HopaeSecretRotation extends Construct {
  /** The rotation Lambda. */
  readonly rotationFunction: lambda.Function;

  /** Its execution role: only the permissions a rotation needs. */
  readonly role: iam.Role;

  /** The function's log group. */
  readonly logGroup: logs.LogGroup;

  /** Every rotated secret: `appSecrets`, then those created for `clientIds`. */
  readonly secrets: ISecret[];

  /** The secrets created for `clientIds`, by clientId. */
  readonly createdSecrets: Readonly<Record<string, Secret>>;

  /** One rotation schedule per secret, in the order of `secrets`. */
  readonly rotationSchedules: CfnRotationSchedule[];

  /** Topic, EventBridge rule and alarms that report failures. */
  readonly alerts: RotationAlerts;

  /** The rotation audit (stuck, overdue, disabled), its alarms and the dashboard. */
  readonly monitoring: FleetMonitoring;

  /** The Hopae API base URL the function calls. */
  readonly apiBaseUrl: string;

  constructor(scope: Construct, id: string, props: HopaeSecretRotationProps) {
    super(scope, id);

    this.apiBaseUrl = resolveApiBaseUrl(props);
    const rotationRules = planRotationRules(props);
    const audit = auditSettings(props, rotationRules.longestInterval, rotationRules.window);
    const timeout = validateTimeout(props.timeout ?? Duration.seconds(60));
    const memorySize = validateMemorySize(props.memorySize ?? 256);
    validateReservedConcurrency(props.reservedConcurrentExecutions);
    const clientIds = validateClientIds(props.clientIds ?? []);
    const secretNamePrefix = props.secretNamePrefix ?? 'hopae/apps/';
    validateAppSecrets(props.appSecrets ?? [], clientIds.map((clientId) => `${secretNamePrefix}${clientId}`));
    validateAlertProps(props);
    const runbookUrl = props.runbookUrl ?? DEFAULT_RUNBOOK;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    const createdSecrets: Record<string, Secret> = {};
    for (const clientId of clientIds) {
      createdSecrets[clientId] = new Secret(this, `AppSecret-${clientId}`, {
        secretName: `${secretNamePrefix}${clientId}`,
        description: `Hopae Connect app ${clientId}: clientId and clientSecret, rotated by ${this.node.path}`,
        // Only the clientId, which is not secret: the first rotation asks Hopae for the clientSecret.
        secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ clientId })),
        encryptionKey: props.encryptionKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.createdSecrets = createdSecrets;
    this.secrets = [...(props.appSecrets ?? []), ...Object.values(createdSecrets)];

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Hopae secret rotation: its own log group, and the rotated and workspace-key secrets only',
    });
    // Instead of the managed AWSLambdaBasicExecutionRole (logs on every log group): this one only.
    this.logGroup.grantWrite(this.role);
    for (const statement of rotationPolicyStatements(this, this.secrets, props.workspaceKeySecret)) {
      this.role.addToPrincipalPolicy(statement);
    }

    this.rotationFunction = new lambda.Function(this, 'Function', {
      description: 'Secrets Manager rotation of Hopae Connect app clientSecrets',
      // Prebuilt by `npm run build` (esbuild, minified, node24, the AWS SDK inside) and shipped in the package.
      code: rotationFunctionCode(),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout,
      memorySize,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        HOPAE_API_BASE_URL: this.apiBaseUrl,
        // The complete ARN when known; otherwise the name (a partial ARN makes Secrets Manager guess).
        HOPAE_API_KEY_SECRET_ID: props.workspaceKeySecret.secretFullArn ?? props.workspaceKeySecret.secretName,
        POWERTOOLS_SERVICE_NAME: ROTATION_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });

    // SourceAccount and SourceArn: only this account's Secrets Manager, rotating these secrets, may
    // invoke it (CDK's RotationSchedule sets neither). SourceArn is a pattern: see invokeSourceArn.
    const invokePermission = new lambda.CfnPermission(this, 'InvokeBySecretsManager', {
      action: 'lambda:InvokeFunction',
      functionName: this.rotationFunction.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Stack.of(this).account,
      sourceArn: invokeSourceArn(this, [
        ...(props.appSecrets ?? []).map(knownSecretName),
        ...clientIds.map((clientId) => `${secretNamePrefix}${clientId}`),
      ]),
    });

    this.rotationSchedules = this.secrets.map((secret) => {
      // In the secret's own scope: one fixed id stays unique and does not depend on list order.
      const rotationSchedule = new CfnRotationSchedule(secret, 'HopaeRotationSchedule', {
        secretId: secret.secretFullArn ?? secret.secretName,
        rotationLambdaArn: this.rotationFunction.functionArn,
        rotationRules: rotationRules.rulesFor(secret),
        rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate ?? false,
      });
      rotationSchedule.node.addDependency(invokePermission);
      // Secrets this stack owns get a policy that denies deleting them, as CDK's RotationSchedule does.
      secret.denyAccountRootDelete();
      return rotationSchedule;
    });

    this.alerts = new RotationAlerts(this, 'Alerts', {
      rotationFunction: this.rotationFunction,
      secrets: this.secrets,
      topic: props.alarmTopic,
      email: props.alarmEmail,
      runbookUrl,
    });

    this.monitoring = new FleetMonitoring(this, 'Monitoring', {
      secrets: this.secrets,
      rotationFunction: this.rotationFunction,
      topic: this.alerts.topic,
      runbookUrl,
      logRetention,
      settings: audit,
      dashboard: props.dashboard ?? true,
    });
  }
}

function resolveApiBaseUrl(props: HopaeSecretRotationProps): string {
  const { environment, apiBaseUrl } = props;
  if (environment !== undefined && apiBaseUrl !== undefined) {
    throw new HopaeSecretRotationPropsError('environment', 'and apiBaseUrl are mutually exclusive; give only one');
  }
  if (environment !== undefined) {
    if (!Object.hasOwn(HOPAE_API_BASE_URLS, environment)) {
      throw new HopaeSecretRotationPropsError('environment', `must be 'sandbox' or 'production'; got '${String(environment)}'`);
    }
    return HOPAE_API_BASE_URLS[environment];
  }
  if (apiBaseUrl !== undefined) return validateApiBaseUrl(apiBaseUrl);
  throw new HopaeSecretRotationPropsError('environment', 'or apiBaseUrl is required; give exactly one');
}

/**
 * The function's own check (lambda/config.ts), plus https without the loopback exception: a
 * deployed function never talks to a local stand-in.
 */
function validateApiBaseUrl(raw: string): string {
  // A deploy-time value (e.g. a parameter) cannot be checked here; the function checks it at start.
  if (Token.isUnresolved(raw)) return raw;
  let url: string;
  try {
    url = parseApiBaseUrl(raw);
  } catch (error) {
    throw new HopaeSecretRotationPropsError('apiBaseUrl', (error as Error).message.replace(/^HOPAE_API_BASE_URL /, ''));
  }
  if (!url.startsWith('https://')) {
    throw new HopaeSecretRotationPropsError('apiBaseUrl', `must use https; got '${raw}'`);
  }
  return url;
}

function validateTimeout(timeout: Duration): Duration {
  if (timeout.isUnresolved()) return timeout;
  const ms = timeout.toMilliseconds();
  if (ms < MIN_TIMEOUT.toMilliseconds() || ms > MAX_TIMEOUT.toMilliseconds()) {
    throw new HopaeSecretRotationPropsError('timeout', `must be between 30 seconds and 15 minutes; got ${timeout.toHumanString()}`);
  }
  return timeout;
}

function validateMemorySize(memorySize: number): number {
  if (Token.isUnresolved(memorySize)) return memorySize;
  if (!Number.isInteger(memorySize) || memorySize < MIN_MEMORY_MB || memorySize > MAX_MEMORY_MB) {
    throw new HopaeSecretRotationPropsError('memorySize', `must be a whole number of MB between ${MIN_MEMORY_MB} and ${MAX_MEMORY_MB}; got ${memorySize}`);
  }
  return memorySize;
}

function validateReservedConcurrency(value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < MIN_RESERVED_CONCURRENCY) {
    throw new HopaeSecretRotationPropsError(
      'reservedConcurrentExecutions',
      `must be a whole number of at least ${MIN_RESERVED_CONCURRENCY} (below that Secrets Manager is throttled and loops); got ${value}`,
    );
  }
}

function validateClientIds(clientIds: readonly string[]): string[] {
  for (const clientId of clientIds) {
    const problem = clientIdProblem(clientId);
    if (problem !== undefined) throw new HopaeSecretRotationPropsError('clientIds', `holds a clientId that ${problem}; got '${JSON.stringify(clientId).slice(1, -1)}'`);
    // Hopae documents 8 alphanumerics; older ids differ. These characters are safe in a secret name.
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(clientId)) {
      throw new HopaeSecretRotationPropsError('clientIds', `must hold ids of letters, digits, '_', '.' or '-' (1 to 128); got '${clientId}'`);
    }
  }
  if (new Set(clientIds).size !== clientIds.length) {
    throw new HopaeSecretRotationPropsError('clientIds', 'contains the same clientId more than once');
  }
  return [...clientIds];
}

/** At least one app, and no secret twice: the same object, the same ARN or name, or a name a clientId will create. */
function validateAppSecrets(appSecrets: readonly ISecret[], createdNames: readonly string[]): void {
  if (appSecrets.length === 0 && createdNames.length === 0) {
    throw new HopaeSecretRotationPropsError('appSecrets', 'or clientIds must name at least one app');
  }
  const seen = new Set<unknown>();
  for (const secret of appSecrets) {
    const identity = secret.secretFullArn ?? secret.secretName;
    if (seen.has(secret) || seen.has(identity)) {
      throw new HopaeSecretRotationPropsError('appSecrets', `contains the same secret more than once (${identity})`);
    }
    seen.add(secret);
    seen.add(identity);
    if (!Token.isUnresolved(secret.secretName) && createdNames.includes(secret.secretName)) {
      throw new HopaeSecretRotationPropsError('appSecrets', `contains ${secret.secretName}, which clientIds would also create`);
    }
  }
}

function validateAlertProps(props: HopaeSecretRotationProps): void {
  if (props.alarmTopic && props.alarmEmail !== undefined) {
    throw new HopaeSecretRotationPropsError('alarmEmail', 'and alarmTopic are mutually exclusive: subscribe the address to your topic yourself');
  }
  if (props.alarmEmail !== undefined && !Token.isUnresolved(props.alarmEmail) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.alarmEmail)) {
    throw new HopaeSecretRotationPropsError('alarmEmail', `is not an e-mail address; got '${props.alarmEmail}'`);
  }
  if (props.runbookUrl !== undefined && props.runbookUrl.trim() === '') {
    throw new HopaeSecretRotationPropsError('runbookUrl', 'must not be empty');
  }
  // EventBridge input templates read <name> as a placeholder.
  if (props.runbookUrl !== undefined && /[<>]/.test(props.runbookUrl)) {
    throw new HopaeSecretRotationPropsError('runbookUrl', `must not contain < or >; got '${props.runbookUrl}'`);
  }
}
