// The scratch app's stack (copied over `cdk init`'s lib/app-stack.ts): a platform team attaching the
// construct to an existing app secret, as the README's example does.
import * as cdk from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { HopaeEnvironment, HopaeRotationSchedule, HopaeSecretRotation, type HopaeSecretRotationProps } from 'hopae-secret-rotation';

export class AppStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const rotationProps: HopaeSecretRotationProps = {
      environment: HopaeEnvironment.SANDBOX,
      workspaceKeySecret: Secret.fromSecretNameV2(this, 'WorkspaceKey', 'hopae/workspace-key'),
      appSecrets: [Secret.fromSecretNameV2(this, 'App', 'hopae/apps/HqTRDIYH')],
      schedule: HopaeRotationSchedule.rate(cdk.Duration.days(30)),
      alarmEmail: 'oncall@example.com',
    };
    new HopaeSecretRotation(this, 'HopaeRotation', rotationProps);
  }
}
