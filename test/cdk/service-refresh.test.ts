import { Aws, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HopaeSecretRotationPropsError, ServiceRefresh } from '../../lib';
import { defaultBusRuleQuota } from '../../lib/service-refresh';
import { compactLength } from '../support/quotas';
import { APP_SECRET_ARNS, ACCOUNT, asList, identityPolicyStatements, logicalIdOf, REGION, refTo, synthRotation, testStack } from './fixtures';

const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/payments`;
const serviceArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/payments/${name}`;
/** The short ARN CDK gives an imported service without @aws-cdk/aws-ecs:arnFormatIncludesClusterName. */
const shortServiceArn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecs:${REGION}:${ACCOUNT}:service/${name}`]] });

/** An ECS service of another stack, imported as users would: by cluster and name. */
function importedService(stack: Stack, name: string): ecs.IBaseService {
  const cluster = ecs.Cluster.fromClusterAttributes(stack, `Cluster-${name}`, { clusterName: 'payments', clusterArn: CLUSTER_ARN, vpc: ec2.Vpc.fromVpcAttributes(stack, `Vpc-${name}`, { vpcId: 'vpc-1', availabilityZones: ['a'] }) });
  return ecs.FargateService.fromFargateServiceAttributes(stack, `Service-${name}`, { cluster, serviceName: name });
}

/** A rule target's input, the event's secretId as "SECRET" and a GetAtt as "GetAtt:<id>.<attribute>". */
function inputOf(target: { InputTransformer: { InputTemplate: unknown } }): unknown {
  const template = target.InputTransformer.InputTemplate;
  const text =
    typeof template === 'string'
      ? template
      : (template as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
          .map((part) => (typeof part === 'string' ? part : `GetAtt:${(part as { 'Fn::GetAtt': string[] })['Fn::GetAtt'].join('.')}`))
          .join('');
  return JSON.parse(text.replace(/<detail-additionalEventData-SecretId>/g, '"SECRET"'));
}

describe('refreshOnRotation', () => {
  const synthWithRefresh = () =>
    synthRotation((stack) => ({
      clientIds: ['HqTRDIYH'],
      refreshOnRotation: [
        { secret: Secret.fromSecretCompleteArn(stack, 'SameSecretAgain', APP_SECRET_ARNS[0]), services: [importedService(stack, 'api'), importedService(stack, 'worker')] },
        { clientId: 'HqTRDIYH', services: [importedService(stack, 'kyc')] },
      ],
    }));
  let synth: ReturnType<typeof synthWithRefresh>;
  beforeAll(() => {
    synth = synthWithRefresh();
  });
  const resources = () => synth.template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
  const appResources = () => synth.apps.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
  /** The refresh's own id in rule names and role paths. */
  const refreshId = () => (/:role\/hopae-refresh\/([0-9a-f]{10})\//.exec(JSON.stringify(synth.template.toJSON())) ?? [])[1];

  test('creates nothing without it', () => {
    const { template, rotation } = synthRotation();
    expect(rotation.serviceRefresh).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.refreshHandler' }, 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('ecs:UpdateService');
  });

  test('is a third handler of the same asset, with its own role and log group, and no Lambda retry', () => {
    const refresh = synth.rotation.serviceRefresh!;
    const fn = resources()[logicalIdOf(refresh.refreshFunction)]!.Properties;
    const rotation = resources()[synth.functionLogicalId]!.Properties;
    expect(fn.Handler).toBe('index.refreshHandler');
    expect(fn.Code).toEqual(rotation.Code);
    expect([fn.Runtime, fn.Architectures]).toEqual([rotation.Runtime, rotation.Architectures]);
    expect(fn.Role).toEqual({ 'Fn::GetAtt': [logicalIdOf(refresh.role), 'Arn'] });
    expect(fn.LoggingConfig.LogGroup).toEqual(refTo(refresh.logGroup));
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: refTo(refresh.refreshFunction),
      MaximumRetryAttempts: 0,
    });
  });

  test('the function\'s role may write its own log group and assume the refresh roles (by their IAM path), nothing else', () => {
    const refresh = synth.rotation.serviceRefresh!;
    expect(identityPolicyStatements(synth.template, logicalIdOf(refresh.role))).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalIdOf(refresh.logGroup), 'Arn'] } },
      {
        Sid: 'AssumeServiceRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:role/hopae-refresh/${refreshId()}/*`]] },
      },
    ]);
    const trust = resources()[logicalIdOf(refresh.role)]!.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }]);
    // and no role of the construct's stack may touch ECS
    expect(JSON.stringify(synth.template.toJSON())).not.toContain('ecs:');
  });

  test('each app stack holding rules has one refresh role, trusted by the function\'s role only, that may redeploy exactly the services of its rules', () => {
    const refresh = synth.rotation.serviceRefresh!;
    // api and worker refresh hopae/apps/first; kyc the created HqTRDIYH: two app stacks
    expect(refresh.serviceRoles).toHaveLength(2);
    const granted = refresh.serviceRoles.map((role) => {
      const properties = appResources()[logicalIdOf(role)]!.Properties;
      expect(Stack.of(role)).not.toBe(synth.stack);
      expect(properties.Path).toBe(`/hopae-refresh/${refreshId()}/`);
      expect(properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::ImportValue': expect.stringMatching(new RegExp(`ExportsOutputFnGetAtt${logicalIdOf(refresh.role)}Arn`)) } } },
      ]);
      const statements = identityPolicyStatements(synth.apps, logicalIdOf(role));
      expect(statements.map((st) => [st.Sid, st.Action])).toEqual([['RedeployServices1', 'ecs:UpdateService']]);
      return asList(statements[0]!.Resource);
    });
    const byName = (names: string[]) => names.flatMap((name) => [serviceArn(name), shortServiceArn(name)]);
    expect(granted.map((resources) => new Set(resources.map((r) => JSON.stringify(r))))).toEqual(
      expect.arrayContaining([new Set(byName(['api', 'worker']).map((r) => JSON.stringify(r))), new Set(byName(['kyc']).map((r) => JSON.stringify(r)))]),
    );
    // and no other policy of the app stacks mentions ECS
    const ecsPolicies = Object.values(appResources()).filter((r) => r.Type.startsWith('AWS::IAM::') && JSON.stringify(r.Properties).includes('"ecs:'));
    const sorted = (refs: unknown[]) => refs.map((r) => JSON.stringify(r)).sort();
    expect(sorted(ecsPolicies.map((r) => r.Properties.Roles))).toEqual(sorted(refresh.serviceRoles.map((role) => [refTo(role)])));
  });

  test('one rule per secret, beside its rotation schedule, on its RotationSucceeded only, hands the function the secret, its stack\'s role and its services', () => {
    const refresh = synth.rotation.serviceRefresh!;
    expect(refresh.rules).toHaveLength(2);
    const [first, created] = refresh.rules.map((rule) => appResources()[logicalIdOf(rule)]!.Properties);
    // In the app stack of the secret's rotation schedule, named hopae-refresh-<this refresh>-<hash of the secret's name>
    const scheduleStacks = synth.rotation.rotationSchedules.map((schedule) => Stack.of(schedule));
    expect(refresh.rules.map((rule) => Stack.of(rule))).toEqual([scheduleStacks[0], scheduleStacks[2]]);
    for (const rule of [first!, created!]) expect(rule.Name).toMatch(new RegExp(`^hopae-refresh-${refreshId()}-[0-9a-f]{16}$`));
    expect(first!.EventPattern).toEqual({
      source: ['aws.secretsmanager'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: { eventName: ['RotationSucceeded'], additionalEventData: { SecretId: [APP_SECRET_ARNS[0]] } },
    });
    const target = first!.Targets[0];
    expect(target.Arn).toEqual({ 'Fn::ImportValue': expect.stringMatching(new RegExp(`ExportsOutputFnGetAtt${logicalIdOf(refresh.refreshFunction)}Arn`)) });
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 });
    expect(target.InputTransformer.InputPathsMap).toEqual({ 'detail-additionalEventData-SecretId': '$.detail.additionalEventData.SecretId' });
    const role = refresh.serviceRoles.find((r) => Stack.of(r) === Stack.of(refresh.rules[0]!))!;
    expect(inputOf(target)).toEqual({
      secretId: 'SECRET',
      roleArn: `GetAtt:${logicalIdOf(role)}.Arn`,
      services: [
        { cluster: CLUSTER_ARN, service: 'api' },
        { cluster: CLUSTER_ARN, service: 'worker' },
      ],
    });
    // The secret created for a clientId (in an app stack) is matched by its name: its ARN up to the 6-character suffix.
    expect(created!.EventPattern.detail.additionalEventData.SecretId).toEqual([
      { prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-']] } },
    ]);
  });

  test('EventBridge may invoke the function from the refresh rules only, through one permission for any number of rules', () => {
    const refresh = synth.rotation.serviceRefresh!;
    const permissions = [...Object.values(resources()), ...Object.values(appResources())].filter(
      (r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(logicalIdOf(refresh.refreshFunction)),
    );
    expect(permissions.map((p) => p.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [logicalIdOf(refresh.refreshFunction), 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceAccount: ACCOUNT,
        SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:rule/hopae-refresh-${refreshId()}-*`]] },
      },
    ]);
  });

  test('entries naming the same secret make one rule with their services, each once', () => {
    const { rotation, apps } = synthRotation((stack) => {
      const api = importedService(stack, 'api');
      return {
        refreshOnRotation: [
          { secret: Secret.fromSecretCompleteArn(stack, 'First', APP_SECRET_ARNS[0]), services: [api] },
          { secret: Secret.fromSecretCompleteArn(stack, 'FirstAgain', APP_SECRET_ARNS[0]), services: [importedService(stack, 'worker'), api] },
        ],
      };
    });
    expect(rotation.serviceRefresh!.rules).toHaveLength(1);
    const target = apps.toJSON().Resources[logicalIdOf(rotation.serviceRefresh!.rules[0]!)].Properties.Targets[0];
    expect((inputOf(target) as { services: { service: string }[] }).services.map((s) => s.service)).toEqual(['api', 'worker']);
  });

  test('matches a secret imported by name by its ARN prefix', () => {
    const { rotation, apps } = synthRotation((stack) => {
      const byName = Secret.fromSecretNameV2(stack, 'ByName', 'hopae/apps/legacy');
      return { appSecrets: [byName], refreshOnRotation: [{ secret: byName, services: [importedService(stack, 'api')] }] };
    });
    const pattern = apps.toJSON().Resources[logicalIdOf(rotation.serviceRefresh!.rules[0]!)].Properties.EventPattern;
    expect(pattern.detail.additionalEventData.SecretId).toEqual([
      { prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/legacy-`]] } },
    ]);
  });

  test('splits a long service list across rules, each input under EventBridge\'s 8,192 characters', () => {
    const names = Array.from({ length: 80 }, (_, i) => `service-with-a-rather-long-name-number-${i}`);
    const { rotation, apps } = synthRotation((stack) => ({
      refreshOnRotation: [{ secret: Secret.fromSecretCompleteArn(stack, 'S', APP_SECRET_ARNS[1]), services: names.map((name) => importedService(stack, name)) }],
    }));
    const rules = rotation.serviceRefresh!.rules.map((rule) => apps.toJSON().Resources[logicalIdOf(rule)].Properties);
    expect(rules.length).toBeGreaterThan(1);
    const inputs = rules.map((rule) => rule.Targets[0].InputTransformer.InputTemplate);
    for (const input of inputs) expect(JSON.stringify(input).length).toBeLessThan(8_192);
    expect(rules.map((rule) => rule.Name)).toEqual(rules.map((_, i) => `${rules[0].Name}${i === 0 ? '' : `-${i + 1}`}`));
    const listed = rules.flatMap((rule) => (inputOf(rule.Targets[0]) as { services: { service: string }[] }).services.map((s) => s.service));
    expect(listed).toEqual(names);
  });

  test('alarms the alert topic when a refresh fails, naming the log message and the fix', () => {
    const refresh = synth.rotation.serviceRefresh!;
    const alarm = resources()[logicalIdOf(refresh.errorsAlarm)]!.Properties;
    expect(alarm).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1, Dimensions: [{ Name: 'FunctionName', Value: refTo(refresh.refreshFunction) }] });
    expect(alarm.AlarmActions).toEqual([refTo(synth.rotation.alerts.topic)]);
    expect(alarm.AlarmDescription).toMatch(/Service refresh: could not start a new deployment.*aws ecs update-service --force-new-deployment/);
  });

  test.each([
    ['neither secret nor clientId', (stack: Stack) => [{ services: [importedService(stack, 'api')] }], /refreshOnRotation \[0\] must name its secret by exactly one of secret .* and clientId/],
    [
      'both secret and clientId',
      (stack: Stack) => [{ secret: Secret.fromSecretCompleteArn(stack, 'X', APP_SECRET_ARNS[0]), clientId: 'HqTRDIYH', services: [importedService(stack, 'api')] }],
      /must name its secret by exactly one/,
    ],
    [
      'a secret this construct does not rotate',
      (stack: Stack) => [{ secret: Secret.fromSecretNameV2(stack, 'Other', 'hopae/apps/other'), services: [importedService(stack, 'api')] }],
      /refreshOnRotation \[0\]\.secret must be one of appSecrets/,
    ],
    ['an unknown clientId', (stack: Stack) => [{ clientId: 'Nope1234', services: [importedService(stack, 'api')] }], /\[0\]\.clientId must be one of clientIds; got 'Nope1234'/],
    ['no service', () => [{ clientId: 'HqTRDIYH', services: [] }], /\[0\]\.services must list at least one ECS service/],
    [
      'the same service twice',
      (stack: Stack) => {
        const api = importedService(stack, 'api');
        return [{ clientId: 'HqTRDIYH', services: [api, api] }];
      },
      /\[0\]\.services lists the same service more than once/,
    ],
  ])('refuses %s, before creating anything', (_name, entries, message) => {
    const stack = testStack();
    expect(() => synthRotation((s) => ({ clientIds: ['HqTRDIYH'], refreshOnRotation: entries(s) as never }), stack)).toThrow(message);
    expect(stack.node.tryFindChild('Rotation')?.node.findAll().filter((c) => CfnResource.isCfnResource(c)) ?? []).toEqual([]);
  });

  test('refuses more services than one app stack\'s refresh role can be granted, naming refreshOnRotation and appStackCount, before creating anything', () => {
    // GIVEN 600 services with long names for apps in one app stack: about 130,000 characters of ARNs
    const stack = testStack();
    const names = Array.from({ length: 600 }, (_, i) => `a-service-with-a-long-descriptive-name-${String(i).padStart(4, '0')}`);
    let error: unknown;
    try {
      synthRotation(
        (s) => ({
          clientIds: ['HqTRDIYH', 'Zx9Yw8Vu'],
          appStackCount: 1,
          refreshOnRotation: [
            { clientId: 'HqTRDIYH', services: names.slice(0, 300).map((name) => importedService(s, name)) },
            { clientId: 'Zx9Yw8Vu', services: names.slice(300).map((name) => importedService(s, name)) },
          ],
        }),
        stack,
      );
    } catch (e) {
      error = e;
    }

    // THEN
    expect(error).toBeInstanceOf(HopaeSecretRotationPropsError);
    expect((error as HopaeSecretRotationPropsError).prop).toBe('refreshOnRotation');
    expect((error as Error).message).toMatch(
      /^HopaeSecretRotation: refreshOnRotation grants the refresh role of app stack 0 ecs:UpdateService on 1200 service ARNs of about \d+ characters, more than one IAM role holds \(10,240 characters of inline policy and 10 managed policies of 6,144 characters, IAM quotas; about \d+ ARNs like these\)\. Before this construct's first deploy: give a larger appStackCount \(now 1\)/,
    );
    expect(stack.node.root.node.findAll().filter((c) => CfnResource.isCfnResource(c))).toEqual([]);
  });

  test('fills one app stack\'s refresh role up to IAM\'s quotas: inline policy first, then managed policies, each within its size', () => {
    // GIVEN 300 services for apps in one app stack: about 40,000 characters of ARNs
    const names = Array.from({ length: 300 }, (_, i) => `a-service-with-a-long-descriptive-name-${String(i).padStart(4, '0')}`);
    const { rotation, apps } = synthRotation((s) => ({
      clientIds: ['HqTRDIYH'],
      appStackCount: 1,
      refreshOnRotation: [{ clientId: 'HqTRDIYH', services: names.map((name) => importedService(s, name)) }],
    }));

    // THEN one role with an inline policy and managed policies, every ARN granted once
    const [role] = rotation.serviceRefresh!.serviceRoles;
    const attached = Object.values(apps.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>).filter((r) =>
      JSON.stringify(r.Properties.Roles ?? []).includes(logicalIdOf(role!)),
    );
    expect(attached.map((r) => r.Type)).toEqual(['AWS::IAM::Policy', ...Array.from({ length: attached.length - 1 }, () => 'AWS::IAM::ManagedPolicy')]);
    expect(attached.length).toBeGreaterThan(2);
    const granted = attached.flatMap((r) => asList(r.Properties.PolicyDocument.Statement[0].Resource));
    expect(granted).toHaveLength(600);
    expect(new Set(granted.map((g) => JSON.stringify(g))).size).toBe(600);
    for (const policy of attached) {
      expect(compactLength(policy.Properties.PolicyDocument)).toBeLessThan(policy.Type === 'AWS::IAM::Policy' ? 10_240 : 6_144);
    }
  });

  test('cdk-nag (AWS Solutions) finds nothing in the refresh, in the construct\'s stack and the app stacks', () => {
    const { stack, rotation } = synthWithRefresh();
    const pack = new AwsSolutionsChecks(stack.node.root as never);
    for (const scope of [stack, ...rotation.appStacks]) expect(pack.validateScope(scope).violations).toEqual([]);
  });

  test('counts rules against EventBridge\'s default quota per event bus: 100 in af-south-1 and eu-south-1, 300 elsewhere and when the Region is unknown', () => {
    expect([defaultBusRuleQuota('af-south-1'), defaultBusRuleQuota('eu-south-1'), defaultBusRuleQuota('eu-central-1'), defaultBusRuleQuota(Aws.REGION)]).toEqual([100, 100, 300, 300]);
  });

  test('a ServiceRefresh on its own keeps its rules and its role in its own stack', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Topic');
    const refresh = new ServiceRefresh(stack, 'Refresh', {
      targets: [{ secret: Secret.fromSecretCompleteArn(stack, 'S', APP_SECRET_ARNS[0]), services: [importedService(stack, 'api')] }],
      topic,
      runbookUrl: 'https://example.com/runbook',
      logRetention: logs.RetentionDays.ONE_MONTH,
    });
    const template = Template.fromStack(stack);
    expect([refresh.rules.length, refresh.serviceRoles.length]).toEqual([1, 1]);
    expect(Stack.of(refresh.rules[0]!)).toBe(stack);
    expect(identityPolicyStatements(template, logicalIdOf(refresh.serviceRoles[0]!))).toEqual([
      { Sid: 'RedeployServices1', Effect: 'Allow', Action: 'ecs:UpdateService', Resource: [serviceArn('api'), shortServiceArn('api')] },
    ]);
    template.resourceCountIs('AWS::Lambda::Permission', 1);
  });
});
