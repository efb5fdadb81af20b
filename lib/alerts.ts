import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { coverPatterns, eventArnMatcher, patternOf, renderedLength, type SecretPattern } from './secret-patterns';

/** Secrets Manager's CloudTrail service events that mean a rotation did not complete. */
export const FAILURE_EVENTS = ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'] as const;

export interface RotationAlertsProps {
  readonly rotationFunction: lambda.IFunction;
  readonly secrets: ISecret[];
  /** Existing topic to notify; when absent a new encrypted topic is created. */
  readonly topic?: sns.ITopic;
  /** Address subscribed to the new topic. */
  readonly email?: string;
  readonly runbookUrl: string;
}

/**
 * Tells people loudly when a rotation fails: Secrets Manager's failure events for these secrets,
 * and alarms on the function's errors and throttles, all to one SNS topic.
 */
export class RotationAlerts extends Construct {
  readonly topic: sns.ITopic;
  readonly failureRule: events.Rule;
  readonly errorsAlarm: cloudwatch.Alarm;
  readonly throttlesAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RotationAlertsProps) {
    super(scope, id);
    this.topic = props.topic ?? this.createTopic(props.email);
    // Also on a topic the user brings: the first statement CDK adds creates a topic policy, which
    // replaces SNS's default one, and without this the alarms below could no longer publish.
    this.allowAlarmsToPublish(this.topic);

    this.failureRule = new events.Rule(this, 'RotationFailedRule', {
      description: 'Secrets Manager reports a failed or abandoned rotation of a Hopae app secret',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventName: [...FAILURE_EVENTS],
          additionalEventData: { SecretId: failureRuleSecretIds(this, props.secrets) },
        },
      },
    });
    const field = (path: string) => events.EventField.fromPath(path);
    const message = events.RuleTargetInput.fromText(
      `Hopae secret rotation: ${field('$.detail.eventName')} for secret ${field('$.detail.additionalEventData.SecretId')} ` +
        `(account ${field('$.account')}, region ${field('$.region')}, at ${field('$.time')}). ` +
        `Hopae may already have replaced the old clientSecret: act within 24 hours. Runbook: ${props.runbookUrl}`,
    );
    // targets.SnsTopic would grant events.amazonaws.com on the topic and its key without
    // conditions (any rule of any account); this target only points at the topic, and
    // allowRuleToPublish grants the scoped permissions.
    this.failureRule.addTarget({ bind: () => ({ arn: this.topic.topicArn, input: message, targetResource: this.topic }) });
    this.allowRuleToPublish(this.failureRule);

    const action = new cloudwatchActions.SnsAction(this.topic);
    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `A Hopae rotation step failed (the function threw after its own retries). Check its logs for errorCode. Runbook: ${props.runbookUrl}`,
      metric: props.rotationFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.throttlesAlarm = new cloudwatch.Alarm(this, 'ThrottlesAlarm', {
      alarmDescription: `The Hopae rotation function was throttled: Secrets Manager retries, but rotations stall. Check account concurrency. Runbook: ${props.runbookUrl}`,
      metric: props.rotationFunction.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.errorsAlarm, this.throttlesAlarm]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  /**
   * EventBridge may publish to the topic, and use its key, only for this account's rules: the
   * topic names this rule exactly (aws:SourceArn). The key policy can only name the account's
   * rules by pattern: naming this rule would make key, rule and topic depend on each other in a
   * circle (the topic is encrypted with the key, the rule targets the topic).
   */
  private allowRuleToPublish(rule: events.Rule): void {
    const stack = Stack.of(this);
    const eventBridge = new iam.ServicePrincipal('events.amazonaws.com');
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowFailureRuleOfThisStack',
        actions: ['sns:Publish'],
        principals: [eventBridge],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
    this.topic.masterKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [eventBridge],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }) },
        },
      }),
    );
  }

  /**
   * CloudWatch alarms of this account may publish to the topic, and use its key. A topic policy
   * replaces SNS's default one, so they must be allowed by name. An imported topic (fromTopicArn)
   * keeps its own policy: CDK adds nothing to it, and its owner allows the alarms.
   */
  private allowAlarmsToPublish(topic: sns.ITopic): void {
    const stack = Stack.of(this);
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsOfThisAccount',
        actions: ['sns:Publish'],
        principals: [cloudWatch],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    topic.masterKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [cloudWatch],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }

  /** An SNS topic encrypted with its own key, https only; allowAlarmsToPublish and allowRuleToPublish let CloudWatch and EventBridge in. */
  private createTopic(email: string | undefined): sns.Topic {
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the Hopae secret rotation alert topic',
      enableKeyRotation: true,
    });
    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'Hopae secret rotation alerts',
      masterKey: key,
      enforceSSL: true,
    });
    if (email) topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }
}

// EventBridge caps an event pattern at 2,048 characters (Amazon EventBridge quotas, "Event pattern
// size"); the rest of the failure rule's pattern takes about 200 of them.
const MAX_SECRET_ID_CHARS = 1_700;

/**
 * What the failure rule matches in the event's SecretId (the secret's complete ARN): each secret's
 * ARN, or for a secret known only by name its ARN up to the 6-character suffix; past the pattern
 * size limit, the secrets' common name prefixes (e.g. every `hopae/apps/` secret), never more
 * than the account's secrets. A fixed size for any fleet.
 */
function failureRuleSecretIds(scope: Construct, secrets: readonly ISecret[]): (string | { prefix: string })[] {
  const fits = (patterns: readonly SecretPattern[]) => patterns.reduce((sum, p) => sum + renderedLength(p) + 14, 0) <= MAX_SECRET_ID_CHARS;
  return coverPatterns(secrets.map(patternOf), fits).map((pattern) => eventArnMatcher(scope, pattern));
}
