import { findMotoServer, motoMissingMessage, runNeedsMoto } from '../../local/moto-check';
import { enterRunTmpdir } from './run-tmpdir';

/**
 * jest globalSetup: when the run includes integration tests, check once that moto_server exists
 * and stop with one message saying how to install it, instead of a failure in every file. Then
 * give the run its own temporary directory (test/support/run-tmpdir.ts).
 */
export default function requireMoto(globalConfig: { testPathPatterns?: { patterns?: readonly string[] } }): void {
  if (runNeedsMoto(globalConfig.testPathPatterns?.patterns ?? []) && findMotoServer() === undefined) {
    process.stderr.write(`\n${motoMissingMessage()}\n\n`);
    process.exit(1);
  }
  enterRunTmpdir();
}
