import type { AppSecret } from '../../lambda/app-secret';
import { SecretStore } from '../../lambda/secret-store';
import { WorkspaceKeyProvider } from '../../lambda/workspace-key';
import { type CommandContext, readCurrentAppSecret } from '../context';
import { CliError, EXIT } from '../errors';
import { HopaeProbe } from '../hopae-probe';
import { functionName, readSecretState, resolveHopaeAccess, type FunctionInfo, type HopaeAccess } from '../secrets';

export interface DoctorOptions {
  readonly secretId: string;
  readonly apiBaseUrl?: string;
  readonly workspaceKeySecret?: string;
}

interface Check {
  readonly check: string;
  readonly status: 'pass' | 'fail' | 'warn' | 'skip';
  readonly detail: string;
  readonly fix?: string;
}

/** Each precondition of a rotation, with a pass or fail mark and the fix. Exit 1 when any fails. */
export async function doctorCommand(context: CommandContext, options: DoctorOptions): Promise<number> {
  const { deps, out } = context;
  const checks: Check[] = [];
  const add = (check: Check) => checks.push(check);
  const state = await readSecretState(deps.sm, options.secretId);

  // 1. The secret's JSON
  let app: AppSecret | undefined;
  try {
    app = await readCurrentAppSecret(context, state);
    add({ check: 'secret value', status: 'pass', detail: `JSON with clientId ${app.clientId}${app.clientSecret ? '' : ' (no clientSecret yet: the first rotation mints it)'}` });
  } catch (error) {
    add({ check: 'secret value', status: 'fail', detail: (error as Error).message, fix: 'put {"clientId": "...", "clientSecret": "..."} (clientSecret optional) with put-secret-value' });
  }

  // 2. Rotation enabled, with our function
  add(
    state.rotationEnabled
      ? { check: 'rotation enabled', status: 'pass', detail: `rotation is enabled${state.nextRotation ? `, next ${state.nextRotation.toISOString()}` : ''}` }
      : { check: 'rotation enabled', status: 'fail', detail: 'rotation is not enabled', fix: 'deploy HopaeSecretRotation with this secret in appSecrets' },
  );
  let fn: FunctionInfo | undefined;
  if (!state.rotationLambdaArn) {
    add({ check: 'rotation function', status: 'fail', detail: 'no rotation function is attached', fix: 'deploy HopaeSecretRotation with this secret in appSecrets' });
  } else {
    fn = await context.functions.lookup(state.rotationLambdaArn);
    add(
      fn.ours
        ? { check: 'rotation function', status: 'pass', detail: `${functionName(fn.arn)} calls ${fn.access!.apiBaseUrl}` }
        : {
            check: 'rotation function',
            status: 'fail',
            detail: fn.problem ? `${functionName(fn.arn)} cannot be read: ${fn.problem}` : `${functionName(fn.arn)} is not a Hopae rotation function`,
            fix: fn.problem ? 'allow lambda:GetFunctionConfiguration, or pass --api-base-url and --workspace-key-secret' : 'attach the HopaeSecretRotation function',
          },
    );
  }

  // 3. The workspace key, and Hopae
  let access: HopaeAccess | undefined;
  try {
    access = await resolveHopaeAccess(options, deps.env, fn);
  } catch (error) {
    add({ check: 'workspace key', status: 'fail', detail: (error as CliError).message });
  }
  let apiKey: string | undefined;
  if (access) {
    try {
      apiKey = await new WorkspaceKeyProvider(new SecretStore(deps.sm), access.workspaceKeySecretId).get();
      add({ check: 'workspace key', status: 'pass', detail: `read from ${access.workspaceKeySecretId} (named by ${access.source})` });
    } catch (error) {
      add({ check: 'workspace key', status: 'fail', detail: (error as Error).message, fix: 'store the key as {"apiKey": "sk_workspace_..."} or bare, and allow secretsmanager:GetSecretValue on it' });
    }
  }
  let probe: HopaeProbe | undefined;
  if (access) {
    try {
      probe = new HopaeProbe(deps.transport, access.apiBaseUrl);
    } catch (error) {
      add({ check: 'Hopae reachable, key valid', status: 'fail', detail: (error as Error).message, fix: 'fix HOPAE_API_BASE_URL' });
    }
  }
  const skipped = (check: string) => add({ check, status: 'skip', detail: 'skipped: an earlier check failed' });
  if (probe && apiKey) {
    const workspace = await probe.workspace(apiKey);
    add(
      workspace.ok
        ? { check: 'Hopae reachable, key valid', status: 'pass', detail: `GET /workspace answered 200 at ${access!.apiBaseUrl}` }
        : workspace.refused
          ? { check: 'Hopae reachable, key valid', status: 'fail', detail: `Hopae refused the workspace key (${workspace.label})`, fix: 'store a valid key; sk_workspace_test_ keys work only on sandbox' }
          : { check: 'Hopae reachable, key valid', status: 'fail', detail: `Hopae did not answer usefully (${workspace.label})`, fix: 'check HOPAE_API_BASE_URL and the network path to Hopae' },
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
    skipped('Hopae reachable, key valid');
    skipped('app known to the workspace');
  }
  if (probe && app?.clientSecret) {
    const pair = await probe.pair(app.clientId, app.clientSecret);
    add(
      pair.ok
        ? { check: 'current pair accepted', status: 'pass', detail: 'GET /providers with AWSCURRENT answered 200' }
        : pair.refused
          ? { check: 'current pair accepted', status: 'fail', detail: `Hopae rejects AWSCURRENT (${pair.label})`, fix: `hopae-rotation recover ${state.name}` }
          : { check: 'current pair accepted', status: 'fail', detail: `no usable answer (${pair.label})`, fix: 'check the network path to Hopae' },
    );
  } else if (app && !app.clientSecret) {
    add({ check: 'current pair accepted', status: 'skip', detail: 'no clientSecret yet' });
  } else skipped('current pair accepted');

  // 4. Nothing unfinished
  add(
    state.pending
      ? { check: 'no unfinished rotation', status: 'warn', detail: `AWSPENDING is on ${state.pending.id}, not on AWSCURRENT`, fix: `hopae-rotation recover ${state.name}` }
      : { check: 'no unfinished rotation', status: 'pass', detail: 'AWSPENDING is on no other version' },
  );

  out.line(`${state.name}`);
  for (const c of checks) {
    const mark = c.status === 'pass' ? out.pass(c.check) : c.status === 'fail' ? out.fail(c.check) : c.status === 'warn' ? out.warn(c.check) : `- ${c.check}`;
    out.line(`  ${mark}: ${c.detail}`);
    if (c.fix && c.status !== 'pass') out.line(`      fix: ${c.fix}`);
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  out.result({ secret: state.name, healthy: failed === 0, checks });
  return failed === 0 ? EXIT.OK : EXIT.FAILED;
}
