import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { auditFleet } from './audit';
import { emitAuditMetrics } from './audit-metrics';
import type { AuditConfig } from './config';

export interface AuditHandlerDependencies {
  readonly logger: Logger;
  readonly emf: Metrics;
  /** Built lazily, so a bad environment fails each run clearly instead of the module load. */
  readonly resolve: () => { readonly secretsManager: Pick<SecretsManagerClient, 'send'>; readonly config: AuditConfig };
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface AuditSummary {
  readonly audited: number;
  readonly attached: number;
  readonly detached: number;
  readonly stuck: number;
  readonly overdue: number;
  readonly disabled: number;
  readonly deletionScheduled: number;
  readonly unreadable: number;
  readonly listSecretsCalls: number;
  readonly listSecretVersionIdsCalls: number;
}

// Stop retrying this long before Lambda's timeout, to fail with a clear error instead of being cut off.
const TIME_MARGIN_MS = 10_000;

/**
 * The scheduled rotation audit: finds the secrets rotated by the rotation function, judges their
 * metadata and emits the findings as EMF. The event (EventBridge's scheduled event) carries
 * nothing it needs. A run that fails emits nothing: its errors alarm fires, and no partial zeros
 * turn a finding's alarm back to OK.
 */
export function createAuditHandler(deps: AuditHandlerDependencies) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const run = async (_event: unknown, context: Context): Promise<AuditSummary> => {
    const { secretsManager, config } = deps.resolve();
    const { audits, calls } = await auditFleet(
      {
        secretsManager,
        logger: deps.logger,
        now: deps.now ?? (() => new Date()),
        backoff: { sleep, random: deps.random ?? Math.random, remainingMs: () => context.getRemainingTimeInMillis() - TIME_MARGIN_MS },
      },
      config,
    );
    const detached = Math.max(0, config.attachedSecrets - audits.length);
    emitAuditMetrics(deps.emf, audits, detached);
    const count = (test: (a: (typeof audits)[number]) => boolean) => audits.filter(test).length;
    const summary = {
      audited: audits.length,
      attached: config.attachedSecrets,
      detached,
      stuck: count((a) => 'findings' in a && a.findings.stuck),
      overdue: count((a) => 'findings' in a && a.findings.overdue),
      disabled: count((a) => 'findings' in a && a.findings.disabled),
      deletionScheduled: count((a) => 'findings' in a && a.findings.deletionScheduled),
      unreadable: count((a) => 'unreadable' in a),
      listSecretsCalls: calls.listSecrets,
      listSecretVersionIdsCalls: calls.listSecretVersionIds,
    };
    deps.logger.info('Rotation audit finished', summary);
    return summary;
  };
  return middy(run)
    .use(injectLambdaContext(deps.logger, { logEvent: false, resetKeys: true }))
    .use(logMetrics(deps.emf));
}
