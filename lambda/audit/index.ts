import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { memoize } from '../runtime';
import { createSecretsManagerClient } from '../secrets-manager-client';
import { loadAuditThresholds } from './config';
import { createAuditHandler } from './handler';

/** The audit's Lambda entry, exported from lambda/index.ts as `auditHandler` (same bundle as the rotation). */
export const auditHandler = createAuditHandler({
  logger: createLogger(),
  emf: createMetrics(),
  resolve: memoize(() => ({ secretsManager: createSecretsManagerClient(process.env), thresholds: loadAuditThresholds(process.env) })),
});
