import { CfnResource, type Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { APP_SECRET_ARNS, ACCOUNT, identityPolicyStatements, logicalIdOf, REGION, refTo, synthRotation, testStack } from './fixtures';

const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/payments`;
const serviceArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/payments/${name}`;
/** The short ARN CDK gives an imported service without @aws-cdk/aws-ecs:arnFormatIncludesClusterName. */
const shortServiceArn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecs:${REGION}:${ACCOUNT}:service/${name}`]] });

/** An ECS service of another stack, imported as users would: by cluster and name. */
function importedService(stack: Stack, name: string): ecs.IBaseService {
  const cluster = ecs.Cluster.fromClusterAttributes(stack, `Cluster-${name}`, { clusterName: 'payments', clusterArn: CLUSTER_ARN, vpc: ec2.Vpc.fromVpcAttributes(stack, `Vpc-${name}`, { vpcId: 'vpc-1', availabilityZones: ['a'] }) });
  return ecs.FargateService.fromFargateServiceAttributes(stack, `Service-${name}`, { cluster, serviceName: name });
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

  test('its role may write its own log group and start deployments of exactly the listed services, nothing else', () => {
    const refresh = synth.rotation.serviceRefresh!;
    expect(identityPolicyStatements(synth.template, logicalIdOf(refresh.role))).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalIdOf(refresh.logGroup), 'Arn'] } },
      {
        Sid: 'RedeployServices',
        Effect: 'Allow',
        Action: 'ecs:UpdateService',
        Resource: ['api', 'worker', 'kyc'].flatMap((name) => [serviceArn(name), shortServiceArn(name)]),
      },
    ]);
    const trust = resources()[logicalIdOf(refresh.role)]!.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }]);
    // and no other role of the template may touch ECS
    const ecsStatements = Object.values(resources())
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => JSON.stringify(r.Properties.PolicyDocument).includes('ecs:'));
    expect(ecsStatements.map((r) => r.Properties.Roles)).toEqual([[refTo(refresh.role)]]);
  });

  test('one rule per secret, on its RotationSucceeded only, hands the function the secret and its services', () => {
    const refresh = synth.rotation.serviceRefresh!;
    const rules = refresh.rules.map((rule) => resources()[logicalIdOf(rule)]!.Properties);
    expect(rules).toHaveLength(2);
    expect(rules[0]!.EventPattern).toEqual({
      source: ['aws.secretsmanager'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: { eventName: ['RotationSucceeded'], additionalEventData: { SecretId: [APP_SECRET_ARNS[0]] } },
    });
    const target = rules[0]!.Targets[0];
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [logicalIdOf(refresh.refreshFunction), 'Arn'] });
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 });
    expect(target.InputTransformer.InputPathsMap).toEqual({ 'detail-additionalEventData-SecretId': '$.detail.additionalEventData.SecretId' });
    const input = JSON.parse(target.InputTransformer.InputTemplate.replace('<detail-additionalEventData-SecretId>', '"SECRET"'));
    expect(input).toEqual({
      secretId: 'SECRET',
      services: [
        { cluster: CLUSTER_ARN, service: 'api' },
        { cluster: CLUSTER_ARN, service: 'worker' },
      ],
    });
    // The secret created for a clientId (in an app stack) is matched by its name: its ARN up to the 6-character suffix.
    expect(rules[1]!.EventPattern.detail.additionalEventData.SecretId).toEqual([
      { prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-']] } },
    ]);
    // EventBridge may invoke the function only from these rules.
    for (const rule of refresh.rules) {
      synth.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [logicalIdOf(refresh.refreshFunction), 'Arn'] },
        SourceArn: { 'Fn::GetAtt': [logicalIdOf(rule), 'Arn'] },
      });
    }
  });

  test('matches a secret imported by name by its ARN prefix', () => {
    const { rotation, template } = synthRotation((stack) => {
      const byName = Secret.fromSecretNameV2(stack, 'ByName', 'hopae/apps/legacy');
      return { appSecrets: [byName], refreshOnRotation: [{ secret: byName, services: [importedService(stack, 'api')] }] };
    });
    const pattern = template.toJSON().Resources[logicalIdOf(rotation.serviceRefresh!.rules[0]!)].Properties.EventPattern;
    expect(pattern.detail.additionalEventData.SecretId).toEqual([
      { prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/legacy-`]] } },
    ]);
  });

  test('splits a long service list across rules, each input under EventBridge\'s 8,192 characters', () => {
    const names = Array.from({ length: 80 }, (_, i) => `service-with-a-rather-long-name-number-${i}`);
    const { rotation, template } = synthRotation((stack) => ({
      refreshOnRotation: [{ secret: Secret.fromSecretCompleteArn(stack, 'S', APP_SECRET_ARNS[1]), services: names.map((name) => importedService(stack, name)) }],
    }));
    const templates = rotation.serviceRefresh!.rules.map(
      (rule) => template.toJSON().Resources[logicalIdOf(rule)].Properties.Targets[0].InputTransformer.InputTemplate as string,
    );
    expect(templates.length).toBeGreaterThan(1);
    for (const text of templates) expect(text.length).toBeLessThan(8_192);
    const listed = templates.flatMap((text) => (JSON.parse(text.replace(/<[^>]+>/, '"x"')) as { services: { service: string }[] }).services.map((s) => s.service));
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

  test('cdk-nag (AWS Solutions) finds nothing in the refresh', () => {
    const { stack } = synthWithRefresh();
    const pack = new AwsSolutionsChecks(stack.node.root as never);
    const report = pack.validateScope(stack);
    expect(report.violations).toEqual([]);
  });
});
