import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AUDIT_ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/names';
import { rotationFunctionCode } from './function-asset';
import { arnForPolicies } from './permissions';

/** The only actions the audit has, and only on the attached secrets: metadata, never a value. */
export const AUDIT_ACTIONS = ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'] as const;

// EventBridge caps a target's constant input at 8,192 characters: secret ids are split across
// rules below that. A deploy-time ARN (a token) is counted at its longest plausible length.
const MAX_INPUT_CHARS = 7_500;
const TOKEN_ID_CHARS = 200;

export interface RotationAuditProps {
  readonly secrets: readonly ISecret[];
  /** When the audit runs. */
  readonly schedule: events.Schedule;
  /** A pending version older than this is stuck. */
  readonly stuckAfter: Duration;
  /** No successful rotation for longer than this is overdue. */
  readonly overdueAfter: Duration;
  /** A secret that never rotated is overdue this long after its first scheduled rotation. */
  readonly overdueAfterScheduled: Duration;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The scheduled rotation audit: a second handler of the rotation bundle (`index.auditHandler`),
 * with its own read-only role and log group, run by EventBridge with the secret ids as input.
 */
export class RotationAudit extends Construct {
  readonly auditFunction: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** One rule per slice of secret ids that fits EventBridge's input limit; usually one. */
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: RotationAuditProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Hopae rotation audit: its own log group, and the metadata (never the values) of the rotated secrets',
    });
    this.logGroup.grantWrite(this.role);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadRotationMetadata', actions: [...AUDIT_ACTIONS], resources: props.secrets.map(arnForPolicies) }),
    );

    this.auditFunction = new lambda.Function(this, 'Function', {
      description: 'Hourly audit of Hopae app secret rotations: stuck, overdue or disabled',
      // The rotation's own prebuilt bundle: CDK uploads the asset once for both functions.
      code: rotationFunctionCode(),
      handler: 'index.auditHandler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.minutes(5),
      memorySize: 256,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        [AUDIT_ENV.stuckAfterMinutes]: String(Math.max(1, Math.round(props.stuckAfter.toMinutes({ integral: false })))),
        [AUDIT_ENV.overdueAfterHours]: String(Math.max(1, Math.ceil(props.overdueAfter.toHours({ integral: false })))),
        [AUDIT_ENV.overdueAfterScheduledHours]: String(Math.max(1, Math.ceil(props.overdueAfterScheduled.toHours({ integral: false })))),
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });

    this.rules = sliceSecretIds(props.secrets.map((secret) => secret.secretFullArn ?? secret.secretName)).map((secretIds, i) => {
      const rule = new events.Rule(this, i === 0 ? 'Schedule' : `Schedule${i + 1}`, {
        description: `Runs the Hopae rotation audit${i === 0 ? '' : ` (secrets slice ${i + 1})`}`,
        schedule: props.schedule,
      });
      rule.addTarget(new targets.LambdaFunction(this.auditFunction, { event: events.RuleTargetInput.fromObject({ secretIds }), retryAttempts: 2 }));
      return rule;
    });
  }
}

/** Splits secret ids into slices whose JSON input stays under EventBridge's limit. */
export function sliceSecretIds(ids: readonly string[]): string[][] {
  const slices: string[][] = [[]];
  let size = 0;
  for (const id of ids) {
    const length = (Token.isUnresolved(id) ? TOKEN_ID_CHARS : id.length) + 3;
    if (size + length > MAX_INPUT_CHARS && slices[slices.length - 1]!.length > 0) {
      slices.push([]);
      size = 0;
    }
    slices[slices.length - 1]!.push(id);
    size += length;
  }
  return slices;
}
