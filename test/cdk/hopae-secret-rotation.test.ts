import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret, type CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { HopaeSecretRotation } from '../../lib';
import { APP_SECRET_ARNS, importByArn, synthRotation, testStack, WORKSPACE_KEY_ARN } from './fixtures';

describe('HopaeSecretRotation function', () => {
  test('runs the bundled handler on Node.js 24, arm64, with the default timeout and memory', () => {
    // GIVEN / WHEN a rotation with default props
    const { template } = synthRotation({ environment: 'sandbox' });

    // THEN
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 60,
      MemorySize: 256,
      Description: Match.stringLikeRegexp('Hopae'),
    });
  });

  test('takes timeout and memory from props', () => {
    // GIVEN / WHEN
    const { template } = synthRotation({ environment: 'sandbox', timeout: Duration.seconds(30), memorySize: 512 });

    // THEN the timeout is still at least 30 s, which the validation guarantees
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 30, MemorySize: 512 });
  });

  test.each([
    ['sandbox', { environment: 'sandbox' as const }, 'https://sandbox.api.hopae.com/connect/v1'],
    ['production', { environment: 'production' as const }, 'https://api.hopae.com/connect/v1'],
    ['an explicit URL', { apiBaseUrl: 'https://eu.api.hopae.example/connect/v1/' }, 'https://eu.api.hopae.example/connect/v1'],
  ])('points the function at the Hopae API for %s and at the workspace key secret', (_name, props, expectedUrl) => {
    // GIVEN / WHEN
    const { template, rotation } = synthRotation(props);

    // THEN
    expect(rotation.apiBaseUrl).toBe(expectedUrl);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          HOPAE_API_BASE_URL: expectedUrl,
          HOPAE_API_KEY_SECRET_ID: WORKSPACE_KEY_ARN,
          POWERTOOLS_SERVICE_NAME: 'hopae-secret-rotation',
        },
      },
    });
  });
});

describe('HopaeSecretRotation schedules', () => {
  test('adds one rotation schedule per app secret, every 30 days, without rotating on deploy', () => {
    // GIVEN / WHEN two app secrets and default props
    const { template, rotation, functionLogicalId } = synthRotation({ environment: 'sandbox' });

    // THEN
    expect(rotation.rotationSchedules).toHaveLength(2);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    for (const secretArn of APP_SECRET_ARNS) {
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        SecretId: secretArn,
        RotationLambdaARN: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] },
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        RotateImmediatelyOnUpdate: false,
      });
    }
  });

  test('renders a custom interval in hours and rotates on deploy only when asked', () => {
    // GIVEN / WHEN
    const { template } = synthRotation({
      environment: 'sandbox',
      automaticallyAfter: Duration.hours(4),
      rotateImmediatelyOnUpdate: true,
    });

    // THEN
    const schedules = template.findResources('AWS::SecretsManager::RotationSchedule');
    expect(Object.values(schedules).map((r) => r.Properties)).toEqual([
      expect.objectContaining({ RotationRules: { ScheduleExpression: 'rate(4 hours)' }, RotateImmediatelyOnUpdate: true }),
      expect.objectContaining({ RotationRules: { ScheduleExpression: 'rate(4 hours)' }, RotateImmediatelyOnUpdate: true }),
    ]);
  });

  test('creates each schedule only after Secrets Manager may invoke the function', () => {
    // GIVEN / WHEN
    const { template } = synthRotation({ environment: 'sandbox' });

    // THEN the schedule's configuration test (testSecret) needs the invoke permission in place
    const [permissionId] = Object.keys(template.findResources('AWS::Lambda::Permission'));
    const schedules = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedules).toHaveLength(2);
    for (const schedule of schedules) expect(schedule.DependsOn).toContain(permissionId);
  });
});

describe('HopaeSecretRotation permissions', () => {
  test('lets the function read the workspace key and rotate each app secret', () => {
    // GIVEN / WHEN
    const { template } = synthRotation({ environment: 'sandbox' });

    // THEN
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: Match.arrayWith(['secretsmanager:GetSecretValue']),
            Resource: WORKSPACE_KEY_ARN,
          }),
          ...APP_SECRET_ARNS.map((arn) =>
            Match.objectLike({
              Effect: 'Allow',
              Action: [
                'secretsmanager:DescribeSecret',
                'secretsmanager:GetSecretValue',
                'secretsmanager:PutSecretValue',
                'secretsmanager:UpdateSecretVersionStage',
              ],
              Resource: arn,
            }),
          ),
        ]),
      },
    });
  });

  test('never lets the function write the workspace key', () => {
    // GIVEN / WHEN
    const { template } = synthRotation({ environment: 'sandbox' });

    // THEN no statement on the workspace key grants more than reading it
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const onWorkspaceKey = statements.filter((s) => s.Resource === WORKSPACE_KEY_ARN);
    expect(onWorkspaceKey.length).toBeGreaterThan(0);
    for (const statement of onWorkspaceKey) {
      expect([statement.Action].flat().sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    }
  });

  test('lets Secrets Manager invoke the function, with one permission shared by all schedules', () => {
    // GIVEN / WHEN two app secrets
    const { template, functionLogicalId } = synthRotation({ environment: 'sandbox' });

    // THEN
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] },
    });
  });
});

describe('HopaeSecretRotation with a secret owned by the same stack', () => {
  test('schedules rotation of the owned secret by reference', () => {
    // GIVEN a secret created next to the construct
    const stack = testStack();
    const owned = new Secret(stack, 'OwnedAppSecret');

    // WHEN
    new HopaeSecretRotation(stack, 'Rotation', {
      environment: 'sandbox',
      workspaceKeySecret: importByArn(stack, 'WorkspaceKey', WORKSPACE_KEY_ARN),
      appSecrets: [owned],
    });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: stack.getLogicalId(owned.node.defaultChild as CfnSecret) },
      RotateImmediatelyOnUpdate: false,
    });
  });
});
