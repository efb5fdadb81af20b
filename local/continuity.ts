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

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
}

async function main(): Promise<number> {
  const rotations = option('rotations', 20);
  const ttlSeconds = option('ttl', 60);
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
