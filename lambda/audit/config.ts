import { positiveInt } from '../config';
import { ConfigurationError } from '../errors';
import { AUDIT_ENV, DEFAULT_STUCK_AFTER_MINUTES } from '../names';
import type { AuditThresholds } from './assess';

/**
 * Defaults when the construct sets nothing: 30 minutes pending is stuck; 30 days + 1 day window +
 * 1 day grace is overdue; a secret that never rotated is overdue 1 day window + 1 day grace after
 * its scheduled rotation.
 */
export { DEFAULT_STUCK_AFTER_MINUTES };
export const DEFAULT_OVERDUE_AFTER_HOURS = 32 * 24;
export const DEFAULT_OVERDUE_AFTER_SCHEDULED_HOURS = 2 * 24;

/** What the audit covers and how it judges, from its environment (the construct sets it). */
export interface AuditConfig {
  /** Every secret whose RotationLambdaARN is this function is audited. */
  readonly rotationFunctionArn: string;
  /** How many secrets the construct attaches: fewer found are reported as detached. */
  readonly attachedSecrets: number;
  readonly thresholds: AuditThresholds;
}

/** The audit's configuration; a bad or missing value fails the run, naming the variable. */
export function loadAuditConfig(env: NodeJS.ProcessEnv): AuditConfig {
  const rotationFunctionArn = env[AUDIT_ENV.rotationFunctionArn]?.trim() ?? '';
  if (!/^arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/.test(rotationFunctionArn)) {
    throw new ConfigurationError(
      `${AUDIT_ENV.rotationFunctionArn} must be the rotation function's ARN (the HopaeSecretRotation construct sets it); got ${JSON.stringify(rotationFunctionArn)}`,
    );
  }
  const attached = env[AUDIT_ENV.attachedSecrets]?.trim() ?? '0';
  if (!/^\d+$/.test(attached)) throw new ConfigurationError(`${AUDIT_ENV.attachedSecrets} must be a whole number; got ${JSON.stringify(attached)}`);
  return { rotationFunctionArn, attachedSecrets: Number(attached), thresholds: loadAuditThresholds(env) };
}

export function loadAuditThresholds(env: NodeJS.ProcessEnv): AuditThresholds {
  return {
    stuckAfterMs: positiveInt(env, AUDIT_ENV.stuckAfterMinutes, DEFAULT_STUCK_AFTER_MINUTES) * 60_000,
    overdueAfterMs: positiveInt(env, AUDIT_ENV.overdueAfterHours, DEFAULT_OVERDUE_AFTER_HOURS) * 3_600_000,
    overdueAfterScheduledMs: positiveInt(env, AUDIT_ENV.overdueAfterScheduledHours, DEFAULT_OVERDUE_AFTER_SCHEDULED_HOURS) * 3_600_000,
  };
}
