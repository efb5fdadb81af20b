import { Match } from 'aws-cdk-lib/assertions';
import { HopaeSecretRotationStack, importSecret, type HopaeSecretRotationStackProps } from '../../lib/example-stack';
import { ACCOUNT, APP_SECRET_ARNS, appWithoutBundling, logicalIdOf, REGION, synthStacks, testStack, WORKSPACE_KEY_ARN } from './fixtures';
import { HopaeEnvironment } from '../../lib/environment';

function synthExampleStack(overrides: Partial<HopaeSecretRotationStackProps> = {}) {
  const stack = new HopaeSecretRotationStack(appWithoutBundling(), 'Example', {
    env: { account: ACCOUNT, region: REGION },
    environment: HopaeEnvironment.SANDBOX,
    workspaceKeySecret: 'hopae/workspace-key',
    appSecrets: ['hopae/apps/HqTRDIYH'],
    ...overrides,
  });
  const { main, apps } = synthStacks(stack, stack.rotation.appStacks);
  return { stack, template: main, apps };
}

/** The partial ARN CDK renders for a secret imported by name (the partition stays a token). */
function partialArn(name: string, suffix = ''): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}${suffix}`]] };
}

describe('HopaeSecretRotationStack', () => {
  test('imports secrets given by name: schedules and the function name them, IAM matches with a -?????? wildcard', () => {
    // GIVEN / WHEN names only
    const { template, apps } = synthExampleStack();

    // THEN
    apps.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    apps.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: 'hopae/apps/HqTRDIYH',
      RotateImmediatelyOnUpdate: false,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOPAE_API_KEY_SECRET_ID: 'hopae/workspace-key' }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: partialArn('hopae/workspace-key', '-??????') }),
        ]),
      },
    });
    apps.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  test('imports secrets given by complete ARN exactly', () => {
    // GIVEN / WHEN ARNs
    const { template, apps } = synthExampleStack({ workspaceKeySecret: WORKSPACE_KEY_ARN, appSecrets: [...APP_SECRET_ARNS] });

    // THEN
    apps.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    for (const arn of APP_SECRET_ARNS) {
      apps.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: arn });
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOPAE_API_KEY_SECRET_ID: WORKSPACE_KEY_ARN }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: WORKSPACE_KEY_ARN }),
        ]),
      },
    });
  });

  test('creates the secrets of clientIds when no existing secret is given', () => {
    // GIVEN / WHEN clientIds only
    const { apps, stack } = synthExampleStack({ appSecrets: undefined, clientIds: ['HqTRDIYH'] });

    // THEN
    apps.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'hopae/apps/HqTRDIYH', SecretString: '{"clientId":"HqTRDIYH"}' });
    apps.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    apps.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: logicalIdOf(stack.rotation.createdSecrets.HqTRDIYH!) },
    });
  });

  test('rotates existing and created secrets together', () => {
    // GIVEN / WHEN both
    const { apps } = synthExampleStack({ clientIds: ['Zx9Yw8Vu'] });

    // THEN
    apps.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    apps.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  test('uses the production API and the rotation period in days', () => {
    // GIVEN / WHEN
    const { template, apps } = synthExampleStack({ environment: HopaeEnvironment.PRODUCTION, rotationDays: 7 });

    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOPAE_API_BASE_URL: 'https://api.hopae.com/connect/v1' }) },
    });
    apps.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: Match.exact({ ScheduleExpression: 'rate(7 days)' }),
    });
  });

  test('without rotationDays or a cron, spreads the schedules as the construct does by default', () => {
    // GIVEN / WHEN
    const { apps } = synthExampleStack({});

    // THEN a monthly cron at a day and hour of the secret's own, with a two-hour window
    apps.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: Match.exact({ ScheduleExpression: Match.stringLikeRegexp('^cron\\(0 \\d+ \\d+ \\* \\? \\*\\)$'), Duration: '2h' }),
    });
  });

  test('uses a cron schedule instead of rotationDays, with a window', () => {
    // GIVEN / WHEN both a cron expression and days
    const { apps } = synthExampleStack({ rotationDays: 7, scheduleExpression: 'cron(0 4 ? * SUN *)', rotationWindowHours: 3 });

    // THEN the cron wins
    apps.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: Match.exact({ ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '3h' }),
    });
  });

  test('passes alarmEmail and runbookUrl to the alerts', () => {
    // GIVEN / WHEN
    const { template } = synthExampleStack({ alarmEmail: 'ops@example.com', runbookUrl: 'https://wiki.example.com/hopae' });

    // THEN
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp('Runbook: https://wiki\\.example\\.com/hopae') }) })],
    });
  });

  test('subscribes nobody without alarmEmail', () => {
    // GIVEN / WHEN
    const { template } = synthExampleStack();

    // THEN
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('keeps a schedule logical id when the list of app secrets is reordered', () => {
    // GIVEN the same secrets in two orders
    const scheduleIdBySecret = (appSecrets: string[]) =>
      Object.fromEntries(
        Object.entries(synthExampleStack({ appSecrets }).apps.findResources('AWS::SecretsManager::RotationSchedule')).map(
          ([logicalId, schedule]) => [JSON.stringify(schedule.Properties.SecretId), logicalId],
        ),
      );

    // WHEN / THEN reordering replaces no schedule
    const before = scheduleIdBySecret(['hopae/apps/a', 'hopae/apps/b']);
    expect(Object.keys(before)).toHaveLength(2);
    expect(scheduleIdBySecret(['hopae/apps/b', 'hopae/apps/a'])).toEqual(before);
  });

  test('redeploys the services refreshOnRotation names by ARN, for existing and created apps, each service imported once', () => {
    // GIVEN one service for two apps, and a second service
    const api = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/payments/api`;
    const kyc = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/identity/kyc`;
    const { stack, apps } = synthExampleStack({ clientIds: ['Zx9Yw8Vu'], refreshOnRotation: { 'hopae/apps/HqTRDIYH': [api], Zx9Yw8Vu: [api, kyc] } });

    // THEN a rule per app, naming the service by its cluster and name
    const refresh = stack.rotation.serviceRefresh!;
    expect(refresh.rules).toHaveLength(2);
    const inputs = refresh.rules.map((rule) => JSON.stringify(apps.toJSON().Resources[logicalIdOf(rule)].Properties.Targets[0].InputTransformer.InputTemplate));
    expect(inputs.filter((text) => text.includes(`\\"cluster\\":\\"arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/payments\\",\\"service\\":\\"api\\"`))).toHaveLength(2);
    expect(inputs.filter((text) => text.includes('\\"service\\":\\"kyc\\"'))).toHaveLength(1);
    // and the roles may redeploy them by their long ARN (and the short one a service from before 2021 has)
    const granted = JSON.stringify(apps.findResources('AWS::IAM::Policy'));
    expect(granted).toContain(api);
    expect(granted).toContain(kyc);
    expect(granted).toContain(`:ecs:${REGION}:${ACCOUNT}:service/kyc`);
  });

  test('refuses a service ARN without its cluster', () => {
    expect(() => synthExampleStack({ refreshOnRotation: { 'hopae/apps/HqTRDIYH': [`arn:aws:ecs:${REGION}:${ACCOUNT}:service/api`] } })).toThrow(
      /refreshOnRotation: .*service\/api is not an ECS service ARN in the long format/,
    );
  });

  test('outputs the function ARN and the alert topic ARN', () => {
    // GIVEN / WHEN
    const { stack, template } = synthExampleStack();

    // THEN
    template.hasOutput('RotationFunctionArn', { Value: { 'Fn::GetAtt': [logicalIdOf(stack.rotation.rotationFunction), 'Arn'] } });
    template.hasOutput('AlertTopicArn', { Value: { Ref: logicalIdOf(stack.rotation.alerts.topic) } });
  });
});

describe('importSecret', () => {
  test('imports an ARN as a complete ARN and anything else as a name', () => {
    // GIVEN
    const stack = testStack();

    // WHEN
    const byArn = importSecret(stack, 'ByArn', WORKSPACE_KEY_ARN);
    const byName = importSecret(stack, 'ByName', 'hopae/workspace-key');

    // THEN
    expect(byArn.secretFullArn).toBe(WORKSPACE_KEY_ARN);
    expect(byName.secretFullArn).toBeUndefined();
    expect(byName.secretName).toBe('hopae/workspace-key');
  });

  test('refuses an ARN without the 6-character suffix', () => {
    // GIVEN a partial ARN, which IAM would never match exactly / WHEN / THEN
    expect(() => importSecret(testStack(), 'Partial', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/workspace-key`)).toThrow(/missing 6-character suffix/);
  });
});
