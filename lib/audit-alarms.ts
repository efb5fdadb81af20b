import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AUDIT_LOG_MESSAGES, AUDIT_METRICS, METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/names';

export type AuditFinding = 'stuck' | 'overdue' | 'disabled' | 'deletionScheduled' | 'unreadable';

/** A total the audit emits every run (dimension `service` only): what the alarms and the dashboard read. */
export function auditTotalMetric(name: (typeof AUDIT_METRICS)[keyof typeof AUDIT_METRICS], period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: SERVICE_NAME }, statistic: 'Maximum', period });
}

export interface AuditAlarmsProps {
  readonly topic: sns.ITopic;
  /** The audit function: its errors alarm. */
  readonly auditFunction: lambda.IFunction;
  /** Where the audit writes one line per secret needing attention, with its name. */
  readonly auditLogGroup: logs.ILogGroup;
  /** How often the audit runs: each alarm's period. */
  readonly interval: Duration;
  readonly runbookUrl: string;
}

// What each finding means and what to do, for the alarm description (docs/fleet.md has the long form).
const MEANING: Record<AuditFinding, string> = {
  stuck:
    'A Hopae rotation has stopped between createSecret and finishSecret: Hopae already replaced the clientSecret, so AWSCURRENT is dead for consumers not using the client/ helper. Now: npx hopae-rotation recover <secret>, then the same with --yes (docs/fleet.md, RotationStuck).',
  overdue:
    'A Hopae app secret has not rotated for longer than its schedule, window and grace: its schedule or the rotation function is not running. Run npx hopae-rotation doctor <secret> for the cause and its fix, then npx hopae-rotation rotate <secret> --wait (docs/fleet.md, RotationOverdue).',
  disabled:
    'Rotation is turned off on a Hopae app secret this stack rotates. Re-attach the rotation function with aws secretsmanager rotate-secret --no-rotate-immediately, or remove the secret from the construct (docs/fleet.md, RotationDisabled).',
  deletionScheduled:
    'A Hopae app secret rotated here is scheduled for deletion: when its recovery window ends its apps lose their credentials; it is not rotated meanwhile. Now: aws secretsmanager restore-secret --secret-id <secret>, or remove a retired app from the construct (docs/fleet.md, SecretDeletionScheduled).',
  unreadable:
    'The rotation audit could not read the version metadata of a Hopae app secret (deleted meanwhile, or access denied), so it cannot tell whether a rotation is stuck. Restore the secret or the audit\'s access to it, or remove it from the construct (docs/fleet.md, AuditUnreadable).',
};

/**
 * One alarm per audit finding on the fleet total, plus one that fires when the audit stops
 * reporting. A total (not one alarm per secret) keeps the alarm count fixed for any fleet; the
 * description says where the audit logged the secret's name.
 */
export class AuditAlarms extends Construct {
  /** One alarm per audit finding, by finding (`stuck`, `overdue`, `disabled`, `unreadable`, ...). */
  readonly alarms: Record<string, cloudwatch.Alarm>;
  /** The audit did not complete a run for two of its periods (not run, or failed). */
  readonly auditMissingAlarm: cloudwatch.Alarm;
  /** The audit function failed (an error, a timeout): its run reported nothing. */
  readonly auditErrorsAlarm: cloudwatch.Alarm;
  /** Fewer secrets name the rotation function than the construct attaches. */
  readonly detachedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AuditAlarmsProps) {
    super(scope, id);
    const action = new cloudwatchActions.SnsAction(props.topic);
    const findWhich = (finding: AuditFinding) => {
      const message = finding === 'unreadable' ? AUDIT_LOG_MESSAGES.unreadable : AUDIT_LOG_MESSAGES.attention;
      return (
        `Which secret: CloudWatch Logs Insights on log group ${props.auditLogGroup.logGroupName}: ` +
        `filter message = "${message}" | fields secretName, ${finding === 'unreadable' ? 'errorName' : finding}` +
        ` (or metric ${AUDIT_METRICS[finding]} by SecretName in namespace ${METRICS_NAMESPACE}).`
      );
    };
    const alarm = (finding: AuditFinding): cloudwatch.Alarm => {
      const metricName = AUDIT_METRICS[finding];
      return new cloudwatch.Alarm(this, `${metricName}Alarm`, {
        alarmDescription: `${MEANING[finding]} ${findWhich(finding)} Runbook: ${props.runbookUrl}`,
        metric: auditTotalMetric(metricName, props.interval),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data is the audit not running: AuditMissing says so, these stay quiet.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    };
    this.alarms = { stuck: alarm('stuck'), overdue: alarm('overdue'), disabled: alarm('disabled'), deletionScheduled: alarm('deletionScheduled'), unreadable: alarm('unreadable') };
    // A run reports totals only once it has covered the whole fleet: a failed or partial run
    // reports nothing rather than zeros, so it cannot turn a finding's alarm back to OK.
    this.auditMissingAlarm = new cloudwatch.Alarm(this, 'AuditMissingAlarm', {
      alarmDescription:
        `The Hopae rotation audit has not completed a run for two of its periods, so stuck or overdue rotations go unseen. ` +
        `Check its log group ${props.auditLogGroup.logGroupName} for errors and that its EventBridge schedule is enabled. Runbook: ${props.runbookUrl}`,
      metric: auditTotalMetric(AUDIT_METRICS.completed, props.interval).with({ statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.auditErrorsAlarm = new cloudwatch.Alarm(this, 'AuditErrorsAlarm', {
      alarmDescription:
        `The Hopae rotation audit failed (an error, a timeout, or Secrets Manager throttling past its retries) and reported nothing for that run. ` +
        `Read the error in its log group ${props.auditLogGroup.logGroupName}; the next run comes on schedule. Runbook: ${props.runbookUrl}`,
      metric: props.auditFunction.metricErrors({ period: props.interval, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.detachedAlarm = new cloudwatch.Alarm(this, 'SecretsDetachedAlarm', {
      alarmDescription:
        `Fewer secrets name the Hopae rotation function as their rotation function than the stack attaches: one was deleted for good or re-pointed to another function, and no longer rotates. ` +
        `Compare the app stacks' rotation schedules with aws secretsmanager list-secrets (RotationLambdaARN); re-attach with rotate-secret --no-rotate-immediately, or remove the app (docs/fleet.md, SecretsDetached). Runbook: ${props.runbookUrl}`,
      metric: auditTotalMetric(AUDIT_METRICS.detached, props.interval),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const each of [...Object.values(this.alarms), this.auditMissingAlarm, this.auditErrorsAlarm, this.detachedAlarm]) {
      each.addAlarmAction(action);
      each.addOkAction(action);
    }
  }
}
