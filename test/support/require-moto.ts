import { findMotoServer, motoMissingMessage, runNeedsMoto } from '../../local/moto-check';
import { startMotoPool } from './moto-pool';
import { enterRunTmpdir } from './run-tmpdir';

/**
 * jest globalSetup: when the run includes integration tests, check once that moto_server exists
 * and stop with one message saying how to install it, instead of a failure in every file. Then
 * give the run its own temporary directory (test/support/run-tmpdir.ts) and, when it needs moto, one
 * moto_server per worker (test/support/moto-pool.ts), unless the config's `globals.hopaeMotoPool` is
 * false (test:tools and test:chaos, whose tests start moto_server their own way).
 */
export default async function requireMoto(
  globalConfig: { testPathPatterns?: { patterns?: readonly string[] }; maxWorkers: number },
  projectConfig?: { globals?: Record<string, unknown> },
): Promise<void> {
  const needsMoto = runNeedsMoto(globalConfig.testPathPatterns?.patterns ?? []);
  if (needsMoto && findMotoServer() === undefined) {
    process.stderr.write(`\n${motoMissingMessage()}\n\n`);
    process.exit(1);
  }
  enterRunTmpdir();
  if (needsMoto && projectConfig?.globals?.hopaeMotoPool !== false) await startMotoPool(globalConfig.maxWorkers);
}
