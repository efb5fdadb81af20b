/**
 * `npm run continuity`: the consumer-continuity measurement on the local default. Prints the calls
 * that failed for each kind of consumer while N rotations run back to back, and each rotation's
 * invalidation window.
 *
 *   npm run continuity                 20 rotations, consumers cache for 60 s
 *   npm run continuity -- --rotations 50 --ttl 5
 */
import { runContinuityScenario, summarize } from './continuity-scenario';
import { startLocalEnvironment } from './local-environment';
import { parseScriptArgs, wholeNumber } from './script-args';

const USAGE = `Usage: npm run continuity -- [options]

Rotations back to back on moto_server and the Hopae stand-in while consumers call Hopae without
pause; prints the calls that failed for each kind of consumer and each rotation's invalidation window.

Options:
  --rotations N   rotations back to back (default 20)
  --ttl S         seconds the caching consumers keep a value (default 60)
  --help          print this help

Exit status: 0 when the re-reading consumer never failed and every rotation finished, else 1; 2 for a bad option.`;

async function main(): Promise<number> {
  const values = parseScriptArgs('continuity', USAGE, { rotations: { type: 'string' }, ttl: { type: 'string' } });
  const rotations = wholeNumber('rotations', USAGE, values.rotations, 20);
  const ttlSeconds = wholeNumber('ttl', USAGE, values.ttl, 60);
  const local = await startLocalEnvironment({ POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' });
  try {
    const { arn } = await local.createApp('HqTRDIYH');
    const report = await runContinuityScenario(
      { sm: local.sm, standIn: local.standIn, handler: await local.loadHandler(), hopaeBaseUrl: local.hopaeBaseUrl, secretArn: arn, clientId: 'HqTRDIYH' },
      { rotations, cacheTtlMs: ttlSeconds * 1000 },
    );
    console.log(`Consumer continuity: ${report.rotations} rotations back to back (${report.failedRotations} failed), consumers calling GET /providers without pause\n`);
    const width = Math.max(...report.consumers.map((c) => c.consumer.length));
    console.log(`  ${'consumer'.padEnd(width)}  ${'calls'.padStart(6)}  ${'failed'.padStart(6)}`);
    for (const c of report.consumers) console.log(`  ${c.consumer.padEnd(width)}  ${String(c.calls).padStart(6)}  ${String(c.failures).padStart(6)}`);
    const w = summarize(report.invalidationWindowsMs);
    console.log(`\n  invalidation window (Hopae commit -> AWSCURRENT moved), ms: min ${w.min}, median ${w.median}, max ${w.max}`);
    console.log(`  per rotation: ${report.invalidationWindowsMs.join(' ')}`);
    return report.consumers[0]!.failures === 0 && report.failedRotations === 0 ? 0 : 1;
  } finally {
    await local.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`continuity failed: ${error.message}`);
    process.exit(1);
  },
);
