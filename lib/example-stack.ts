import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { HopaeSecretRotation, type HopaeEnvironment } from './hopae-secret-rotation';

export interface HopaeSecretRotationStackProps extends StackProps {
  /** The Hopae environment the app secrets belong to. */
  readonly environment: HopaeEnvironment;
  /** Name or complete ARN of the secret holding the workspace API key. */
  readonly workspaceKeySecret: string;
  /** Names or complete ARNs of the app secrets to rotate. */
  readonly appSecrets: string[];
  /**
   * Days between rotations.
   *
   * @default 30
   */
  readonly rotationDays?: number;
}

/** Deploys the rotation function for existing secrets, referenced by name or ARN. */
export class HopaeSecretRotationStack extends Stack {
  readonly rotation: HopaeSecretRotation;

  constructor(scope: Construct, id: string, props: HopaeSecretRotationStackProps) {
    super(scope, id, props);

    this.rotation = new HopaeSecretRotation(this, 'Rotation', {
      environment: props.environment,
      workspaceKeySecret: importSecret(this, 'WorkspaceKeySecret', props.workspaceKeySecret),
      // Ids follow the secret, not its position, so reordering the list does not replace schedules.
      appSecrets: props.appSecrets.map((ref) => importSecret(this, `AppSecret-${ref}`, ref)),
      automaticallyAfter: Duration.days(props.rotationDays ?? 30),
    });

    new CfnOutput(this, 'RotationFunctionArn', {
      description: 'ARN of the Hopae clientSecret rotation function',
      value: this.rotation.rotationFunction.functionArn,
    });
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
