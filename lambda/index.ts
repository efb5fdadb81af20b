import { createHandler } from './handler';
import { createLogger } from './logger';
import { buildRuntime, memoize } from './runtime';

export type { RotationEvent } from './event';

const logger = createLogger();

/** The Secrets Manager rotation function: Lambda calls this for each of the four steps. */
export const handler = createHandler({
  logger,
  resolve: memoize(() => buildRuntime({ env: process.env, logger })),
});
