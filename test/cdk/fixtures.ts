import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { HopaeSecretRotation, type HopaeSecretRotationProps } from '../../lib';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-central-1';
export const WORKSPACE_KEY_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/workspace-key-AbCdEf`;
export const APP_SECRET_ARNS = [
  `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/first-Gh1jKl`,
  `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/second-Mn2oPq`,
] as const;

/** An App that skips asset bundling: template tests need no esbuild run. */
export function appWithoutBundling(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

export function testStack(app: App = appWithoutBundling()): Stack {
  return new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

export function importByArn(stack: Stack, id: string, arn: string): ISecret {
  return Secret.fromSecretCompleteArn(stack, id, arn);
}

export type PropsOverrides = Partial<HopaeSecretRotationProps>;

/** Builds a rotation of both app secrets (imported by complete ARN, so IAM resources are plain strings) with `overrides`. */
export function synthRotation(overrides: PropsOverrides) {
  const stack = testStack();
  const rotation = new HopaeSecretRotation(stack, 'Rotation', {
    workspaceKeySecret: importByArn(stack, 'WorkspaceKey', WORKSPACE_KEY_ARN),
    appSecrets: APP_SECRET_ARNS.map((arn, i) => importByArn(stack, `App${i}`, arn)),
    ...overrides,
  });
  const functionLogicalId = stack.getLogicalId(rotation.rotationFunction.node.defaultChild as CfnFunction);
  return { stack, rotation, functionLogicalId, template: Template.fromStack(stack) };
}
