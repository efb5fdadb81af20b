import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from './names';

export { SERVICE_NAME };

/** The part of Powertools' Logger the rotation code uses; tests may pass any logger of this shape. */
export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error' | 'appendKeys'>;

/** One logger configuration for the function: structured JSON, service name, level from the environment. */
export function createLogger(): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME });
}
