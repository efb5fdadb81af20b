import type { AppSecret } from '../../lambda/app-secret';
import { SecretStore } from '../../lambda/secret-store';
import { WorkspaceKeyProvider } from '../../lambda/workspace-key';
import { type CommandContext, readCurrentAppSecret } from '../context';
import { CliError, EXIT } from '../errors';
import { assessVersions, type HopaeUsed, reportHopaeUsed } from '../assess';
import { type HopaeProbe, probeFor } from '../hopae-probe';
import { classifyConfiguration, reattachCommand, type Row } from '../rotation-state';
import { surveyConsumers } from '../consumers';
import { functionName, readSecretState, resolveHopaeAccess, type FunctionInfo, type HopaeAccess, type SecretState, type StuckAfter } from '../secrets';

export interface DoctorOptions {
  readonly secretId: string;
  readonly apiBaseUrl?: string;
  readonly workspaceKeySecret?: string;
  /** Overrides the function's in-flight threshold. */
  readonly stuckAfterMinutes?: number;
}

interface Check {
  readonly check: string;
  /**
   * wait: a rotation is in flight; nothing is wrong yet. warn: something needs attention before the
   * next rotation, but nothing a rotation needs is wrong.
   */
  readonly status: 'pass' | 'fail' | 'skip' | 'wait' | 'warn';
  readonly detail: string;
  readonly fix?: string;
}

/**
 * Each precondition of a rotation, with a pass or fail mark and the fix, and the secret's row in
 * the rotation state table. Exit 2 for a secret that is not ours or whose AWSCURRENT is malformed
 * (bad input), else 1 when any check fails.
 */
export async function doctorCommand(context: CommandContext, options: DoctorOptions): Promise<number> {
  const { deps, out } = context;
  const checks: Check[] = [];
  const add = (check: Check) => checks.push(check);
  const state = await readSecretState(deps.sm, options.secretId);

  // 1. The secret's JSON
  let app: AppSecret | undefined;
  let badInput = false;
  try {
    app = await readCurrentAppSecret(context, state);
    add({ check: 'secret value', status: 'pass', detail: `JSON with clientId ${app.clientId}${app.clientSecret ? '' : ' (no clientSecret yet: the first rotation mints it)'}` });
  } catch (error) {
    badInput = true;
    add({ check: 'secret value', status: 'fail', detail: (error as Error).message, fix: `the rotation state check below names the way out (\`hopae-rotation recover ${state.name}\` plans it)` });
  }

  // 2. Rotation enabled, with our function
  add(
    state.rotationEnabled
      ? { check: 'rotation enabled', status: 'pass', detail: `rotation is enabled${state.nextRotation ? `, next ${state.nextRotation.toISOString()}` : ''}` }
      : {
          check: 'rotation enabled',
          status: 'fail',
          detail: 'rotation is not enabled',
          // A cancelled rotation keeps its function; CloudFormation does not notice, so only re-attaching repairs it.
          fix: state.rotationLambdaArn
            ? `re-attach it with ${reattachCommand(state.name, state.rotationLambdaArn)}`
            : 'deploy HopaeSecretRotation with this secret in appSecrets',
        },
  );
  let fn: FunctionInfo | undefined;
  if (!state.rotationLambdaArn) {
    add({ check: 'rotation function', status: 'fail', detail: 'no rotation function is attached', fix: 'deploy HopaeSecretRotation with this secret in appSecrets' });
  } else {
    fn = await context.functions.lookup(state.rotationLambdaArn);
    if (!fn.ours && !fn.missing && !fn.problem) badInput = true;
    add(
      fn.ours
        ? { check: 'rotation function', status: 'pass', detail: `${functionName(fn.arn)} calls ${fn.access!.apiBaseUrl}` }
        : {
            check: 'rotation function',
            status: 'fail',
            detail: fn.missing
              ? `${functionName(fn.arn)} does not exist`
              : fn.problem
                ? `${functionName(fn.arn)} cannot be read: ${fn.problem}`
                : `${functionName(fn.arn)} is not a Hopae rotation function`,
            fix: fn.missing
              ? 'deploy HopaeSecretRotation with this secret in appSecrets (it creates and attaches the function)'
              : fn.problem
                ? 'allow lambda:GetFunctionConfiguration, or pass --api-base-url and --workspace-key-secret'
                : 'attach the HopaeSecretRotation function',
          },
    );
  }

  // 3. The workspace key, and Hopae
  let access: HopaeAccess | undefined;
  let hopae: HopaeUsed | undefined;
  try {
    access = await resolveHopaeAccess(options, deps.env, fn);
    hopae = reportHopaeUsed(out, access, fn);
  } catch (error) {
    add({ check: 'workspace key', status: 'fail', detail: (error as CliError).message });
  }
  let apiKey: string | undefined;
  if (access) {
    try {
      apiKey = await new WorkspaceKeyProvider(new SecretStore(deps.sm), access.workspaceKeySecretId).get();
      add({ check: 'workspace key', status: 'pass', detail: `read from ${access.workspaceKeySecretId} (named by ${access.workspaceKeySecretSource})` });
    } catch (error) {
      add({ check: 'workspace key', status: 'fail', detail: (error as Error).message, fix: 'store the key as {"apiKey": "sk_workspace_..."} or bare, and allow secretsmanager:GetSecretValue on it' });
    }
  }
  let probe: HopaeProbe | undefined;
  let badUrl = false;
  if (access) {
    try {
      probe = probeFor(deps.transport, access);
    } catch (error) {
      badUrl = true;
      if (access.apiBaseUrlSource === '--api-base-url') badInput = true;
      add({ check: 'Hopae reachable, key valid', status: 'fail', detail: (error as Error).message, fix: `fix ${access.apiBaseUrlSource}` });
    }
  }
  const skipped = (check: string) => add({ check, status: 'skip', detail: 'skipped: an earlier check failed' });
  // A rotation needs the workspace key accepted and the app known: until then, advice to rotate would only fail again.
  const afterPrerequisites = (action: string) => {
    const failed = checks.filter((c) => c.status === 'fail' && ROTATION_PREREQUISITES.includes(c.check)).map((c) => c.check);
    return failed.length > 0 ? `first fix what failed above (${failed.join(', ')}): a rotation needs it; then ${action}` : action;
  };
  // The secret's row in the state table, when its configuration lets a rotation run at all.
  const configRow = classifyConfiguration(state, fn);
  let row: Row | undefined;
  let stuckAfter: StuckAfter | undefined;
  if (probe && fn && !configRow) ({ row, stuckAfter } = await assessVersions(context, state, fn, probe, options.stuckAfterMinutes));
  if (probe && apiKey) {
    const workspace = await probe.workspace(apiKey);
    add(
      workspace.ok
        ? { check: 'Hopae reachable, key valid', status: 'pass', detail: `GET /workspace answered 200 at ${access!.apiBaseUrl}` }
        : workspace.refused
          ? { check: 'Hopae reachable, key valid', status: 'fail', detail: `Hopae refused the workspace key (${workspace.label})`, fix: `store a valid key in ${access!.workspaceKeySecretId} (sk_workspace_test_ keys work only on sandbox, sk_workspace_prod_ keys only on production; asked: ${access!.apiBaseUrl}), then run doctor again` }
          : { check: 'Hopae reachable, key valid', status: 'fail', detail: `Hopae did not answer usefully (${workspace.label})`, fix: `check ${access!.apiBaseUrlSource} (${access!.apiBaseUrl}) and the network path to Hopae` },
    );
    if (workspace.ok && app) {
      const known = await probe.app(apiKey, app.clientId);
      add(
        known.ok
          ? { check: 'app known to the workspace', status: 'pass', detail: `GET /apps/${app.clientId} answered 200` }
          : { check: 'app known to the workspace', status: 'fail', detail: `GET /apps/${app.clientId}: ${known.label}`, fix: 'check clientId in the secret and that the key belongs to the app\'s workspace' },
      );
    } else skipped('app known to the workspace');
  } else {
    if (!badUrl) skipped('Hopae reachable, key valid');
    skipped('app known to the workspace');
  }
  if (probe && app?.clientSecret) {
    const pair = await probe.pair(app.clientId, app.clientSecret);
    add(
      pair.ok
        ? { check: 'current pair accepted', status: 'pass', detail: 'GET /providers with AWSCURRENT answered 200' }
        : pair.refused
          ? { check: 'current pair accepted', status: 'fail', detail: `Hopae rejects AWSCURRENT (${pair.label})`, fix: `the rotation state check below names the way out (\`hopae-rotation recover ${state.name}\` plans it)` }
          : { check: 'current pair accepted', status: 'fail', detail: `no usable answer (${pair.label})`, fix: `check the network path to Hopae at ${access!.apiBaseUrl}` },
    );
  } else if (app && !app.clientSecret) {
    add({ check: 'current pair accepted', status: 'fail', detail: 'AWSCURRENT has no clientSecret yet: applications cannot call Hopae with it', fix: afterPrerequisites(`run \`hopae-rotation rotate ${state.name} --wait\` to mint it now, or wait for the schedule`) });
  } else skipped('current pair accepted');

  // 4. The rotation state: healthy, or the one action that gets out
  if (row) {
    const action = row.then === 'rotate' ? afterPrerequisites(row.action) : row.action;
    add(
      row.state === 'clean'
        ? { check: 'rotation state', status: 'pass', detail: row.summary }
        : row.state === 'rotation-in-flight'
          ? { check: 'rotation state', status: 'wait', detail: `${row.state}: ${row.summary}`, fix: row.action }
          : { check: 'rotation state', status: 'fail', detail: `${row.state}: ${row.summary}`, fix: action },
    );
  } else if (configRow) {
    add({ check: 'rotation state', status: 'fail', detail: `${configRow.state}: ${configRow.summary}`, fix: configRow.action });
  } else skipped('rotation state');

  // 5. Readers that the next rotation will lock out (ECS and Lambda; `consumers` adds CloudTrail)
  add(await consumerCheck(context, state));

  out.line(`${state.name}`);
  for (const c of checks) {
    const mark = c.status === 'pass' ? out.pass(c.check) : c.status === 'fail' ? out.fail(c.check) : c.status === 'wait' || c.status === 'warn' ? out.warn(c.check) : `- ${c.check}`;
    out.line(`  ${mark}: ${c.detail}`);
    if (c.fix && c.status !== 'pass') out.line(`      fix: ${c.fix}`);
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  out.result({ secret: state.name, healthy: failed === 0, state: row?.state ?? configRow?.state ?? null, checks, ...(row ? { next: row.action, steps: row.steps } : {}), ...(stuckAfter ? { stuckAfter } : {}), ...(hopae ? { hopae } : {}) });
  if (badInput) return EXIT.USAGE;
  return failed === 0 ? EXIT.OK : EXIT.FAILED;
}

/** The checks a rotation at Hopae cannot succeed without. */
const ROTATION_PREREQUISITES = ['workspace key', 'Hopae reachable, key valid', 'app known to the workspace'];

/** ECS services whose task definitions inject the secret, without refreshOnRotation, break at the next rotation: a warning, not a failure. */
async function consumerCheck(context: CommandContext, state: SecretState): Promise<Check> {
  const check = 'consumers survive a rotation';
  // The quick look: the services' task definitions and Lambda environments, no CloudTrail.
  const survey = await surveyConsumers(context.deps, { secret: { arn: state.arn, name: state.name }, withoutCloudTrail: true, servicesOnly: true });
  const breaking = survey.consumers.filter((c) => c.survival === 'breaks');
  const depending = survey.consumers.filter((c) => c.survival === 'depends');
  const more = `hopae-rotation consumers ${state.name} names each with its fix, and adds CloudTrail's GetSecretValue callers`;
  if (breaking.length > 0) {
    return {
      check,
      status: 'warn',
      detail: `ECS task definition${breaking.length === 1 ? '' : 's'} ${breaking.map((c) => c.name).join(', ')} inject${breaking.length === 1 ? 's' : ''} it as an environment variable into services refreshOnRotation does not redeploy: locked out from the next rotation until restarted`,
      fix: more,
    };
  }
  if (survey.gaps.length > 0 && survey.consumers.length === 0) return { check, status: 'skip', detail: `not looked at: ${survey.gaps.join('; ')}` };
  return {
    check,
    status: 'pass',
    detail:
      depending.length > 0
        ? `no ECS service injects it without refreshOnRotation; ${depending.map((c) => c.name).join(', ')} name${depending.length === 1 ? 's' : ''} it and survive${depending.length === 1 ? 's' : ''} only with a re-read on 401 (${more})`
        : `no ECS service injects it without refreshOnRotation, no Lambda environment names it (${more})`,
  };
}
