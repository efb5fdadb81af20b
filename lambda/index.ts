import { createHandler } from './handler';
import { createLogger } from './logger';
import { createMetrics, PowertoolsRotationMetrics } from './metrics';
import { buildRuntime, memoize } from './runtime';

export type { RotationEvent } from './event';

const logger = createLogger();
const emf = createMetrics();
const metrics = new PowertoolsRotationMetrics(emf);

/** The Secrets Manager rotation function: Lambda calls this for each of the four steps. */
export const handler = createHandler({
  logger,
  metrics,
  emf,
  resolve: memoize(() => buildRuntime({ env: process.env, logger, metrics })),
});
export { auditHandler } from './audit';
export { refreshHandler } from './refresh';
