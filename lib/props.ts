import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { HopaeEnvironment } from './environment';
import type { HopaeRotationSchedule } from './schedule';
import type { SecretsManagerEndpoint } from './secrets-manager-endpoint';

/** Where the alerts point when no runbookUrl is given. */
export const DEFAULT_RUNBOOK = 'docs/runbook.md of the hopae-secret-rotation package, section Runbook: a rotation failed';

/**
 * ECS services whose tasks read one rotated app secret only when they start (`secrets` in the task
 * definition injects it as an environment variable), so they get a new deployment each time a
 * rotation of it succeeds. Name the secret by `secret` or by `clientId`.
 */
export interface HopaeServiceRefresh {
  /**
   * The app secret the services inject: one of `appSecrets`.
   *
   * @default - none; give this or `clientId`
   */
  readonly secret?: ISecret;

  /**
   * The app whose secret this construct creates: one of `clientIds`.
   *
   * @default - none; give this or `secret`
   */
  readonly clientId?: string;

  /**
   * The services to redeploy (`ecs:UpdateService` with `forceNewDeployment`), e.g.
   * `ecs.FargateService.fromFargateServiceAttributes(this, 'Api', { cluster, serviceName: 'api' })`.
   * At least one.
   */
  readonly services: ecs.IBaseService[];
}

/**
 * Properties of a `HopaeSecretRotation`. Give exactly one of `environment` and `apiBaseUrl`,
 * and at least one app through `appSecrets` or `clientIds`.
 */
export interface HopaeSecretRotationProps {
  /**
   * The Hopae environment whose API the function calls: `HopaeEnvironment.SANDBOX` or
   * `HopaeEnvironment.PRODUCTION`. Mutually exclusive with `apiBaseUrl`.
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
   * How many stacks hold the per-app resources (each `clientIds` entry: its secret, the secret's
   * resource policy and its rotation schedule, 3 resources; each `appSecrets` entry: its rotation
   * schedule, 1). They are top-level stacks beside this construct's stack, named
   * `<stack name>-<construct id>-Apps<n>`; an app goes to the one its secret's name hashes to, so
   * adding apps never moves others. A stack exists once an app belongs to it.
   *
   * Choose it before the first deploy and keep it: changing it moves most apps to another stack
   * (their rotation schedules are deleted and created again, and created secrets cannot move).
   * CloudFormation allows 500 resources per stack: the default holds about 4,000 created or
   * 13,000 existing app secrets (docs/fleet.md has the measured limits); synth refuses a fleet
   * that does not fit, naming this prop. Between 1 and 200.
   *
   * @default 32
   */
  readonly appStackCount?: number;

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
   * Whether, without a `schedule`, each secret rotates monthly on a day and hour of its own, so a
   * fleet does not rotate all at once (docs/fleet.md). True: `cron(0 H D * ? *)` with day D 1–28
   * and hour H from a hash of the secret's name, and a 2-hour window (or `rotationWindow`). False:
   * every secret on HopaeRotationSchedule.rate(Duration.days(30)).
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
   * How long a pending version apart from AWSCURRENT may exist before the audit calls the rotation
   * stuck. Also the one in-flight threshold of the operator CLI: the construct puts it in the
   * rotation function's environment (HOPAE_STUCK_AFTER_MINUTES, whole minutes), where
   * `hopae-rotation status`, `doctor` and `recover` read it; `recover` changes no pending version
   * younger than it without --force.
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
   * SNS topic for failure alerts (failed or abandoned rotations, function errors and throttles,
   * the audit's alarms). Mutually exclusive with `alarmEmail`. A topic defined in the same app gets
   * a topic policy allowing this stack's failure rule (EventBridge) and this account's CloudWatch
   * alarms to publish, and its key (if in the app) lets both use it. An imported topic
   * (`Topic.fromTopicArn`) is not changed: its policy and key policy must allow events.amazonaws.com
   * and cloudwatch.amazonaws.com themselves.
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
   * @default HopaeSecretRotation.DEFAULT_RUNBOOK
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
   * ECS services that inject a rotated secret as an environment variable, to redeploy each time a
   * rotation of that secret succeeds (Secrets Manager's RotationSucceeded event). Their running
   * tasks fail from Hopae's commit until the new tasks run: reading the secret at call time with
   * the client helpers (docs/client.md) is the fix, this the fallback for what cannot re-read.
   *
   * Each secret's EventBridge rule goes into its app's app stack, with one refresh role per app
   * stack that may call `ecs:UpdateService` on that stack's services only; the construct's stack
   * keeps the refresh function and one invoke permission for any fleet (docs/fleet.md).
   * Limits: about 480 services per app stack with names of about 25 characters (a role's inline
   * policies 10,240 characters and 10 managed policies of 6,144: "IAM and AWS STS quotas", IAM
   * User Guide); synth refuses more with HopaeSecretRotationPropsError naming this prop and
   * appStackCount. One rule per secret on the default event bus, whose default quota is 300 rules
   * (100 in af-south-1 and eu-south-1: "Amazon EventBridge quotas", EventBridge User Guide); synth
   * warns past it.
   *
   * @default - no service is redeployed
   */
  readonly refreshOnRotation?: HopaeServiceRefresh[];

  /**
   * Reserved concurrency of the function; at least 10 (below that, Secrets Manager is throttled and loops).
   *
   * @default - none reserved
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Upper bound of one HTTP request to Hopae (also capped by the time the step has left). Between
   * 1 second and the function's `timeout`. Sets the function's HOPAE_REQUEST_TIMEOUT_MS.
   *
   * @default Duration.seconds(8)
   */
  readonly hopaeRequestTimeout?: Duration;

  /**
   * Attempts at the rotate call that may fail (network, timeout, 5xx, garbled 2xx), all with the
   * same Idempotency-Key; 429s and "in progress" answers are bounded by the step's time instead.
   * A whole number from 1 to 20. Sets HOPAE_ROTATE_MAX_ATTEMPTS.
   *
   * @default 8
   */
  readonly hopaeRotateMaxAttempts?: number;

  /**
   * Attempts at the read-only check of the new pair in testSecret (a 401 is re-checked briefly: how
   * fast a new secret propagates at Hopae is undocumented). A whole number from 1 to 20. Sets
   * HOPAE_VERIFY_MAX_ATTEMPTS.
   *
   * @default 4
   */
  readonly hopaeVerifyMaxAttempts?: number;

  /**
   * First backoff step between attempts; later steps double, with full jitter. Between 10
   * milliseconds and `hopaeRetryMaxDelay`. Sets HOPAE_RETRY_BASE_DELAY_MS.
   *
   * @default Duration.millis(200)
   */
  readonly hopaeRetryBaseDelay?: Duration;

  /**
   * Cap of one backoff step (a longer Retry-After from Hopae is still honoured while the step has
   * time). Between `hopaeRetryBaseDelay` and the function's `timeout`. Sets HOPAE_RETRY_MAX_DELAY_MS.
   *
   * @default Duration.seconds(4)
   */
  readonly hopaeRetryMaxDelay?: Duration;

  /**
   * Time kept back from each step's remaining Lambda time to store Hopae's answer in Secrets
   * Manager. Between 1 second and the function's `timeout` less 1 second (the least time a call to
   * Hopae needs). Sets ROTATION_STORE_RESERVE_MS.
   *
   * @default Duration.seconds(5)
   */
  readonly storeReserve?: Duration;

  /**
   * The VPC to run every function of the construct in (the rotation, the audit and any other).
   * In a VPC the functions reach Hopae and Secrets Manager only through the subnets' routes: a NAT
   * gateway, `httpsProxy`, and for Secrets Manager also `secretsManagerEndpoint`. The synth fails
   * on subnets that cannot work: public subnets (a Lambda function there gets no public IP), and
   * isolated subnets without both `httpsProxy` and `secretsManagerEndpoint`
   * (docs/deployment.md, "Network layouts").
   *
   * @default - not in a VPC: Lambda's own network, with internet access
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Which subnets of `vpc` the functions use. Spread them over two or more Availability Zones.
   *
   * @default - the VPC's private subnets with egress; without those, its isolated subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the functions in `vpc`. Their outbound rules must allow HTTPS (443) to
   * Hopae and Secrets Manager (or its endpoint), or the proxy's port.
   *
   * @default - one new security group that allows outbound HTTPS, and the proxy's port when `httpsProxy` is set, and nothing else
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * An interface VPC endpoint through which the functions in `vpc` reach Secrets Manager:
   * `SecretsManagerEndpoint.createInterfaceEndpoint()` or
   * `SecretsManagerEndpoint.fromInterfaceEndpoint(endpoint)`. Required with isolated subnets.
   *
   * @default - none: Secrets Manager's public endpoint, through the subnets' NAT route or `httpsProxy`
   */
  readonly secretsManagerEndpoint?: SecretsManagerEndpoint;

  /**
   * URL of an HTTP proxy that tunnels HTTPS (CONNECT), e.g. `http://proxy.internal:3128`, through
   * which the functions reach Hopae, and Secrets Manager unless `noProxy` or
   * `secretsManagerEndpoint` exempts it. The functions use Node.js 24's built-in proxy support
   * (`NODE_USE_ENV_PROXY=1`, `HTTPS_PROXY`, `NO_PROXY`): TLS runs end to end through the tunnel,
   * so a TLS-inspecting proxy must let these hosts through uninspected. No user or password: the
   * URL is stored in plain text in the template and the functions' configuration; allow the
   * functions by source address or security group instead.
   *
   * @default - no proxy: direct connections
   */
  readonly httpsProxy?: string;

  /**
   * Hosts the functions reach directly, not through `httpsProxy`: `NO_PROXY` entries such as
   * `secretsmanager.eu-central-1.amazonaws.com`, `.internal.example.com` (a domain and its
   * subdomains) or `10.0.0.0/8`. Loopback and the `secretsManagerEndpoint`'s hostname are always
   * exempt.
   *
   * @default - only loopback and the Secrets Manager endpoint's hostname
   */
  readonly noProxy?: string[];

  /**
   * An existing execution role for the rotation function (e.g. one your organisation provisions).
   * The construct adds the permissions it needs to the role's policy. It must trust
   * `lambda.amazonaws.com`. A role imported with `mutable: false` is refused: the construct can
   * neither add its statements nor see whether they are attached, so the synth fails, listing the
   * statements. The audit and any other function keep roles of their own.
   *
   * @default - a new role with only the rotation's permissions
   */
  readonly role?: iam.IRole;

  /**
   * Permissions boundary for every IAM role the construct creates (not for `role`). Also honoured
   * without this prop: `PermissionsBoundary.of(scope).apply(...)` on an enclosing scope and the
   * `@aws-cdk/core:permissionsBoundary` context; this prop wins over both.
   *
   * @default - the enclosing scope's or the context's boundary, if any
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;

  /**
   * Lambda tracing (AWS X-Ray) of every function of the construct. `Tracing.ACTIVE` records each
   * invocation's segments; the functions carry no X-Ray SDK, so the bundle does not grow. Adds
   * `xray:PutTraceSegments` and `xray:PutTelemetryRecords`, which take no resource (`*`), to the
   * functions' roles.
   *
   * @default - no active tracing (Lambda's PassThrough)
   */
  readonly tracing?: lambda.Tracing;
}
