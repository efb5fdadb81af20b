import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { memoize } from '../runtime';
import { createSecretsManagerClient } from '../secrets-manager-client';
import { loadAuditConfig } from './config';
import { createAuditHandler } from './handler';

/** The audit's Lambda entry, exported from lambda/index.ts as `auditHandler` (same bundle as the rotation). */
export const auditHandler = createAuditHandler({
  logger: createLogger(),
  emf: createMetrics(),
  // The audit backs off on throttling itself (backoff.ts): one SDK attempt per try, so the two do not multiply.
  resolve: memoize(() => ({ secretsManager: createSecretsManagerClient(process.env, { maxAttempts: 1 }), config: loadAuditConfig(process.env) })),
});
