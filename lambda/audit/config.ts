import { positiveInt } from '../config';
import { InvalidEventError } from '../errors';
import { AUDIT_ENV } from '../names';
import type { AuditThresholds } from './assess';

/**
 * Defaults when the construct sets nothing: 30 minutes pending is stuck; 30 days + 1 day window +
 * 1 day grace is overdue; a secret that never rotated is overdue 1 day window + 1 day grace after
 * its scheduled rotation.
 */
export const DEFAULT_STUCK_AFTER_MINUTES = 30;
export const DEFAULT_OVERDUE_AFTER_HOURS = 32 * 24;
export const DEFAULT_OVERDUE_AFTER_SCHEDULED_HOURS = 2 * 24;

/** The audit's thresholds from its environment; a bad value fails the run, naming the variable. */
export function loadAuditThresholds(env: NodeJS.ProcessEnv): AuditThresholds {
  return {
    stuckAfterMs: positiveInt(env, AUDIT_ENV.stuckAfterMinutes, DEFAULT_STUCK_AFTER_MINUTES) * 60_000,
    overdueAfterMs: positiveInt(env, AUDIT_ENV.overdueAfterHours, DEFAULT_OVERDUE_AFTER_HOURS) * 3_600_000,
    overdueAfterScheduledMs: positiveInt(env, AUDIT_ENV.overdueAfterScheduledHours, DEFAULT_OVERDUE_AFTER_SCHEDULED_HOURS) * 3_600_000,
  };
}

/** The secrets to audit, from the EventBridge rule's constant input `{"secretIds": [...]}` the construct writes. */
export function parseAuditEvent(event: unknown): string[] {
  const secretIds = (event as { secretIds?: unknown } | null)?.secretIds;
  if (!Array.isArray(secretIds) || secretIds.length === 0 || !secretIds.every((id) => typeof id === 'string' && id.trim() !== '')) {
    throw new InvalidEventError(
      'The audit event must be {"secretIds": [...]} with at least one secret ARN or name, as the HopaeSecretRotation construct\'s audit schedule sends it; invoke the audit through that rule or with that input',
    );
  }
  return secretIds as string[];
}

