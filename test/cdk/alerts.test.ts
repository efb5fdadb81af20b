import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { HopaeSecretRotation } from '../../lib';

const DEFAULT_RUNBOOK = HopaeSecretRotation.DEFAULT_RUNBOOK;
import { ACCOUNT, APP_SECRET_ARNS, logicalIdOf, REGION, refTo, synthRotation } from './fixtures';

const RUNBOOK = 'https://wiki.example.com/hopae/rotation-failed';
const OWN_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:platform-alerts`;

function onlyResource(template: Template, type: string): { logicalId: string; resource: Record<string, any> } {
  const resources = Object.entries(template.findResources(type));
  expect(resources).toHaveLength(1);
  const [logicalId, resource] = resources[0]!;
  return { logicalId, resource };
}

/** The rule on Secrets Manager's failure events (the audit has its own scheduled rule). */
function failureRule(template: Template): Record<string, any> {
  const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: Match.anyValue() } }));
  expect(rules).toHaveLength(1);
  return rules[0]!;
}

/** The alarms on the rotation function's own Lambda metrics (the audit's alarms are tested in fleet.test.ts). */
function lambdaAlarmCount(template: Template): number {
  const rotationFunction = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }))[0];
  return Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/Lambda' } })).filter(
    (alarm) => JSON.stringify(alarm.Properties.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: rotationFunction } }]),
  ).length;
}

describe('HopaeSecretRotation failure events', () => {
  test('matches failed, abandoned and failed test rotations of exactly the attached secrets', () => {
    // GIVEN / WHEN two secrets imported by complete ARN
    const { template } = synthRotation();

    // THEN
    const rule = failureRule(template);
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.secretsmanager'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      'detail': {
        eventName: ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'],
        additionalEventData: { SecretId: [...APP_SECRET_ARNS] },
      },
    });
    expect(rule.Properties.State).toBe('ENABLED');
  });

  test('matches a secret known only by name, or created, by the prefix of its ARN up to the 6-character suffix', () => {
    // GIVEN / WHEN one secret imported by name and one created
    const { template } = synthRotation((stack) => ({
      appSecrets: [Secret.fromSecretNameV2(stack, 'ByName', 'hopae/apps/legacy')],
      clientIds: ['HqTRDIYH'],
    }));

    // THEN
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        detail: {
          additionalEventData: {
            SecretId: [
              { prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/HqTRDIYH-`]] } },
              { prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/legacy-`]] } },
            ],
          },
        },
      },
    });
  });

  test('sends a message naming the secret and the runbook to the topic', () => {
    // GIVEN / WHEN a runbook URL
    const { template, rotation } = synthRotation({ runbookUrl: RUNBOOK });

    // THEN one target: the topic, with an input transformer filling in the secret id
    const rule = failureRule(template);
    const targets = rule.Properties.Targets as Record<string, any>[];
    expect(targets).toHaveLength(1);
    expect(targets[0]!.Arn).toEqual(refTo(rotation.alerts.topic as sns.Topic));
    const transformer = targets[0]!.InputTransformer;
    expect(transformer.InputPathsMap).toEqual(
      expect.objectContaining({
        'detail-additionalEventData-SecretId': '$.detail.additionalEventData.SecretId',
        'detail-eventName': '$.detail.eventName',
      }),
    );
    expect(transformer.InputTemplate).toContain('<detail-additionalEventData-SecretId>');
    expect(transformer.InputTemplate).toContain('<detail-eventName>');
    expect(transformer.InputTemplate).toContain(`Runbook: ${RUNBOOK}`);
  });

  test('points at the default runbook when none is given', () => {
    // GIVEN / WHEN
    const { template } = synthRotation();

    // THEN
    const rule = failureRule(template);
    expect(rule.Properties.Targets[0].InputTransformer.InputTemplate).toContain(DEFAULT_RUNBOOK);
  });
});

describe('HopaeSecretRotation alarms', () => {
  test.each(['Errors', 'Throttles'])('alarms on the function\'s %s, to the topic and back', (metricName) => {
    // GIVEN / WHEN
    const { template, rotation, functionLogicalId } = synthRotation({ runbookUrl: RUNBOOK });

    // THEN
    expect(lambdaAlarmCount(template)).toBe(2);
    const topicRef = refTo(rotation.alerts.topic as sns.Topic);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionLogicalId } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
      AlarmDescription: Match.stringLikeRegexp(RUNBOOK.replace(/[.]/g, '\\.')),
    });
  });
});

describe('HopaeSecretRotation alert topic', () => {
  test('creates a topic encrypted with its own rotating key, without subscriptions by default', () => {
    // GIVEN / WHEN
    const { template, rotation } = synthRotation();

    // THEN
    const { logicalId: keyId } = onlyResource(template, 'AWS::KMS::Key');
    const { logicalId: topicId, resource: topic } = onlyResource(template, 'AWS::SNS::Topic');
    expect(topicId).toBe(logicalIdOf(rotation.alerts.topic as sns.Topic));
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('lets CloudWatch of this account use the topic key', () => {
    // GIVEN / WHEN
    const { template } = synthRotation();

    // THEN
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: Match.arrayWith(['kms:Decrypt']),
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          }),
        ]),
      },
    });
  });

  test('denies publishing without TLS and allows only this account\'s alarms and EventBridge to publish', () => {
    // GIVEN / WHEN
    const { template } = synthRotation();

    // THEN
    const { logicalId: topicId } = onlyResource(template, 'AWS::SNS::Topic');
    const { resource: policy } = onlyResource(template, 'AWS::SNS::TopicPolicy');
    expect(policy.Properties.Topics).toEqual([{ Ref: topicId }]);
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: { Ref: topicId },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': ACCOUNT } }),
      }),
    );
    // Every Allow goes to a service principal, never to everyone.
    for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
      expect(statement.Principal).toEqual({ Service: expect.stringMatching(/^(cloudwatch|events)\.amazonaws\.com$/) });
    }
  });

  test('lets EventBridge publish only for this stack\'s failure rule, and use the key only for this account\'s rules', () => {
    // GIVEN / WHEN
    const { template } = synthRotation();

    // THEN the topic names the rule exactly
    const [ruleId] = Object.keys(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: Match.anyValue() } }));
    const { resource: policy } = onlyResource(template, 'AWS::SNS::TopicPolicy');
    const topicStatements = policy.Properties.PolicyDocument.Statement as Record<string, any>[];
    const byEvents = topicStatements.filter((s) => s.Principal?.Service === 'events.amazonaws.com');
    expect(byEvents).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
      }),
    ]);
    // AND the key allows EventBridge only with the account and a rule ARN of this account and region
    const { resource: key } = onlyResource(template, 'AWS::KMS::Key');
    const keyByEvents = (key.Properties.KeyPolicy.Statement as Record<string, any>[]).filter((s) => s.Principal?.Service === 'events.amazonaws.com');
    expect(keyByEvents).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ACCOUNT}:rule/*`]] } },
        },
      }),
    ]);
  });

  test('subscribes alarmEmail to the new topic', () => {
    // GIVEN / WHEN
    const { template, rotation } = synthRotation({ alarmEmail: 'ops@example.com' });

    // THEN
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: refTo(rotation.alerts.topic as sns.Topic),
    });
  });

  test('uses a given alarmTopic instead of creating a topic and key', () => {
    // GIVEN / WHEN an existing topic
    const { template } = synthRotation((stack) => ({ alarmTopic: sns.Topic.fromTopicArn(stack, 'OwnTopic', OWN_TOPIC_ARN) }));

    // THEN nothing new for alerting except the rule and alarms, all aimed at that topic
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: OWN_TOPIC_ARN })],
    });
    expect(lambdaAlarmCount(template)).toBe(2);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [OWN_TOPIC_ARN], OKActions: [OWN_TOPIC_ARN] });
  });

  test.each([
    ['unencrypted', false],
    ['encrypted with a key in the same stack', true],
  ])('a topic the user brings (%s) keeps letting this account\'s alarms publish: its new topic policy replaces SNS\'s default one', (_name, encrypted) => {
    // GIVEN / WHEN the user's own topic, defined in the stack
    const { template } = synthRotation((stack) => ({
      alarmTopic: new sns.Topic(stack, 'PlatformAlerts', encrypted ? { masterKey: new kms.Key(stack, 'PlatformKey') } : {}),
    }));

    // THEN its policy allows both the failure rule and this account's CloudWatch alarms
    const { resource: policy } = onlyResource(template, 'AWS::SNS::TopicPolicy');
    const { logicalId: topicId } = onlyResource(template, 'AWS::SNS::Topic');
    expect(policy.Properties.Topics).toEqual([{ Ref: topicId }]);
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[];
    expect(statements.map((x) => x.Principal.Service).sort()).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    expect(statements.find((x) => x.Principal.Service === 'cloudwatch.amazonaws.com')).toEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${REGION}:${ACCOUNT}:alarm:*`]] } },
        },
      }),
    );
    // AND every alarm the construct creates (the function's and the audit's) publishes there
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(7);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    // AND an encrypted topic's key lets CloudWatch use it
    if (encrypted) {
      const { resource: key } = onlyResource(template, 'AWS::KMS::Key');
      expect((key.Properties.KeyPolicy.Statement as Record<string, any>[]).filter((x) => x.Principal?.Service === 'cloudwatch.amazonaws.com')).toEqual([
        expect.objectContaining({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } }),
      ]);
    }
  });
});
