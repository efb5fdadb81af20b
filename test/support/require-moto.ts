import { findMotoServer, motoMissingMessage, runNeedsMoto } from '../../local/moto-check';
import { startMotoPool } from './moto-pool';
import { enterRunTmpdir } from './run-tmpdir';

/**
 * jest globalSetup: when the run includes integration tests, check once that moto_server exists
 * and stop with one message saying how to install it, instead of a failure in every file. Then
 * give the run its own temporary directory (test/support/run-tmpdir.ts) and, when it needs moto, one
 * moto_server per worker (test/support/moto-pool.ts).
 */
export default async function requireMoto(globalConfig: { testPathPatterns?: { patterns?: readonly string[] }; maxWorkers: number }): Promise<void> {
  const needsMoto = runNeedsMoto(globalConfig.testPathPatterns?.patterns ?? []);
  if (needsMoto && findMotoServer() === undefined) {
    process.stderr.write(`\n${motoMissingMessage()}\n\n`);
    process.exit(1);
  }
  enterRunTmpdir();
  if (needsMoto) await startMotoPool(globalConfig.maxWorkers);
}
