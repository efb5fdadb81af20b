/**
 * `npm start`: one whole rotation on the local default. Starts moto_server (Secrets Manager) and
 * the Hopae stand-in, creates a workspace-key secret and an app secret, begins a rotation as
 * Secrets Manager does, runs the four steps through the real handler, and reports. Prints no
 * secret; exits non-zero on any failure.
 *
 *   npm start                          a clean rotation
 *   npm start -- --fault drop-after-commit   Hopae commits, then the connection drops
 *   npm start -- --logs                also print the function's structured logs and EMF metrics
 *
 * Without --logs the function logs nothing here (its retries show in the call counts); as
 * Secrets Manager does, the run removes AWSPENDING from the version once finishSecret succeeded.
 */
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { parseAppSecret } from '../lambda/app-secret';
import type { Fault } from './hopae-stand-in';
import { startLocalEnvironment } from './local-environment';
import { beginRotation, completeRotation, runSteps } from './rotation-driver';
import { parseScriptArgs } from './script-args';

const CLIENT_ID = 'HqTRDIYH';

/** Faults the demo can show; the rotation must succeed through each. */
const DEMO_FAULTS: Record<string, Fault> = {
  'drop-after-commit': { route: 'rotate', phase: 'after-commit', action: { type: 'drop' } },
  '503-after-commit': { route: 'rotate', phase: 'after-commit', action: { type: 'status', status: 503 } },
  'html-after-commit': { route: 'rotate', phase: 'after-commit', action: { type: 'raw', status: 200, body: '<html>OK</html>', contentType: 'text/html' } },
  '503-before-commit': { route: 'rotate', phase: 'before-commit', action: { type: 'status', status: 503, retryAfter: '0' } },
  '429-before-commit': { route: 'rotate', phase: 'before-commit', action: { type: 'status', status: 429, retryAfter: '1' } },
};

interface Options {
  readonly logs: boolean;
  readonly fault: string | undefined;
}

const USAGE = `Usage: npm start -- [--logs] [--fault NAME]

One whole rotation on moto_server (Secrets Manager) and the Hopae stand-in, through the real handler.

Options:
  --fault NAME    a Hopae fault the rotation must survive: ${Object.keys(DEMO_FAULTS).join(', ')}
  --logs          also print the function's structured logs and EMF metrics
  --help          print this help

Exit status: 0 rotated and Hopae accepts the stored pair; 1 otherwise; 2 for a bad option.`;

function parseArgs(): Options {
  const values = parseScriptArgs('npm start', USAGE, { logs: { type: 'boolean' }, fault: { type: 'string' } });
  const fault = values.fault as string | undefined;
  if (fault !== undefined && !DEMO_FAULTS[fault]) {
    process.stderr.write(`Unknown fault "${fault}"; one of ${Object.keys(DEMO_FAULTS).join(', ')}\n\n${USAGE}\n`);
    process.exit(2);
  }
  return { logs: values.logs === true, fault };
}

async function main(): Promise<number> {
  const options = parseArgs();
  const started = performance.now();
  const local = await startLocalEnvironment({
    // Raw JSON log lines only when asked for: the table below tells the story.
    POWERTOOLS_LOG_LEVEL: options.logs ? 'INFO' : 'SILENT',
    // EMF metric lines are for CloudWatch; shown only with --logs.
    POWERTOOLS_METRICS_DISABLED: options.logs ? 'false' : 'true',
  });
  process.once('SIGINT', () => void local.stop().then(() => process.exit(130)));

  try {
    const { moto, standIn, sm, hopaeBaseUrl } = local;
    const { arn, secret: originalSecret } = await local.createApp(CLIENT_ID, { environment: 'local' });
    if (options.fault) standIn.injectFault(DEMO_FAULTS[options.fault]!);
    const token = await beginRotation(sm, arn);

    console.log('Hopae secret rotation: local run');
    printRows([
      ['Secrets Manager', `moto_server at ${moto.endpoint}`],
      ['Hopae', `stand-in at ${hopaeBaseUrl}`],
      ['Secret', `hopae/apps/${CLIENT_ID} (clientId ${CLIENT_ID})`],
      ['Rotation token', token],
      ...(options.fault ? [['Injected fault', options.fault] as [string, string]] : []),
    ]);
    console.log('');

    const handler = await local.loadHandler();
    console.log(row(['step', 'outcome', 'time'], [14, 18]));
    const runs = await runSteps(handler, arn, token, {
      onStep: (run) => {
        const outcome = run.error ? `FAILED` : String((run.result as { outcome?: string })?.outcome);
        console.log(row([run.step, outcome, `${run.durationMs.toFixed(0)} ms`], [14, 18]));
        if (run.error) console.log(`  ${run.error.name}: ${run.error.message}`);
      },
    });
    const failed = runs.some((run) => run.error) || runs.length !== 4;
    if (!failed) await completeRotation(sm, arn, token);

    console.log(`\nFinal stages${failed ? '' : ' (after Secrets Manager removed AWSPENDING from the finished version)'}`);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    for (const [versionId, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
      console.log(`  ${versionId}  ${stages.join(', ')}${versionId === token ? '   (this rotation)' : ''}`);
    }
    const current = parseAppSecret(
      (await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))).SecretString,
      'AWSCURRENT',
    );
    const hopaeCalls = `${standIn.count('rotate')} rotate, ${standIn.count('providers')} providers`;
    const accepted = await providersAccepts(hopaeBaseUrl, current.clientId, current.clientSecret);
    const oldAccepted = await providersAccepts(hopaeBaseUrl, CLIENT_ID, originalSecret);
    console.log('');
    printRows([
      ['Hopae accepts the AWSCURRENT pair', accepted ? 'yes' : 'NO'],
      ['Hopae accepts the old pair', oldAccepted ? 'yes (unexpected)' : 'no (Hopae killed it at rotation, as documented)'],
      ['Rotations at Hopae', String(standIn.rotations(CLIENT_ID))],
      ['Calls to Hopae by the function', hopaeCalls],
    ]);
    const ok = !failed && accepted && !oldAccepted && standIn.rotations(CLIENT_ID) === 1;
    console.log(`\n${ok ? 'Rotation succeeded' : 'Rotation FAILED'} in ${(performance.now() - started).toFixed(0)} ms (including start-up).`);
    return ok ? 0 : 1;
  } finally {
    await local.stop();
  }
}

/** GET /providers with Basic auth, as any application using the pair would. */
async function providersAccepts(baseUrl: string, clientId: string, clientSecret: string | undefined): Promise<boolean> {
  if (clientSecret === undefined) return false;
  const response = await fetch(`${baseUrl}/providers`, {
    headers: { Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
  });
  await response.arrayBuffer();
  return response.status === 200;
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return `  ${cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]!) : cell)).join(' ')}`;
}

function printRows(rows: ReadonlyArray<readonly [string, string]>): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`npm start failed: ${error.name}: ${error.message}`);
    process.exit(1);
  },
);
