/**
 * `npm run continuity`: the consumer-continuity measurement on the local default. While N
 * rotations run back to back, every kind of consumer calls the Hopae stand-in without pause; prints
 * each one's calls, failed calls and longest lock-out in one rotation, the invalidation window of
 * each rotation, and how long after Hopae's commit refreshOnRotation restarted the env-injected one.
 * Exits 1 when a helper failed a call or a rotation failed.
 *
 *   npm run continuity                      20 rotations, the helpers cache for 60 s
 *   npm run continuity -- --rotations 50 --json
 *   npm run continuity -- --no-python       without the Python helper (no Python with boto3 and requests)
 */
import { parseArgs } from 'node:util';
import { ECSClient } from '@aws-sdk/client-ecs';
import { loadBuiltRefreshHandler } from './built-function';
import { pythonInterpreter } from './continuity/consumers';
import { summarize } from './continuity/figures';
import { type ContinuityReport, runContinuityScenario } from './continuity/scenario';
import { startLocalEnvironment } from './local-environment';

const USAGE = 'usage: npm run continuity -- [--rotations N] [--json] [--no-python] [--python PATH]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rotations: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
      'no-python': { type: 'boolean', default: false },
      python: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const rotations = Number(values.rotations);
  if (!Number.isInteger(rotations) || rotations <= 0) throw new Error(`--rotations takes a whole number above 0; got ${values.rotations}\n${USAGE}`);
  const python = values['no-python'] ? false : (values.python ?? pythonInterpreter());

  const local = await startLocalEnvironment({ POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' });
  try {
    const { arn } = await local.createApp('HqTRDIYH');
    const report = await runContinuityScenario(
      {
        sm: local.sm,
        ecs: new ECSClient({ endpoint: local.moto.endpoint }),
        standIn: local.standIn,
        handler: await local.loadHandler(),
        refreshHandler: loadBuiltRefreshHandler(),
        hopaeBaseUrl: local.hopaeBaseUrl,
        secretArn: arn,
        clientId: 'HqTRDIYH',
      },
      { rotations, python },
    );
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else print(report);
    const helpers = report.consumers.filter((c) => c.consumer.includes('helper'));
    return helpers.every((c) => c.failures === 0) && report.failedRotations === 0 ? 0 : 1;
  } finally {
    await local.stop();
  }
}

function print(report: ContinuityReport): void {
  console.log(`Consumer continuity: ${report.rotations} rotations back to back (${report.failedRotations} failed), consumers calling GET /providers without pause\n`);
  const rows = report.consumers.map((c) => [
    c.consumer,
    String(c.calls),
    String(c.failures),
    c.lockedOutAtEnd ? `≥ ${c.longestLockoutMs} (until the end of the run)` : String(c.longestLockoutMs),
  ]);
  const headers = ['consumer', 'calls', 'failed', 'longest lock-out in one rotation, ms'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`;
  console.log(line(headers));
  for (const row of rows) console.log(line(row));
  const w = summarize(report.invalidationWindowsMs);
  console.log(`\n  invalidation window (Hopae commit -> AWSCURRENT moved), ms: min ${w.min}, median ${w.median}, max ${w.max}`);
  const r = summarize(report.restartAfterCommitMs);
  console.log(
    `  env-injected consumer restarted by refreshOnRotation ${report.restarts} times (${report.failedRefreshes} refresh runs failed); ` +
      `Hopae commit -> new task reading the secret, ms: min ${r.min}, median ${r.median}, max ${r.max}`,
  );
  console.log(`  (locally the rotation steps run back to back and the redeployment is instant; in AWS both take longer: docs/client.md)`);
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`continuity failed: ${error.message}`);
    process.exit(1);
  },
);
