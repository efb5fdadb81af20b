import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AuditAlarms } from './audit-alarms';
import { RotationDashboard } from './dashboard';
import { HopaeSecretRotationPropsError } from './errors';
import type { FunctionSettings } from './function-settings';
import type { HopaeSecretRotationProps } from './props';
import { RotationAudit } from './rotation-audit';

export const DEFAULT_AUDIT_INTERVAL = Duration.hours(1);
export const DEFAULT_STUCK_AFTER = Duration.minutes(30);
export const DEFAULT_OVERDUE_GRACE = Duration.days(1);
// When no window is set, Secrets Manager's own default may take the rest of the UTC day.
const DEFAULT_WINDOW = Duration.hours(24);

/** The audit's timing, checked before the construct creates anything. */
export interface AuditSettings {
  readonly interval: Duration;
  readonly stuckAfter: Duration;
  readonly overdueAfter: Duration;
  /** How long after its first scheduled rotation a secret that never rotated is overdue: the window + grace. */
  readonly overdueAfterScheduled: Duration;
}

/**
 * Reads and checks the audit props. `scheduleInterval` is the longest time between two scheduled
 * rotations when the schedule makes it plain; `window` the rotation window, if any.
 */
export function auditSettings(
  props: Pick<HopaeSecretRotationProps, 'auditInterval' | 'stuckAfter' | 'overdueGrace' | 'overdueAfter'>,
  scheduleInterval: Duration | undefined,
  window: Duration | undefined,
): AuditSettings {
  const interval = checkedDuration('auditInterval', props.auditInterval ?? DEFAULT_AUDIT_INTERVAL, Duration.minutes(5), Duration.hours(24));
  const stuckAfter = checkedDuration('stuckAfter', props.stuckAfter ?? DEFAULT_STUCK_AFTER, Duration.minutes(5), Duration.days(7));
  const grace = checkedDuration('overdueGrace', props.overdueGrace ?? DEFAULT_OVERDUE_GRACE, Duration.hours(0), Duration.days(30));
  const overdueAfterScheduled = Duration.minutes((window ?? DEFAULT_WINDOW).toMinutes() + grace.toMinutes());
  if (props.overdueAfter) {
    return { interval, stuckAfter, overdueAfterScheduled, overdueAfter: checkedDuration('overdueAfter', props.overdueAfter, Duration.hours(1), Duration.days(1100)) };
  }
  return { interval, stuckAfter, overdueAfterScheduled, overdueAfter: overdueThreshold(scheduleInterval, window, grace) };
}

export interface FleetMonitoringProps {
  /** How many secrets the construct attaches to the rotation function. */
  readonly attachedSecretCount: number;
  readonly rotationFunction: lambda.IFunction;
  readonly topic: sns.ITopic;
  readonly runbookUrl: string;
  readonly logRetention: logs.RetentionDays;
  readonly settings: AuditSettings;
  readonly dashboard: boolean;
  /**
   * Network placement, proxy and tracing shared by the construct's functions (HopaeSecretRotation
   * passes its own).
   *
   * @internal
   */
  readonly _functionSettings?: FunctionSettings;
}

/** The rotation audit, its alarms on the alert topic, and (optionally) the fleet dashboard. */
export class FleetMonitoring extends Construct {
  readonly audit: RotationAudit;
  readonly alarms: AuditAlarms;
  readonly dashboard?: RotationDashboard;

  constructor(scope: Construct, id: string, props: FleetMonitoringProps) {
    super(scope, id);
    const { interval, stuckAfter, overdueAfter, overdueAfterScheduled } = props.settings;

    this.audit = new RotationAudit(this, 'Audit', {
      rotationFunction: props.rotationFunction,
      attachedSecretCount: props.attachedSecretCount,
      schedule: events.Schedule.rate(interval),
      stuckAfter,
      overdueAfter,
      overdueAfterScheduled,
      logRetention: props.logRetention,
      _functionSettings: props._functionSettings,
    });
    this.alarms = new AuditAlarms(this, 'Alarms', {
      topic: props.topic,
      auditFunction: this.audit.auditFunction,
      auditLogGroup: this.audit.logGroup,
      interval,
      runbookUrl: props.runbookUrl,
    });
    if (props.dashboard) {
      this.dashboard = new RotationDashboard(this, 'Dashboard', {
        rotationFunction: props.rotationFunction,
        auditFunction: this.audit.auditFunction,
        auditInterval: interval,
      });
    }
  }
}

/** Schedule + window + grace: past this without a successful rotation, a secret is overdue. */
function overdueThreshold(scheduleInterval: Duration | undefined, window: Duration | undefined, grace: Duration): Duration {
  if (!scheduleInterval) {
    throw new HopaeSecretRotationPropsError(
      'overdueAfter',
      'is required with this schedule: the rotation audit cannot tell its longest gap between rotations from the expression; give overdueAfter (e.g. Duration.days(33))',
    );
  }
  return Duration.minutes(scheduleInterval.toMinutes() + (window ?? DEFAULT_WINDOW).toMinutes() + grace.toMinutes());
}

function checkedDuration(prop: keyof HopaeSecretRotationProps, value: Duration, min: Duration, max: Duration): Duration {
  if (value.isUnresolved()) throw new HopaeSecretRotationPropsError(prop, 'must be a concrete Duration, not a token');
  const ms = value.toMilliseconds();
  if (ms < min.toMilliseconds() || ms > max.toMilliseconds()) {
    throw new HopaeSecretRotationPropsError(prop, `must be between ${min.toHumanString()} and ${max.toHumanString()}; got ${value.toHumanString()}`);
  }
  return value;
}
