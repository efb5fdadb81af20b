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
import { ECSClient } from '@aws-sdk/client-ecs';
import { loadBuiltRefreshHandler } from './built-function';
import { pythonInterpreter } from './continuity/consumers';
import { summarize } from './continuity/figures';
import { type ContinuityReport, runContinuityScenario } from './continuity/scenario';
import { startLocalEnvironment } from './local-environment';
import { parseScriptArgs, wholeNumber } from './script-args';

const USAGE = `Usage: npm run continuity -- [options]

Rotations back to back on moto_server and the Hopae stand-in while nine kinds of consumer call Hopae
without pause (the TypeScript and Python helpers, readers of AWSCURRENT on every call and cached 60 s
and 300 s with and without a re-read on 401, an env-injected ECS consumer that refreshOnRotation
restarts); prints each one's calls, failed calls and longest lock-out in one rotation.

Options:
  --rotations N   rotations back to back (default 20)
  --json          the report as one JSON document
  --no-python     leave out the Python helper (no Python with boto3 and requests here)
  --python PATH   the Python for the Python helper (default: HOPAE_PYTHON, .venv-python/bin/python, python3)
  --help          print this help

Exit status: 0 when neither helper failed a call and every rotation finished, else 1; 2 for a bad option.`;

async function main(): Promise<number> {
  const values = parseScriptArgs('continuity', USAGE, {
    rotations: { type: 'string' },
    json: { type: 'boolean' },
    'no-python': { type: 'boolean' },
    python: { type: 'string' },
  });
  const rotations = wholeNumber('rotations', USAGE, values.rotations, 20);
  const python = values['no-python'] === true ? false : typeof values.python === 'string' ? values.python : pythonInterpreter();
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
