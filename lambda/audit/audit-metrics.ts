import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { AUDIT_METRICS, SECRET_NAME_DIMENSION } from '../names';
import type { SecretAudit } from './audit';

/**
 * Writes a completed audit as EMF: totals every run (0 included) and AuditCompleted = 1, so "no
 * data" means the audit did not complete; per secret only its problems: a metric per secret per
 * hour would cost a custom metric for every secret and flag, whether anything is wrong or not.
 */
export function emitAuditMetrics(metrics: Metrics, audits: readonly SecretAudit[], detached = 0): void {
  const totals = { stuck: 0, overdue: 0, disabled: 0, deletionScheduled: 0, unreadable: 0 };
  for (const audit of audits) {
    const flagged: (keyof typeof totals)[] =
      'unreadable' in audit
        ? ['unreadable']
        : (['stuck', 'overdue', 'disabled', 'deletionScheduled'] as const).filter((flag) => audit.findings[flag]);
    for (const flag of flagged) {
      totals[flag] += 1;
      const single = metrics.singleMetric();
      single.addDimension(SECRET_NAME_DIMENSION, audit.secretName);
      single.addMetric(AUDIT_METRICS[flag], MetricUnit.Count, 1);
    }
  }
  metrics.addMetric(AUDIT_METRICS.audited, MetricUnit.Count, audits.length);
  metrics.addMetric(AUDIT_METRICS.detached, MetricUnit.Count, detached);
  metrics.addMetric(AUDIT_METRICS.completed, MetricUnit.Count, 1);
  for (const flag of Object.keys(totals) as (keyof typeof totals)[]) metrics.addMetric(AUDIT_METRICS[flag], MetricUnit.Count, totals[flag]);
}
