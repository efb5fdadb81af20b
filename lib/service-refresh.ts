import { Arn, ArnFormat, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { HANDLERS, METRICS_NAMESPACE, REFRESH_LOG_MESSAGES, SERVICE_NAME } from '../lambda/names';
import { eventArnMatcher, patternOf } from './secret-patterns';
import { rotationFunctionCode } from './function-asset';
import { type FunctionSettings, sharedFunctionProps } from './function-settings';

/** The one action the refresh has, on the listed services only. */
const REFRESH_ACTIONS = ['ecs:UpdateService'] as const;

// EventBridge caps a target's constant input at 8,192 characters: long service lists are split
// across rules below that. A deploy-time value (a token) is counted at its longest plausible length.
const MAX_INPUT_CHARS = 7_500;
const TOKEN_CHARS = 200;

/** The services to redeploy after a rotation of one secret. */
export interface ServiceRefreshTarget {
  readonly secret: ISecret;
  readonly services: ecs.IBaseService[];
}

export interface ServiceRefreshProps {
  readonly targets: ServiceRefreshTarget[];
  /** Where the refresh's failure alarm goes. */
  readonly topic: sns.ITopic;
  readonly runbookUrl: string;
  readonly logRetention: logs.RetentionDays;
  /**
   * Network placement, proxy and tracing shared by the construct's functions (HopaeSecretRotation
   * passes its own).
   *
   * @internal
   */
  readonly _functionSettings?: FunctionSettings;
}

/**
 * `refreshOnRotation`: when Secrets Manager reports RotationSucceeded for a secret, a new
 * deployment of each ECS service that injects it, so that new tasks start with the new AWSCURRENT.
 * A third handler of the rotation bundle (`index.refreshHandler`) with its own role (only
 * `ecs:UpdateService` on these services) and log group, one EventBridge rule per secret, and an
 * alarm when a refresh fails. Tasks running before the new ones are up keep failing: reading the
 * secret at call time with the client helpers is the fix; this is the fallback.
 */
export class ServiceRefresh extends Construct {
  readonly refreshFunction: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** One rule per secret (more when its service list does not fit one EventBridge input). */
  readonly rules: events.Rule[];
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ServiceRefreshProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Hopae service refresh: its own log group, and a new deployment of the ECS services that inject rotated secrets',
    });
    this.logGroup.grantWrite(this.role);
    const services = [...new Set(props.targets.flatMap((target) => target.services))];
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'RedeployServices', actions: [...REFRESH_ACTIONS], resources: [...new Set(services.flatMap(serviceArnsForPolicies))] }),
    );

    this.refreshFunction = new lambda.Function(this, 'Function', {
      description: 'Starts a new deployment of the ECS services that inject a Hopae app secret, after its rotation succeeded',
      // The rotation's own prebuilt bundle: CDK uploads the asset once for every function.
      code: rotationFunctionCode(),
      handler: HANDLERS.refresh,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.minutes(1),
      memorySize: 256,
      logGroup: this.logGroup,
      // The handler retries each call itself; a Lambda retry would redeploy the services that succeeded.
      retryAttempts: 0,
      ...sharedFunctionProps(props._functionSettings, this.role, { POWERTOOLS_SERVICE_NAME: SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE }),
    });

    this.rules = [];
    props.targets.forEach((target, i) => {
      sliceServices(target.services).forEach((slice, j) => {
        const rule = new events.Rule(this, `Rule${i + 1}${j === 0 ? '' : `Part${j + 1}`}`, {
          description: `Redeploys the ECS services that inject ${describe(target.secret)} after its rotation succeeded`,
          eventPattern: {
            source: ['aws.secretsmanager'],
            detailType: ['AWS Service Event via CloudTrail'],
            detail: { eventName: ['RotationSucceeded'], additionalEventData: { SecretId: [eventArnMatcher(this, patternOf(target.secret))] } },
          },
        });
        rule.addTarget(
          new targets.LambdaFunction(this.refreshFunction, {
            event: events.RuleTargetInput.fromObject({
              secretId: events.EventField.fromPath('$.detail.additionalEventData.SecretId'),
              services: slice.map((service) => ({ cluster: service.cluster.clusterArn, service: service.serviceName })),
            }),
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
          }),
        );
        this.rules.push(rule);
      });
    });

    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription:
        'A Hopae service refresh failed: ECS services still run tasks with the old clientSecret, which Hopae rejects. ' +
        `Search the refresh function's log for "${REFRESH_LOG_MESSAGES.failed}": it names each service and the ` +
        `aws ecs update-service --force-new-deployment command that redeploys it. Runbook: ${props.runbookUrl}`,
      metric: this.refreshFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new cloudwatchActions.SnsAction(props.topic);
    this.errorsAlarm.addAlarmAction(action);
    this.errorsAlarm.addOkAction(action);
  }
}

/** Splits a service list into slices whose rule input stays under EventBridge's limit. */
function sliceServices(services: readonly ecs.IBaseService[]): ecs.IBaseService[][] {
  const slices: ecs.IBaseService[][] = [[]];
  let size = 0;
  for (const service of services) {
    const length = chars(service.cluster.clusterArn) + chars(service.serviceName) + 30;
    if (size + length > MAX_INPUT_CHARS && slices[slices.length - 1]!.length > 0) {
      slices.push([]);
      size = 0;
    }
    slices[slices.length - 1]!.push(service);
    size += length;
  }
  return slices;
}

function chars(value: string): number {
  return Token.isUnresolved(value) ? TOKEN_CHARS : value.length;
}

/**
 * The ARNs IAM may see for the service: the long format (`service/<cluster>/<name>`, every service
 * created since ECS made it mandatory), and the ARN CDK knows when that differs: an imported
 * service's ARN is in the short format unless the app sets `@aws-cdk/aws-ecs:arnFormatIncludesClusterName`.
 */
function serviceArnsForPolicies(service: ecs.IBaseService): string[] {
  const cluster = Arn.split(service.cluster.clusterArn, ArnFormat.SLASH_RESOURCE_NAME);
  const long = Arn.format({
    partition: cluster.partition,
    service: 'ecs',
    region: cluster.region,
    account: cluster.account,
    resource: 'service',
    resourceName: `${service.cluster.clusterName}/${service.serviceName}`,
  });
  return long === service.serviceArn ? [long] : [long, service.serviceArn];
}

function describe(secret: ISecret): string {
  return Token.isUnresolved(secret.secretName) ? 'a rotated Hopae app secret' : secret.secretName;
}
