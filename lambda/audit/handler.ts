import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { AuditThresholds } from './assess';
import { auditSecrets } from './audit';
import { emitAuditMetrics } from './audit-metrics';
import { parseAuditEvent } from './config';

export interface AuditHandlerDependencies {
  readonly logger: Logger;
  readonly emf: Metrics;
  /** Built lazily, so a bad environment fails each run clearly instead of the module load. */
  readonly resolve: () => { readonly secretsManager: Pick<SecretsManagerClient, 'send'>; readonly thresholds: AuditThresholds };
  readonly now?: () => Date;
}

export interface AuditSummary {
  readonly audited: number;
  readonly stuck: number;
  readonly overdue: number;
  readonly disabled: number;
  readonly deletionScheduled: number;
  readonly unreadable: number;
}

/** The scheduled rotation audit: reads the listed secrets' metadata and emits RotationStuck/Overdue/Disabled as EMF. */
export function createAuditHandler(deps: AuditHandlerDependencies) {
  const run = async (event: unknown): Promise<AuditSummary> => {
    const secretIds = parseAuditEvent(event);
    const { secretsManager, thresholds } = deps.resolve();
    const audits = await auditSecrets({ secretsManager, logger: deps.logger, now: deps.now ?? (() => new Date()) }, secretIds, thresholds);
    emitAuditMetrics(deps.emf, audits);
    const count = (test: (a: (typeof audits)[number]) => boolean) => audits.filter(test).length;
    const summary = {
      audited: audits.length,
      stuck: count((a) => 'findings' in a && a.findings.stuck),
      overdue: count((a) => 'findings' in a && a.findings.overdue),
      disabled: count((a) => 'findings' in a && a.findings.disabled),
      deletionScheduled: count((a) => 'findings' in a && a.findings.deletionScheduled),
      unreadable: count((a) => 'unreadable' in a),
    };
    deps.logger.info('Rotation audit finished', summary);
    return summary;
  };
  return middy(run)
    .use(injectLambdaContext(deps.logger, { logEvent: false, resetKeys: true }))
    .use(logMetrics(deps.emf));
}
