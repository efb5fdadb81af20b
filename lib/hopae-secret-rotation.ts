import * as path from 'node:path';
import { Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ISecret, RotationSchedule } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { parseApiBaseUrl } from '../lambda/config';

/** The Hopae Connect API a rotation talks to. */
export type HopaeEnvironment = 'sandbox' | 'production';

/** Base URL (including `/connect/v1`) of each Hopae environment. */
export const HOPAE_API_BASE_URLS: Readonly<Record<HopaeEnvironment, string>> = {
  sandbox: 'https://sandbox.api.hopae.com/connect/v1',
  production: 'https://api.hopae.com/connect/v1',
};

/** Value of POWERTOOLS_SERVICE_NAME, so log lines say which function wrote them. */
export const ROTATION_SERVICE_NAME = 'hopae-secret-rotation';

// The repository root, resolved from this file so the construct works from any working directory.
const PROJECT_ROOT = path.join(__dirname, '..');
const LAMBDA_ENTRY = path.join(PROJECT_ROOT, 'lambda', 'index.ts');
const DEPS_LOCK_FILE = path.join(PROJECT_ROOT, 'package-lock.json');

// Limits Secrets Manager (and CDK's RotationSchedule) accept for a rotation interval.
const MIN_ROTATION_INTERVAL = Duration.hours(4);
const MAX_ROTATION_INTERVAL = Duration.days(1000);
// Below 30 s a Hopae call with retries plus the Secrets Manager write does not fit; Lambda's cap is 15 min.
const MIN_TIMEOUT = Duration.seconds(30);
const MAX_TIMEOUT = Duration.minutes(15);
// Lambda's memory range.
const MIN_MEMORY_MB = 128;
const MAX_MEMORY_MB = 10_240;

/** Properties of a {@link HopaeSecretRotation}. Give exactly one of `environment` and `apiBaseUrl`. */
export interface HopaeSecretRotationProps {
  /**
   * The Hopae environment whose API the function calls. Mutually exclusive with `apiBaseUrl`.
   *
   * @default - none; give this or `apiBaseUrl`
   */
  readonly environment?: HopaeEnvironment;

  /**
   * An explicit Hopae API base URL including `/connect/v1`, for example a regional endpoint.
   * Must use https. Mutually exclusive with `environment`.
   *
   * @default - none; give this or `environment`
   */
  readonly apiBaseUrl?: string;

  /**
   * The secret holding the Hopae workspace API key (bare, or JSON `{"apiKey": "..."}`). The
   * function may only read it. If it is encrypted with a customer managed KMS key, import it with
   * that key (`Secret.fromSecretAttributes`) so the function is granted decrypt.
   */
  readonly workspaceKeySecret: ISecret;

  /**
   * The secrets holding the app credentials (clientId + clientSecret) to rotate. At least one, each
   * once. The same KMS note as for `workspaceKeySecret` applies. A secret created in another stack
   * makes a dependency cycle (its schedule needs this function, this function's policy needs the
   * secret): import it by ARN or name, or put this construct in the secret's stack.
   */
  readonly appSecrets: ISecret[];

  /**
   * How often Secrets Manager rotates each app secret: whole hours, from 4 hours to 1000 days.
   *
   * @default Duration.days(30)
   */
  readonly automaticallyAfter?: Duration;

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
}

/** Thrown by {@link HopaeSecretRotation} when its props are invalid; `prop` names the offending property. */
export class HopaeSecretRotationPropsError extends Error {
  constructor(
    readonly prop: keyof HopaeSecretRotationProps,
    detail: string,
  ) {
    super(`HopaeSecretRotation: ${prop} ${detail}`);
    this.name = 'HopaeSecretRotationPropsError';
  }
}

/**
 * A Secrets Manager rotation function for the clientSecret of Hopae Connect apps, attached to each
 * app secret with a rotation schedule.
 */
export class HopaeSecretRotation extends Construct {
  /** The rotation Lambda. */
  readonly rotationFunction: NodejsFunction;

  /** One rotation schedule per app secret, in the order of `appSecrets`. */
  readonly rotationSchedules: RotationSchedule[];

  /** The Hopae API base URL the function calls. */
  readonly apiBaseUrl: string;

  constructor(scope: Construct, id: string, props: HopaeSecretRotationProps) {
    super(scope, id);

    this.apiBaseUrl = resolveApiBaseUrl(props);
    const automaticallyAfter = validateRotationInterval(props.automaticallyAfter ?? Duration.days(30));
    const timeout = validateTimeout(props.timeout ?? Duration.seconds(60));
    const memorySize = validateMemorySize(props.memorySize ?? 256);
    validateAppSecrets(props.appSecrets);

    this.rotationFunction = new NodejsFunction(this, 'Function', {
      description: 'Secrets Manager rotation of Hopae Connect app clientSecrets',
      entry: LAMBDA_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout,
      memorySize,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: DEPS_LOCK_FILE,
      bundling: {
        // The AWS SDK is bundled on purpose: production runs exactly the SDK version the tests ran.
        externalModules: [],
        minify: true,
        keepNames: true,
        sourceMap: false,
        target: 'node24',
        format: OutputFormat.CJS,
      },
      environment: {
        HOPAE_API_BASE_URL: this.apiBaseUrl,
        // The complete ARN when known; otherwise the name (a secret imported by name has no suffix,
        // and a partial ARN makes Secrets Manager guess).
        HOPAE_API_KEY_SECRET_ID: props.workspaceKeySecret.secretFullArn ?? props.workspaceKeySecret.secretName,
        POWERTOOLS_SERVICE_NAME: ROTATION_SERVICE_NAME,
      },
    });

    props.workspaceKeySecret.grantRead(this.rotationFunction);

    // The schedule lives in the secret's own scope, so one fixed id is stable and unique per secret
    // (a secret can have only one rotation) and does not depend on the order of appSecrets.
    this.rotationSchedules = props.appSecrets.map((secret) =>
      secret.addRotationSchedule('HopaeRotationSchedule', {
        rotationLambda: this.rotationFunction,
        automaticallyAfter,
        rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate ?? false,
      }),
    );
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

function validateRotationInterval(interval: Duration): Duration {
  if (interval.isUnresolved()) return interval;
  const ms = interval.toMilliseconds();
  if (ms < MIN_ROTATION_INTERVAL.toMilliseconds() || ms > MAX_ROTATION_INTERVAL.toMilliseconds()) {
    throw new HopaeSecretRotationPropsError('automaticallyAfter', `must be between 4 hours and 1000 days; got ${interval.toHumanString()}`);
  }
  // Secrets Manager rate() expressions take hours or days only; CDK would render minutes otherwise.
  if (ms % Duration.hours(1).toMilliseconds() !== 0) {
    throw new HopaeSecretRotationPropsError('automaticallyAfter', `must be a whole number of hours; got ${interval.toHumanString()}`);
  }
  return interval;
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

function validateAppSecrets(appSecrets: readonly ISecret[]): void {
  if (appSecrets.length === 0) {
    throw new HopaeSecretRotationPropsError('appSecrets', 'must contain at least one secret');
  }
  if (new Set(appSecrets).size !== appSecrets.length) {
    throw new HopaeSecretRotationPropsError('appSecrets', 'contains the same secret more than once');
  }
}
