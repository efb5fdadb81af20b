import { randomUUID } from 'node:crypto';
import { InvalidRequestException, RotateSecretCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { ROTATION_STEPS } from '../../lambda/event';
import { errorCode } from '../../lambda/errors';
import type { Log } from '../../lambda/logger';
import { buildRuntime } from '../../lambda/runtime';
import { AWSPENDING, SecretStore } from '../../lambda/secret-store';
import { runRotationStep } from '../../lambda/steps';
import { type CommandContext, readCurrentAppSecret, requireOurFunction } from '../context';
import { CliError, EXIT } from '../errors';
import type { Output } from '../output';
import { readSecretState, resolveHopaeAccess, type SecretState } from '../secrets';

export interface RotateOptions {
  readonly secretId: string;
  readonly wait: boolean;
  readonly timeoutSeconds: number;
  readonly local: boolean;
  readonly apiBaseUrl?: string;
  readonly workspaceKeySecret?: string;
}

/** Where a rotation stands, seen from outside the function. */
type Phase = 'createSecret' | 'testSecret' | 'finished' | 'abandoned';

const PHASE_TEXT: Record<Phase, string> = {
  createSecret: 'createSecret: waiting for Hopae to issue the new secret',
  testSecret: 'testSecret/finishSecret: new secret stored as AWSPENDING, waiting for it to become AWSCURRENT',
  finished: 'finished: AWSCURRENT is the new version',
  abandoned: 'stopped: the version lost AWSPENDING without becoming AWSCURRENT (the rotation failed or was abandoned)',
};

export async function rotateCommand(context: CommandContext, options: RotateOptions): Promise<number> {
  const { deps, out } = context;
  const state = await readSecretState(deps.sm, options.secretId);
  const fn = await requireOurFunction(context, state);
  const app = await readCurrentAppSecret(context, state);
  if (options.local) {
    const access = await resolveHopaeAccess(options, deps.env, fn);
    return rotateLocally(context, state, app.clientId, access.apiBaseUrl, access.workspaceKeySecretId);
  }

  let token: string;
  let resumed = false;
  try {
    const started = await deps.sm.send(new RotateSecretCommand({ SecretId: state.arn }));
    token = started.VersionId!;
  } catch (error) {
    // Secrets Manager refuses a new rotation while one is unfinished, and reattempts that one.
    if (error instanceof InvalidRequestException && state.pending) {
      token = state.pending.id;
      resumed = true;
    } else {
      throw error;
    }
  }
  out.note(resumed ? `An unfinished rotation (${token}) is being reattempted by Secrets Manager.` : `Rotation started: version ${token}.`);
  if (!options.wait) {
    out.line(token);
    out.result({ secret: state.name, clientId: app.clientId, token, resumed, waited: false });
    return EXIT.OK;
  }

  const deadline = deps.now() + options.timeoutSeconds * 1000;
  let phase: Phase | undefined;
  for (;;) {
    const next = await observePhase(context, state.arn, token);
    if (next !== phase) {
      phase = next;
      out.note(`  ${PHASE_TEXT[phase]}`);
    }
    if (phase === 'finished' || phase === 'abandoned') break;
    if (deps.now() >= deadline) {
      out.error(`gave up waiting after ${options.timeoutSeconds} s, at ${phase}. The rotation may still complete; see the function's logs and \`hopae-rotation status\`.`);
      out.result({ secret: state.name, clientId: app.clientId, token, resumed, waited: true, outcome: 'timeout', phase });
      return EXIT.TIMEOUT;
    }
    await deps.sleep(deps.pollIntervalMs);
  }
  const ok = phase === 'finished';
  out.line(ok ? out.pass(`${state.name}: rotated (version ${token})`) : out.fail(`${state.name}: ${PHASE_TEXT.abandoned}`));
  out.result({ secret: state.name, clientId: app.clientId, token, resumed, waited: true, outcome: ok ? 'rotated' : 'failed', phase });
  return ok ? EXIT.OK : EXIT.FAILED;
}

async function observePhase(context: CommandContext, arn: string, token: string, retried = false): Promise<Phase> {
  const state = await readSecretState(context.deps.sm, arn);
  const stages = state.versions.find((v) => v.id === token)?.stages ?? [];
  if (stages.includes('AWSCURRENT')) return 'finished';
  if (!stages.includes('AWSPENDING')) return 'abandoned';
  try {
    const value = await new SecretStore(context.deps.sm).getVersionValue(arn, token, AWSPENDING);
    return value === undefined ? 'createSecret' : 'testSecret';
  } catch (error) {
    // The label may have moved between the two reads: look once more before giving up.
    if (!retried) return observePhase(context, arn, token, true);
    throw error;
  }
}

/**
 * The four steps in this process, through the function's own step code, with the operator's
 * credentials. An unfinished rotation is resumed with its token, so Hopae replays its secret.
 */
async function rotateLocally(
  context: CommandContext,
  state: SecretState,
  clientId: string,
  apiBaseUrl: string,
  workspaceKeySecretId: string,
): Promise<number> {
  const { deps, out } = context;
  if (!state.rotationEnabled) {
    throw new CliError(`Rotation is not enabled for ${state.name}; enable it (attach the rotation function) first`);
  }
  const token = state.pending?.id ?? randomUUID();
  out.note(state.pending ? `Resuming the unfinished rotation ${token} locally.` : `Rotating ${state.name} locally as version ${token}.`);
  const runtime = buildRuntime({
    env: { HOPAE_API_BASE_URL: apiBaseUrl, HOPAE_API_KEY_SECRET_ID: workspaceKeySecretId },
    logger: stderrLog(out),
    secretsManager: deps.sm,
    transport: deps.transport,
  });
  const steps: { step: string; outcome: string; durationMs: number }[] = [];
  for (const step of ROTATION_STEPS) {
    const started = deps.now();
    try {
      const outcome = await runRotationStep(
        runtime.steps,
        { request: { step, secretId: state.arn, token, rotationToken: undefined }, hopaeDeadline: started + 60_000 },
        { beganWithoutSecretsManager: true },
      );
      steps.push({ step, outcome, durationMs: deps.now() - started });
      out.note(`  ${step.padEnd(13)} ${outcome}`);
    } catch (error) {
      steps.push({ step, outcome: 'failed', durationMs: deps.now() - started });
      out.line(out.fail(`${step} failed: ${(error as Error).message}`));
      out.result({ secret: state.name, clientId, token, local: true, outcome: 'failed', failedStep: step, errorCode: errorCode(error), steps });
      return EXIT.FAILED;
    }
  }
  // As Secrets Manager does after a rotation, leave AWSPENDING on no other version than AWSCURRENT.
  await deps.sm.send(new UpdateSecretVersionStageCommand({ SecretId: state.arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: token }));
  out.line(out.pass(`${state.name}: rotated locally (version ${token})`));
  out.result({ secret: state.name, clientId, token, local: true, outcome: 'rotated', steps });
  return EXIT.OK;
}

/** The step code's log, as short lines on stderr for people (never in --json output, never a secret). */
function stderrLog(out: Output): Log {
  const write = (level: string) => (message: string) => out.note(`  [${level}] ${message}`);
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: write('warn') as Log['warn'],
    error: write('error') as Log['error'],
    appendKeys: (() => undefined) as Log['appendKeys'],
  };
}
