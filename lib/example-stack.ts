import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { HopaeSecretRotation } from './hopae-secret-rotation';
import type { HopaeEnvironment } from './environment';
import { HopaeRotationSchedule } from './schedule';

export interface HopaeSecretRotationStackProps extends StackProps {
  /** The Hopae environment the apps belong to. */
  readonly environment: HopaeEnvironment;
  /** Name or complete ARN of the secret holding the workspace API key. */
  readonly workspaceKeySecret: string;
  /**
   * Names or complete ARNs of existing app secrets to rotate.
   *
   * @default - none
   */
  readonly appSecrets?: string[];
  /**
   * Apps whose secret the stack creates (`hopae/apps/<clientId>`, holding only the clientId).
   *
   * @default - none
   */
  readonly clientIds?: string[];
  /**
   * Days between rotations (ignored when `scheduleExpression` is set).
   *
   * @default - the construct's spread monthly schedules
   */
  readonly rotationDays?: number;
  /**
   * A cron(...) expression for rotations, e.g. `cron(0 4 ? * SUN *)`.
   *
   * @default - every `rotationDays` days, else the construct's spread monthly schedules
   */
  readonly scheduleExpression?: string;
  /**
   * Rotation window in hours.
   *
   * @default - Secrets Manager's default
   */
  readonly rotationWindowHours?: number;
  /**
   * How many app stacks hold the per-app resources (the construct's `appStackCount`): choose it
   * before the first deploy and keep it.
   *
   * @default 32
   */
  readonly appStackCount?: number;
  /**
   * ECS services to redeploy after each rotation of an app's secret (the construct's
   * `refreshOnRotation`): by app, as given in `appSecrets` (name or ARN) or `clientIds`, the
   * services' ARNs in the long format, `arn:aws:ecs:<region>:<account>:service/<cluster>/<name>`.
   *
   * @default - no service is redeployed
   */
  readonly refreshOnRotation?: Record<string, string[]>;
  /**
   * Address for failure alerts.
   *
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Runbook link put in alerts.
   *
   * @default - docs/runbook.md, section "Runbook: a rotation failed"
   */
  readonly runbookUrl?: string;
}

/** Deploys the rotation function for app secrets referenced by name or ARN, or created for clientIds. */
export class HopaeSecretRotationStack extends Stack {
  readonly rotation: HopaeSecretRotation;

  constructor(scope: Construct, id: string, props: HopaeSecretRotationStackProps) {
    super(scope, id, props);

    // Ids follow the secret, not its position, so reordering the list does not replace schedules.
    const appSecrets = new Map((props.appSecrets ?? []).map((ref) => [ref, importSecret(this, `AppSecret-${ref}`, ref)]));
    const services = new ServiceImports(this);
    const refreshOnRotation = Object.entries(props.refreshOnRotation ?? {}).map(([app, arns]) => ({
      ...(appSecrets.has(app) ? { secret: appSecrets.get(app)! } : { clientId: app }),
      services: arns.map((arn) => services.byArn(arn)),
    }));
    this.rotation = new HopaeSecretRotation(this, 'Rotation', {
      environment: props.environment,
      workspaceKeySecret: importSecret(this, 'WorkspaceKeySecret', props.workspaceKeySecret),
      appSecrets: [...appSecrets.values()],
      clientIds: props.clientIds,
      schedule: props.scheduleExpression
        ? HopaeRotationSchedule.cron(props.scheduleExpression)
        : props.rotationDays === undefined
          ? undefined
          : HopaeRotationSchedule.rate(Duration.days(props.rotationDays)),
      rotationWindow: props.rotationWindowHours === undefined ? undefined : Duration.hours(props.rotationWindowHours),
      alarmEmail: props.alarmEmail,
      runbookUrl: props.runbookUrl,
      appStackCount: props.appStackCount,
      ...(refreshOnRotation.length > 0 ? { refreshOnRotation } : {}),
    });

    new CfnOutput(this, 'RotationFunctionArn', {
      description: 'ARN of the Hopae clientSecret rotation function',
      value: this.rotation.rotationFunction.functionArn,
    });
    new CfnOutput(this, 'AlertTopicArn', {
      description: 'SNS topic that receives rotation failures and alarms',
      value: this.rotation.alerts.topic.topicArn,
    });
  }
}

/**
 * ECS services imported by ARN, each once. By cluster and name, so that the refresh role is granted
 * the service's long ARN and the short one a service created before 2021 still has.
 */
class ServiceImports {
  private readonly clusters = new Map<string, ecs.ICluster>();
  private readonly services = new Map<string, ecs.IBaseService>();

  constructor(private readonly scope: Construct) {}

  byArn(arn: string): ecs.IBaseService {
    const existing = this.services.get(arn);
    if (existing) return existing;
    const match = /^arn:([^:]+):ecs:([^:]+):(\d{12}):service\/([^/]+)\/([^/]+)$/.exec(arn);
    if (!match) throw new Error(`refreshOnRotation: ${arn} is not an ECS service ARN in the long format, arn:aws:ecs:<region>:<account>:service/<cluster>/<name>`);
    const [, partition, region, account, clusterName, serviceName] = match as unknown as [string, string, string, string, string, string];
    const clusterArn = `arn:${partition}:ecs:${region}:${account}:cluster/${clusterName}`;
    let cluster = this.clusters.get(clusterArn);
    if (!cluster) {
      cluster = ecs.Cluster.fromClusterArn(this.scope, `RefreshCluster-${clusterArn}`, clusterArn);
      this.clusters.set(clusterArn, cluster);
    }
    const service = ecs.FargateService.fromFargateServiceAttributes(this.scope, `RefreshService-${arn}`, { cluster, serviceName });
    this.services.set(arn, service);
    return service;
  }
}

/**
 * An ARN must be complete (with Secrets Manager's 6-character suffix) so IAM grants match it
 * exactly; a name is resolved by Secrets Manager and granted with a `-??????` wildcard.
 */
export function importSecret(scope: Construct, id: string, nameOrArn: string): ISecret {
  return nameOrArn.startsWith('arn:')
    ? Secret.fromSecretCompleteArn(scope, id, nameOrArn)
    : Secret.fromSecretNameV2(scope, id, nameOrArn);
}
