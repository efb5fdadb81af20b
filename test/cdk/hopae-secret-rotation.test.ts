import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { HopaeRotationSchedule, HopaeSecretRotation } from '../../lib';
import {
  ACCOUNT,
  APP_SECRET_ARNS,
  appWithoutBundling,
  importByArn,
  KEY_ARNS,
  logicalIdOf,
  refTo,
  REGION,
  importedFunctionArn,
  synthRotation,
  synthStacks,
  WORKSPACE_KEY_ARN,
} from './fixtures';
import { HopaeEnvironment } from '../../lib/environment';

/** Functions running the rotation handler; the audit runs index.auditHandler from the same asset. */
function rotationFunctionCount(template: Template): number {
  return Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } })).length;
}

describe('HopaeSecretRotation function', () => {
  test('runs the bundled handler on Node.js 24, arm64, with the default timeout and memory', () => {
    // GIVEN / WHEN a rotation with default props
    const { template } = synthRotation();

    // THEN one rotation function (the other is the audit: fleet.test.ts)
    expect(rotationFunctionCount(template)).toBe(1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 60,
      MemorySize: 256,
      Description: Match.stringLikeRegexp('Hopae'),
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  test('takes timeout, memory and reserved concurrency from props', () => {
    // GIVEN / WHEN
    const { template } = synthRotation({ timeout: Duration.minutes(2), memorySize: 512, reservedConcurrentExecutions: 10 });

    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 120, MemorySize: 512, ReservedConcurrentExecutions: 10 });
  });

  test('serves every app with one function', () => {
    // GIVEN / WHEN two existing secrets and two created ones
    const { template, apps, rotation, functionLogicalId } = synthRotation({ clientIds: ['HqTRDIYH', 'Zx9Yw8Vu'] });

    // THEN one function, referenced by all four schedules
    expect(rotationFunctionCount(template)).toBe(1);
    expect(rotation.secrets).toHaveLength(4);
    const schedules = Object.values(apps.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedules).toHaveLength(4);
    for (const schedule of schedules) {
      expect(schedule.Properties.RotationLambdaARN).toEqual({ 'Fn::ImportValue': expect.stringContaining(`ExportsOutputFnGetAtt${functionLogicalId}Arn`) });
    }
  });

  test.each([
    ['sandbox', { environment: HopaeEnvironment.SANDBOX }, 'https://sandbox.api.hopae.com/connect/v1'],
    ['production', { environment: HopaeEnvironment.PRODUCTION }, 'https://api.hopae.com/connect/v1'],
    ['an explicit URL (normalised)', { environment: undefined, apiBaseUrl: 'https://eu.api.hopae.example/connect/v1/' }, 'https://eu.api.hopae.example/connect/v1'],
  ])('points the function at the Hopae API for %s and at the workspace key by complete ARN', (_name, props, expectedUrl) => {
    // GIVEN / WHEN a workspace key imported by complete ARN
    const { template, rotation } = synthRotation(props);

    // THEN
    expect(rotation.apiBaseUrl).toBe(expectedUrl);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.exact({
          HOPAE_API_BASE_URL: expectedUrl,
          HOPAE_API_KEY_SECRET_ID: WORKSPACE_KEY_ARN,
          POWERTOOLS_SERVICE_NAME: 'hopae-secret-rotation',
          POWERTOOLS_METRICS_NAMESPACE: 'HopaeSecretRotation',
          HOPAE_STUCK_AFTER_MINUTES: '30',
        }),
      },
    });
  });

  test('hands stuckAfter to the function\'s configuration, where the CLI reads the one in-flight threshold', () => {
    // GIVEN / WHEN stuckAfter of 90 minutes
    const { template } = synthRotation({ stuckAfter: Duration.minutes(90) });

    // THEN the rotation function and the audit both carry it
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ HOPAE_STUCK_AFTER_MINUTES: '90', HOPAE_API_BASE_URL: Match.anyValue() }) } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.auditHandler',
      Environment: { Variables: Match.objectLike({ HOPAE_STUCK_AFTER_MINUTES: '90' }) },
    });
  });

  test('names the workspace key secret by its plain name when it is imported by name', () => {
    // GIVEN / WHEN a workspace key imported by name (its ARN is partial)
    const { template } = synthRotation((stack) => ({ workspaceKeySecret: Secret.fromSecretNameV2(stack, 'KeyByName', 'hopae/workspace-key') }));

    // THEN the name, not a partial ARN that Secrets Manager would have to guess from
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOPAE_API_KEY_SECRET_ID: 'hopae/workspace-key' }) },
    });
  });

  test('passes a deploy-time apiBaseUrl through for the function to check at start', () => {
    // GIVEN / WHEN an apiBaseUrl only known at deploy time
    const { template } = synthRotation((stack) => ({
      environment: undefined,
      apiBaseUrl: new CfnParameter(stack, 'HopaeApiBaseUrl', { type: 'String' }).valueAsString,
    }));

    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HOPAE_API_BASE_URL: { Ref: 'HopaeApiBaseUrl' } }) },
    });
  });
});

describe('HopaeSecretRotation log group', () => {
  test('writes to its own log group, kept for a year by default', () => {
    // GIVEN / WHEN
    const { template, logGroupLogicalId } = synthRotation();

    // THEN an explicit log group (the audit has its own), no LogRetention custom resource, and the function logs to it
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupLogicalId]).toMatchObject({
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
    template.resourceCountIs('Custom::LogRetention', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logGroupLogicalId } },
    });
  });

  test('takes the retention from logRetention', () => {
    // GIVEN / WHEN
    const { template } = synthRotation({ logRetention: logs.RetentionDays.THREE_MONTHS });

    // THEN
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});

describe('HopaeSecretRotation secrets created for clientIds', () => {
  test('creates a retained secret holding only the clientId, named hopae/apps/<clientId>', () => {
    // GIVEN / WHEN clientIds only
    const { apps: template, rotation } = synthRotation({ appSecrets: [], clientIds: ['HqTRDIYH', 'Zx9Yw8Vu'] });

    // THEN one secret per clientId, exactly {"clientId": ...}, no generated value, kept on stack deletion
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    for (const clientId of ['HqTRDIYH', 'Zx9Yw8Vu']) {
      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: {
          Name: `hopae/apps/${clientId}`,
          SecretString: `{"clientId":"${clientId}"}`,
          GenerateSecretString: Match.absent(),
          KmsKeyId: Match.absent(),
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
    expect(Object.keys(rotation.createdSecrets)).toEqual(['HqTRDIYH', 'Zx9Yw8Vu']);
    expect(rotation.secrets).toEqual([rotation.createdSecrets.HqTRDIYH, rotation.createdSecrets.Zx9Yw8Vu]);
  });

  test('uses secretNamePrefix for the names', () => {
    // GIVEN / WHEN
    const { apps: template } = synthRotation({ clientIds: ['HqTRDIYH'], secretNamePrefix: 'prod/hopae-connect/' });

    // THEN
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'prod/hopae-connect/HqTRDIYH' });
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  test('encrypts them with encryptionKey', () => {
    // GIVEN / WHEN a customer managed key of the stack, and one imported by ARN
    const { apps: template, stack } = synthRotation((s) => ({ appSecrets: [], clientIds: ['HqTRDIYH'], encryptionKey: new kms.Key(s, 'AppKey') }));
    const imported = synthRotation((s) => ({ appSecrets: [], clientIds: ['HqTRDIYH'], encryptionKey: kms.Key.fromKeyArn(s, 'AppKey', KEY_ARNS.appSecret) }));

    // THEN
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp(`ExportsOutputFnGetAtt${logicalIdOf(stack.node.findChild('AppKey'))}Arn`) } });
    imported.apps.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: KEY_ARNS.appSecret });
  });

  test('rotates existing secrets first, then the created ones', () => {
    // GIVEN / WHEN both kinds
    const { rotation, apps: template } = synthRotation({ clientIds: ['HqTRDIYH'] });

    // THEN
    expect(rotation.secrets.map((s) => s.secretFullArn && Stack.of(rotation).resolve(s.secretFullArn))).toEqual([
      ...APP_SECRET_ARNS,
      refTo(rotation.createdSecrets.HqTRDIYH!),
    ]);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: refTo(rotation.createdSecrets.HqTRDIYH!) });
  });

  test('denies deleting each created secret to the account root, and leaves imported secrets alone', () => {
    // GIVEN / WHEN two imported secrets and two created ones
    const { apps: template, rotation } = synthRotation({ clientIds: ['HqTRDIYH', 'Zx9Yw8Vu'] });

    // THEN one resource policy per created secret, none for the imported ones (not owned by this stack)
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 2);
    for (const secret of Object.values(rotation.createdSecrets)) {
      template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
        SecretId: refTo(secret),
        ResourcePolicy: {
          Statement: [
            {
              Effect: 'Deny',
              Action: 'secretsmanager:DeleteSecret',
              Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:root`]] } },
              Resource: '*',
            },
          ],
        },
      });
    }
  });

  test('gives the deny-delete policy to an app secret the stack owns', () => {
    // GIVEN a secret created next to the construct
    const stack = new Stack(appWithoutBundling(), 'Owned', { env: { account: ACCOUNT, region: 'eu-central-1' } });
    const owned = new Secret(stack, 'OwnedAppSecret');

    // WHEN
    const rotation = new HopaeSecretRotation(stack, 'Rotation', {
      environment: HopaeEnvironment.SANDBOX,
      workspaceKeySecret: importByArn(stack, 'WorkspaceKey', WORKSPACE_KEY_ARN),
      appSecrets: [owned],
    });

    // THEN
    const { main, apps } = synthStacks(stack, rotation.appStacks);
    // the schedule, in its app stack, imports the secret's ARN; the policy stays beside the secret
    apps.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { 'Fn::ImportValue': Match.stringLikeRegexp(`ExportsOutputRef${logicalIdOf(owned)}`) },
      RotateImmediatelyOnUpdate: false,
    });
    main.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      SecretId: refTo(owned),
      ResourcePolicy: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 'secretsmanager:DeleteSecret' })] },
    });
  });

  test('creates no secret and no resource policy without clientIds', () => {
    // GIVEN / WHEN imported secrets only
    const { apps: template } = synthRotation();

    // THEN
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });
});

describe('HopaeSecretRotation schedules', () => {
  test('adds one rotation schedule per app secret, every 30 days with spreading off, without rotating on deploy', () => {
    // GIVEN / WHEN two app secrets, spreading off (the default spread is tested in fleet.test.ts)
    const { apps: template, rotation, functionLogicalId } = synthRotation({ spreadSchedules: false });

    // THEN
    expect(rotation.rotationSchedules).toHaveLength(2);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    for (const secretArn of APP_SECRET_ARNS) {
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        SecretId: secretArn,
        RotationLambdaARN: importedFunctionArn(functionLogicalId),
        RotationRules: Match.exact({ ScheduleExpression: 'rate(30 days)' }),
        RotateImmediatelyOnUpdate: false,
      });
    }
  });

  test.each([
    ['1 day', HopaeRotationSchedule.rate(Duration.days(1)), 'rate(1 day)'],
    ['24 hours as a day', HopaeRotationSchedule.rate(Duration.hours(24)), 'rate(1 day)'],
    ['7 days', HopaeRotationSchedule.rate(Duration.days(7)), 'rate(7 days)'],
    ['6 hours', HopaeRotationSchedule.rate(Duration.hours(6)), 'rate(6 hours)'],
    ['4 hours', HopaeRotationSchedule.rate(Duration.hours(4)), 'rate(4 hours)'],
    ['999 days', HopaeRotationSchedule.rate(Duration.days(999)), 'rate(999 days)'],
    ['a cron', HopaeRotationSchedule.cron('cron(0 4 ? * SUN *)'), 'cron(0 4 ? * SUN *)'],
    ['a cron with extra spaces', HopaeRotationSchedule.cron('  cron( 0  4 1 * ? * ) '), 'cron(0 4 1 * ? *)'],
  ])('renders a schedule of %s into every rotation schedule', (_case, schedule, expression) => {
    // GIVEN / WHEN
    const { apps: template } = synthRotation({ schedule });

    // THEN every secret's schedule carries the expression, without a window
    const schedules = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedules).toHaveLength(2);
    for (const s of schedules) expect(s.Properties.RotationRules).toEqual({ ScheduleExpression: expression });
  });

  test('renders the rotation window in hours', () => {
    // GIVEN / WHEN
    const { apps: template } = synthRotation({ schedule: HopaeRotationSchedule.cron('cron(0 4 ? * SUN *)'), rotationWindow: Duration.hours(3) });

    // THEN
    const schedules = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedules).toHaveLength(2);
    for (const s of schedules) expect(s.Properties.RotationRules).toEqual({ ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '3h' });
  });

  test.each([
    ['1 hour', Duration.hours(1), '1h'],
    ['24 hours', Duration.hours(24), '24h'],
  ])('renders a window of %s', (_case, rotationWindow, rendered) => {
    // GIVEN / WHEN
    const { apps: template } = synthRotation({ rotationWindow, spreadSchedules: false });

    // THEN
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)', Duration: rendered },
    });
  });

  test('leaves the window to Secrets Manager when none is given and spreading is off', () => {
    // GIVEN / WHEN
    const { apps: template } = synthRotation({ spreadSchedules: false });

    // THEN
    template.allResourcesProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { Duration: Match.absent() } });
  });

  test('rotates on deploy only when asked', () => {
    // GIVEN / WHEN
    const { apps: template } = synthRotation({ rotateImmediatelyOnUpdate: true });

    // THEN
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    template.allResourcesProperties('AWS::SecretsManager::RotationSchedule', { RotateImmediatelyOnUpdate: true });
  });

  test('creates the schedules only after the function, its permissions and its invoke permission exist', () => {
    // GIVEN / WHEN imported and created secrets
    const { stack, rotation } = synthRotation({ clientIds: ['HqTRDIYH'] });

    // THEN the schedules' configuration test (testSecret) needs both in place: every app stack
    // is deployed after the construct's stack, which holds the role's policies and the permission
    expect(rotation.appStacks.length).toBeGreaterThan(0);
    for (const appStack of rotation.appStacks) expect(appStack.dependencies).toContain(stack);
    for (const schedule of rotation.rotationSchedules) expect(rotation.appStacks).toContain(Stack.of(schedule));
    expect(Stack.of(rotation.node.findChild('InvokeBySecretsManager'))).toBe(stack);
    expect(Stack.of(rotation.rotationPolicy)).toBe(stack);
  });
});

/** A secret ARN pattern as CDK renders it: the partition is a reference. */
function secretArnPattern(name: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`]] };
}

describe('HopaeSecretRotation invoke permission', () => {
  test('lets only this account\'s Secrets Manager invoke the function, with one permission shared by all schedules', () => {
    // GIVEN / WHEN two app secrets and a created one
    const { template, functionLogicalId } = synthRotation({ clientIds: ['HqTRDIYH'] });

    // THEN
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
    const bySecretsManager = permissions.filter((p) => p.Properties.Principal === 'secretsmanager.amazonaws.com');
    expect(bySecretsManager).toHaveLength(1);
    expect(bySecretsManager[0]!.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] },
      SourceAccount: ACCOUNT,
      SourceArn: secretArnPattern('hopae/apps/*'),
    });
    // and none other on the rotation function (the audit's own permission is for EventBridge)
    expect(permissions.filter((p) => JSON.stringify(p.Properties.FunctionName).includes(functionLogicalId))).toHaveLength(1);
  });

  test('scopes SourceArn to the secrets\' common name prefix, a pattern that matches every rotated secret', () => {
    // GIVEN / WHEN two app secrets under hopae/apps/ and a created one
    const { template } = synthRotation({ clientIds: ['HqTRDIYH'] });

    // THEN Lambda turns SourceArn into ArnLike: "*" matches any characters
    const [permission] = Object.values(template.findResources('AWS::Lambda::Permission'));
    const pattern = (permission!.Properties.SourceArn['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'aws')).join('');
    const arnLike = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    for (const arn of [...APP_SECRET_ARNS, `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/HqTRDIYH-AbCdEf`]) expect(arn).toMatch(arnLike);
    expect(`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:other/app-AbCdEf`).not.toMatch(arnLike);
  });

  test.each([
    ['names without a common prefix', { clientIds: ['HqTRDIYH'], secretNamePrefix: 'z/' }, secretArnPattern('*')],
    ['one created secret', { appSecrets: [], clientIds: ['HqTRDIYH'] }, secretArnPattern('hopae/apps/HqTRDIYH*')],
  ])('scopes SourceArn for %s', (_case, props, expected) => {
    // GIVEN / WHEN
    const { template } = synthRotation(props);

    // THEN
    template.hasResourceProperties('AWS::Lambda::Permission', { SourceArn: expected });
  });

  test('falls back to every secret of the account and region when a name is known only at deployment', () => {
    // GIVEN an app secret this stack creates without a fixed name
    const { template } = synthRotation((s) => ({ appSecrets: [new Secret(s, 'Unnamed')], clientIds: ['HqTRDIYH'] }));

    // THEN
    template.hasResourceProperties('AWS::Lambda::Permission', { SourceArn: secretArnPattern('*') });
  });

  test('uses the deploying account when the stack is environment-agnostic', () => {
    // GIVEN a stack without env
    const stack = new Stack(appWithoutBundling(), 'Agnostic');

    // WHEN
    const { template } = synthRotation((s) => ({ workspaceKeySecret: Secret.fromSecretNameV2(s, 'KeyByName', 'hopae/workspace-key'), appSecrets: [], clientIds: ['HqTRDIYH'] }), stack);

    // THEN
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });
});
