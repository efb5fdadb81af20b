import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AUDIT_ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/names';
import { rotationFunctionCode } from './function-asset';
import { type FunctionSettings, sharedFunctionProps } from './function-settings';
import { acknowledgeWildcards, auditPolicyStatements, WILDCARD_REASONS } from './permissions';

/** How long one audit run may take: 10,000 secrets take well under a minute (BENCHMARKS.md, fleet-deploy). */
export const AUDIT_TIMEOUT = Duration.minutes(5);

export interface RotationAuditProps {
  /** The rotation function: the audit covers every secret whose rotation function it is. */
  readonly rotationFunction: lambda.IFunction;
  /** How many secrets the construct attaches: fewer found means some were deleted or re-pointed. */
  readonly attachedSecretCount: number;
  /** When the audit runs. */
  readonly schedule: events.Schedule;
  /** A pending version older than this is stuck. */
  readonly stuckAfter: Duration;
  /** No successful rotation for longer than this is overdue. */
  readonly overdueAfter: Duration;
  /** A secret that never rotated is overdue this long after its first scheduled rotation. */
  readonly overdueAfterScheduled: Duration;
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
 * The scheduled rotation audit: a second handler of the rotation bundle (`index.auditHandler`),
 * with its own read-only role and log group, run by one EventBridge rule. It finds the fleet
 * itself (ListSecrets), so its rule, role and environment are the same size for any fleet.
 */
export class RotationAudit extends Construct {
  readonly auditFunction: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: RotationAuditProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Hopae rotation audit: its own log group, and the metadata (never the values) of the secrets the rotation function rotates',
    });
    this.logGroup.grantWrite(this.role);
    for (const statement of auditPolicyStatements(this, props.rotationFunction.functionArn)) this.role.addToPrincipalPolicy(statement);
    acknowledgeWildcards(this.role.node.findChild('DefaultPolicy'), { everySecret: WILDCARD_REASONS.auditVersions, anyResource: WILDCARD_REASONS.auditList });

    this.auditFunction = new lambda.Function(this, 'Function', {
      description: 'Audit of Hopae app secret rotations: stuck, overdue, disabled, scheduled for deletion',
      // The rotation's own prebuilt bundle: CDK uploads the asset once for both functions.
      code: rotationFunctionCode(),
      handler: 'index.auditHandler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: AUDIT_TIMEOUT,
      memorySize: 256,
      logGroup: this.logGroup,
      ...sharedFunctionProps(props._functionSettings, this.role, {
        [AUDIT_ENV.rotationFunctionArn]: props.rotationFunction.functionArn,
        [AUDIT_ENV.attachedSecrets]: String(props.attachedSecretCount),
        [AUDIT_ENV.stuckAfterMinutes]: String(Math.max(1, Math.round(props.stuckAfter.toMinutes({ integral: false })))),
        [AUDIT_ENV.overdueAfterHours]: String(Math.max(1, Math.ceil(props.overdueAfter.toHours({ integral: false })))),
        [AUDIT_ENV.overdueAfterScheduledHours]: String(Math.max(1, Math.ceil(props.overdueAfterScheduled.toHours({ integral: false })))),
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      }),
    });

    this.rule = new events.Rule(this, 'Schedule', { description: 'Runs the Hopae rotation audit', schedule: props.schedule });
    // A run that fails is not retried by EventBridge (the function reports its own errors); the next run comes on schedule.
    this.rule.addTarget(new targets.LambdaFunction(this.auditFunction, { retryAttempts: 0 }));
  }
}
