import { findMotoServer, motoMissingMessage, runNeedsMoto } from '../../local/moto-check';

/**
 * jest globalSetup: when the run includes integration tests, check once that moto_server exists
 * and stop with one message saying how to install it, instead of a failure in every file.
 */
export default function requireMoto(globalConfig: { testPathPatterns?: { patterns?: readonly string[] } }): void {
  if (!runNeedsMoto(globalConfig.testPathPatterns?.patterns ?? [])) return;
  if (findMotoServer() !== undefined) return;
  process.stderr.write(`\n${motoMissingMessage()}\n\n`);
  process.exit(1);
}
