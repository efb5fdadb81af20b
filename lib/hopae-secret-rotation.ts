import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CfnRotationSchedule, type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, ROTATION_FUNCTION_ENV, SERVICE_NAME } from '../lambda/names';
import { RotationAlerts } from './alerts';
import { rotationFunctionCode } from './function-asset';
import { AppStacks, appStackIndex, checkAppStackCapacity, DEFAULT_APP_STACK_COUNT, validateAppStackCount } from './app-stacks';
import { addToRole, FunctionSettings } from './function-settings';
import { acknowledgeWildcards, invokeSourceArn, rotateAttachedSecretsStatement, rotationPolicyStatements, WILDCARD_REASONS } from './permissions';
import { auditSettings, FleetMonitoring } from './fleet-monitoring';
import { DEFAULT_RUNBOOK, type HopaeSecretRotationProps } from './props';
import { refreshResourceCounts } from './refresh-plan';
import { planRotationRules, spreadScheduleFor } from './schedule-spread';
import { knownSecretName, patternOf } from './secret-patterns';
import { ServiceRefresh } from './service-refresh';
import {
  appSecretLookup,
  hopaeRetryEnvironment,
  propsError,
  resolveApiBaseUrl,
  validateAlertProps,
  validateAppSecrets,
  validateClientIds,
  validateMemorySize,
  validateNetwork,
  validateRefreshOnRotation,
  validatePresence,
  validateReservedConcurrency,
  validateSecretNames,
  validateTimeout,
} from './validate-props';
import { validateKeys, validateSecretPlacement } from './validate-resources';
import { validatePropTypes } from './validate-prop-types';

/** A Duration as whole minutes (at least 1), as the environment carries it. */
function wholeMinutes(duration: Duration): string {
  return String(Math.max(1, Math.round(duration.toMinutes({ integral: false }))));
}

/**
 * A Secrets Manager rotation function for the clientSecret of Hopae Connect apps, attached to each
 * app secret with a rotation schedule, with least-privilege permissions and failure alerts.
 */
export class HopaeSecretRotation extends Construct {
  /** Where the alerts point when no `runbookUrl` is given: the runbook in this package's docs. */
  static readonly DEFAULT_RUNBOOK: string = DEFAULT_RUNBOOK;

  /** The rotation Lambda. */
  readonly rotationFunction: lambda.Function;

  /** Its execution role: the one given as `role`, or a new one with only the permissions a rotation needs. */
  readonly role: iam.IRole;

  /** The role's policy on the secrets whose rotation function is this function (`secretsmanager:resource/AllowRotationLambdaArn`). */
  readonly rotationPolicy: iam.Policy;

  /**
   * The stacks beside this construct's stack that hold the per-app resources (created secrets,
   * their resource policies, rotation schedules): each app in the one its secret's name hashes to,
   * out of `appStackCount`. Deploy them with this stack (`cdk deploy --all`).
   */
  readonly appStacks: Stack[];

  /** The function's log group. */
  readonly logGroup: logs.LogGroup;

  /** Every rotated secret: `appSecrets`, then those created for `clientIds`. */
  readonly secrets: ISecret[];

  /** The secrets created for `clientIds`, by clientId, in the app stacks: from this construct's stack refer to them by name, not by these objects (that would be a dependency cycle). */
  readonly createdSecrets: Readonly<Record<string, Secret>>;

  /** One rotation schedule per secret, in the order of `secrets`, each in its app's stack. */
  readonly rotationSchedules: CfnRotationSchedule[];

  /** Topic, EventBridge rule and alarms that report failures. */
  readonly alerts: RotationAlerts;

  /** The rotation audit (stuck, overdue, disabled), its alarms and the dashboard. */
  readonly monitoring: FleetMonitoring;

  /** The Hopae API base URL the function calls. */
  readonly apiBaseUrl: string;

  /** The redeployment of ECS services after a rotation (`refreshOnRotation`); undefined without it. */
  readonly serviceRefresh?: ServiceRefresh;

  constructor(scope: Construct, id: string, props: HopaeSecretRotationProps) {
    super(scope, id);

    validatePropTypes(props);
    validatePresence(props);
    this.apiBaseUrl = resolveApiBaseUrl(props);
    const rotationRules = planRotationRules(props);
    const audit = auditSettings(props, rotationRules.longestInterval, rotationRules.window);
    const timeout = validateTimeout(props.timeout ?? Duration.seconds(60));
    const memorySize = validateMemorySize(props.memorySize ?? 256);
    validateReservedConcurrency(props.reservedConcurrentExecutions);
    const clientIds = validateClientIds(props.clientIds ?? []);
    const secretNamePrefix = props.secretNamePrefix ?? 'hopae/apps/';
    validateSecretNames(secretNamePrefix, clientIds);
    const retryEnvironment = hopaeRetryEnvironment(props, timeout);
    validateAppSecrets(props.appSecrets ?? [], clientIds.map((clientId) => `${secretNamePrefix}${clientId}`), props.workspaceKeySecret);
    validateAlertProps(props);
    validateSecretPlacement(this, props);
    validateKeys(props);
    const refreshOnRotation = props.refreshOnRotation ?? [];
    validateRefreshOnRotation(refreshOnRotation, props.appSecrets ?? [], clientIds);
    const runbookUrl = props.runbookUrl ?? DEFAULT_RUNBOOK;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const network = validateNetwork(props);

    // Every role created below, in this construct's scope, takes the boundary (an Aspect).
    if (props.permissionsBoundary) iam.PermissionsBoundary.of(this).apply(props.permissionsBoundary);
    const functionSettings = new FunctionSettings(this, 'Network', network, props.tracing);

    const appStackCount = validateAppStackCount(props.appStackCount ?? DEFAULT_APP_STACK_COUNT);
    const appSecrets = props.appSecrets ?? [];
    const createdName = (clientId: string) => `${secretNamePrefix}${clientId}`;
    // Each app's stack follows from its key alone (the name its spread schedule hashes too).
    const appKey = (secret: ISecret) => spreadScheduleFor(secret).key;
    // The appSecrets entry a refreshOnRotation secret names (the same object, or the same ARN or name: validated above).
    const rotatedSecret = appSecretLookup(appSecrets);
    // Each refreshOnRotation entry by the key of the app it names (an appSecrets entry or a clientId).
    const refreshKeys = refreshOnRotation.map((entry) => (entry.clientId !== undefined ? createdName(entry.clientId) : appKey(rotatedSecret(entry.secret!)!)));
    const capacityRemedy =
      `Before this construct's first deploy: give a larger appStackCount (now ${appStackCount}) to spread the services over more app stacks, each with its own refresh role. ` +
      'Once deployed: put further apps in a second HopaeSecretRotation (docs/fleet.md).';
    const refreshCounts = refreshResourceCounts(
      this,
      refreshOnRotation.map((entry, i) => ({ key: refreshKeys[i]!, group: appStackIndex(refreshKeys[i]!, appStackCount), services: entry.services })),
      (group) => `the refresh role of app stack ${group}`,
      capacityRemedy,
    );
    const refreshRules = (key: string) => refreshCounts.perApp.get(key) ?? 0;
    checkAppStackCapacity(
      [
        ...appSecrets.map((secret) => ({ key: appKey(secret), resources: 1 + refreshRules(appKey(secret)) })),
        ...clientIds.map((clientId) => ({ key: createdName(clientId), resources: 3 + refreshRules(createdName(clientId)) })),
      ],
      appStackCount,
      refreshCounts.perGroup,
    );

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role =
      props.role ??
      new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'Hopae secret rotation: its own log group, the secrets it is the rotation function of, and the workspace-key secret',
      });
    const encryptionKeyOf = (secret: ISecret) => secret.encryptionKey;
    const keyedSecrets = [
      ...appSecrets.map((secret) => ({ pattern: patternOf(secret), key: encryptionKeyOf(secret) })),
      ...clientIds.map((clientId) => ({ pattern: { kind: 'named' as const, text: createdName(clientId) }, key: props.encryptionKey })),
    ];
    // Instead of the managed AWSLambdaBasicExecutionRole (logs on every log group): this one only.
    const statements = [
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
      ...rotationPolicyStatements(this, keyedSecrets, props.workspaceKeySecret),
    ];
    // A role imported with mutable: false takes nothing: collect what it would need.
    const refused = statements.filter((statement) => !addToRole(this.role, statement));
    const shared = functionSettings.functionProps(
      this.role,
      {
        HOPAE_API_BASE_URL: this.apiBaseUrl,
        // The complete ARN when known; otherwise the name (a partial ARN makes Secrets Manager guess).
        HOPAE_API_KEY_SECRET_ID: props.workspaceKeySecret.secretFullArn ?? props.workspaceKeySecret.secretName,
        // So log lines say which function wrote them.
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Not read by the function: the one in-flight threshold the operator CLI reads from here.
        [ROTATION_FUNCTION_ENV.stuckAfterMinutes]: wholeMinutes(audit.stuckAfter),
        ...retryEnvironment,
      },
      refused,
    );
    if (refused.length > 0) {
      // The statement below goes into a policy of its own once the function exists; name the function in words.
      refused.push(rotateAttachedSecretsStatement(this, '<the ARN of this rotation function>'));
      throw immutableRoleError(this, refused, props.tracing);
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
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      ...shared,
    });

    // Every secret whose rotation function is this function: a fixed size for any fleet. Its own
    // policy, not the role's default one, which the function depends on (a dependency cycle).
    this.rotationPolicy = new iam.Policy(this, 'RotateAttachedSecrets', {
      statements: [rotateAttachedSecretsStatement(this, this.rotationFunction.functionArn)],
      roles: [this.role],
    });
    acknowledgeWildcards(this.rotationPolicy, { everySecret: WILDCARD_REASONS.rotation });

    // SourceAccount and SourceArn: only this account's Secrets Manager, rotating these secrets, may
    // invoke it (CDK's RotationSchedule sets neither). SourceArn is a pattern: see invokeSourceArn.
    new lambda.CfnPermission(this, 'InvokeBySecretsManager', {
      action: 'lambda:InvokeFunction',
      functionName: this.rotationFunction.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Stack.of(this).account,
      sourceArn: invokeSourceArn(this, [...appSecrets.map(knownSecretName), ...clientIds.map(createdName)]),
    });

    // The per-app resources, in stacks of their own beside this one (lib/app-stacks.ts).
    const stacks = new AppStacks(this, appStackCount);
    const createdSecrets: Record<string, Secret> = {};
    for (const clientId of clientIds) {
      createdSecrets[clientId] = new Secret(stacks.stackFor(createdName(clientId)), `AppSecret-${clientId}`, {
        secretName: createdName(clientId),
        description: `Hopae Connect app ${clientId}: clientId and clientSecret, rotated by ${this.node.path}`,
        // Only the clientId, which is not secret: the first rotation asks Hopae for the clientSecret.
        secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ clientId })),
        encryptionKey: props.encryptionKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.createdSecrets = createdSecrets;
    this.secrets = [...appSecrets, ...Object.values(createdSecrets)];

    // Each app's per-app resources (rotation schedule, refresh rules) share one scope in its app stack.
    const appScopes = new Map<string, Construct>();
    this.rotationSchedules = this.secrets.map((secret) => {
      const key = appKey(secret);
      const created = Object.values(createdSecrets).includes(secret as Secret);
      // A created secret's schedule sits in its scope; an imported one's gets a scope named by its key.
      const scope = created ? secret : new Construct(stacks.stackFor(key), `App-${key}`);
      appScopes.set(key, scope);
      const rotationSchedule = new CfnRotationSchedule(scope, 'HopaeRotationSchedule', {
        secretId: secret.secretFullArn ?? secret.secretName,
        rotationLambdaArn: this.rotationFunction.functionArn,
        rotationRules: rotationRules.rulesFor(secret),
        rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate ?? false,
      });
      // Secrets this app owns get a policy, in their own stack, that denies deleting them, as CDK's
      // RotationSchedule does (a no-op for an imported secret).
      secret.denyAccountRootDelete();
      return rotationSchedule;
    });
    this.appStacks = stacks.stacks;

    this.alerts = new RotationAlerts(this, 'Alerts', {
      rotationFunction: this.rotationFunction,
      secrets: this.secrets,
      topic: props.alarmTopic,
      email: props.alarmEmail,
      runbookUrl,
    });

    this.monitoring = new FleetMonitoring(this, 'Monitoring', {
      attachedSecretCount: this.secrets.length,
      rotationFunction: this.rotationFunction,
      topic: this.alerts.topic,
      runbookUrl,
      logRetention,
      settings: audit,
      dashboard: props.dashboard ?? true,
      _functionSettings: functionSettings,
    });

    if (refreshOnRotation.length > 0) {
      this.serviceRefresh = new ServiceRefresh(this, 'ServiceRefresh', {
        // The secret as the construct rotates it, its rules beside its rotation schedule.
        targets: refreshOnRotation.map((entry, i) => ({
          secret: entry.clientId !== undefined ? createdSecrets[entry.clientId]! : rotatedSecret(entry.secret!)!,
          services: entry.services,
          _scope: appScopes.get(refreshKeys[i]!),
        })),
        topic: this.alerts.topic,
        runbookUrl,
        logRetention,
        _functionSettings: functionSettings,
        _capacityRemedy: capacityRemedy,
      });
    }
  }
}

/**
 * The synth error for a `role` imported with `mutable: false`: the statements to attach to it,
 * as CloudFormation will render them (values known only at deploy time as `{"Ref": ...}` / `{"Fn::GetAtt": ...}`).
 */
function immutableRoleError(scope: Construct, refused: iam.PolicyStatement[], tracing: lambda.Tracing | undefined): Error {
  const needed = [...refused];
  // lambda.Function adds these itself with tracing; an immutable role drops them silently.
  if (tracing === lambda.Tracing.ACTIVE || tracing === lambda.Tracing.PASS_THROUGH) {
    needed.push(new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }));
  }
  const document = Stack.of(scope).resolve(new iam.PolicyDocument({ statements: needed }).toJSON()) as unknown;
  return propsError(
    'role',
    'cannot take the permissions the rotation function needs (it was imported with mutable: false), and the construct cannot ' +
      'see whether they are attached, so every synth with this role fails, attached or not. Import the role mutable ' +
      '(Role.fromRoleArn without mutable: false: the construct attaches these statements to it as an AWS::IAM::Policy), ' +
      'or leave role out for a role of the construct\'s. The statements ({"Ref": ...} and {"Fn::GetAtt": ...} are resources ' +
      'of this stack; the function\'s ARN exists once the stack is deployed): ' +
      JSON.stringify(document),
  );
}

