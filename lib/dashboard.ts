import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ROTATION_STEPS } from '../lambda/event';
import { AUDIT_METRICS, METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/names';
import { auditTotalMetric } from './audit-alarms';

export interface RotationDashboardProps {
  readonly rotationFunction: lambda.IFunction;
  readonly auditFunction: lambda.IFunction;
  /** How often the audit runs: the period of its widgets. */
  readonly auditInterval: Duration;
  /** @default - CloudFormation's generated name */
  readonly dashboardName?: string;
}

const DAY = Duration.days(1);
const HOUR = Duration.hours(1);

/** One of the rotation's per-step metrics (lambda/metrics.ts: dimensions `service` and `Step`). */
function stepMetric(metricName: string, step: string, statistic: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME, Step: step },
    statistic,
    period,
    label: `${step} ${statistic === 'Sum' ? '' : statistic}`.trim(),
  });
}

/** The fleet at a glance: rotations, step durations, Hopae retries, the audit's findings, the functions' health. */
export class RotationDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: RotationDashboardProps) {
    super(scope, id);
    const steps = [...ROTATION_STEPS];
    const perStep = (metricName: string, statistic = 'Sum', period = HOUR) => steps.map((step) => stepMetric(metricName, step, statistic, period));
    const fn = props.rotationFunction;
    const audit = props.auditFunction;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Rotations per day: finished (finishSecret succeeded) and failed steps',
        left: [stepMetric('StepSucceeded', 'finishSecret', 'Sum', DAY).with({ label: 'rotations finished' })],
        right: [...perStep('StepFailed', 'Sum', DAY), stepMetric('StepFailed', 'unknown', 'Sum', DAY)],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Step duration p50 / p99 (ms)',
        left: perStep('StepDuration', 'p50'),
        right: perStep('StepDuration', 'p99'),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Hopae retries and throttles (429 / in progress), idempotent replays',
        left: [...perStep('HopaeRetries'), ...perStep('HopaeThrottles')],
        right: perStep('IdempotentReplays'),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Rotation audit: secrets stuck, overdue, disabled, scheduled for deletion, unreadable',
        left: (['stuck', 'overdue', 'disabled', 'deletionScheduled', 'unreadable'] as const).map((finding) =>
          auditTotalMetric(AUDIT_METRICS[finding], props.auditInterval).with({ label: finding }),
        ),
        right: [
          auditTotalMetric(AUDIT_METRICS.audited, props.auditInterval).with({ label: 'secrets audited' }),
          auditTotalMetric(AUDIT_METRICS.detached, props.auditInterval).with({ label: 'secrets detached' }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Functions: errors and throttles',
        left: [
          fn.metricErrors({ period: HOUR, label: 'rotation errors' }),
          fn.metricThrottles({ period: HOUR, label: 'rotation throttles' }),
          audit.metricErrors({ period: HOUR, label: 'audit errors' }),
          audit.metricThrottles({ period: HOUR, label: 'audit throttles' }),
        ],
        width: 24,
      }),
    );
  }
}
