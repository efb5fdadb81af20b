import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { HopaeSecretRotationStack, type HopaeSecretRotationStackProps } from '../../lib';
import { ACCOUNT, APP_SECRET_ARNS, appWithoutBundling, REGION, WORKSPACE_KEY_ARN } from './fixtures';

function synthExampleStack(overrides: Partial<HopaeSecretRotationStackProps> = {}) {
  const stack = new HopaeSecretRotationStack(appWithoutBundling(), 'Example', {
    env: { account: ACCOUNT, region: REGION },
    environment: 'sandbox',
    workspaceKeySecret: 'hopae/workspace-key',
    appSecrets: ['hopae/apps/HqTRDIYH'],
    ...overrides,
  });
  return { stack, template: Template.fromStack(stack) };
}

/** The partial ARN CDK renders for a secret imported by name (the partition stays a token). */
function partialArn(name: string, suffix = ''): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}${suffix}`]] };
}

describe('HopaeSecretRotationStack', () => {
  test('imports secrets given by name: the function reads the key by name, IAM matches with a -?????? wildcard', () => {
    // GIVEN / WHEN names only
    const { template } = synthExampleStack();

    // THEN
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: partialArn('hopae/apps/HqTRDIYH'),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: false,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOPAE_API_KEY_SECRET_ID: 'hopae/workspace-key' }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Resource: partialArn('hopae/workspace-key', '-??????') }),
          Match.objectLike({
            Action: Match.arrayWith(['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']),
            Resource: partialArn('hopae/apps/HqTRDIYH', '-??????'),
          }),
        ]),
      },
    });
  });

  test('imports secrets given by complete ARN exactly', () => {
    // GIVEN / WHEN ARNs
    const { template } = synthExampleStack({ workspaceKeySecret: WORKSPACE_KEY_ARN, appSecrets: [...APP_SECRET_ARNS] });

    // THEN
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    for (const arn of APP_SECRET_ARNS) {
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: arn });
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOPAE_API_KEY_SECRET_ID: WORKSPACE_KEY_ARN }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Resource: WORKSPACE_KEY_ARN })]) },
    });
  });

  test('uses the production API and the rotation period in days', () => {
    // GIVEN / WHEN
    const { template } = synthExampleStack({ environment: 'production', rotationDays: 7 });

    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOPAE_API_BASE_URL: 'https://api.hopae.com/connect/v1' }) },
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(7 days)' },
    });
  });

  test('keeps a schedule logical id when the list of app secrets is reordered', () => {
    // GIVEN the same secrets in two orders
    const scheduleIdBySecret = (appSecrets: string[]) =>
      Object.fromEntries(
        Object.entries(synthExampleStack({ appSecrets }).template.findResources('AWS::SecretsManager::RotationSchedule')).map(
          ([logicalId, schedule]) => [JSON.stringify(schedule.Properties.SecretId), logicalId],
        ),
      );

    // WHEN / THEN reordering replaces no schedule
    const before = scheduleIdBySecret(['hopae/apps/a', 'hopae/apps/b']);
    expect(Object.keys(before)).toHaveLength(2);
    expect(scheduleIdBySecret(['hopae/apps/b', 'hopae/apps/a'])).toEqual(before);
  });

  test('outputs the function ARN', () => {
    // GIVEN / WHEN
    const { stack, template } = synthExampleStack();

    // THEN
    const functionId = stack.getLogicalId(stack.rotation.rotationFunction.node.defaultChild as CfnFunction);
    template.hasOutput('RotationFunctionArn', { Value: { 'Fn::GetAtt': [functionId, 'Arn'] } });
  });
});
