import { createHash } from 'node:crypto';
import { InvalidRequestException, RotateSecretCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { ROTATION_STEPS } from '../../lambda/event';
import { errorCode } from '../../lambda/errors';
import type { Log } from '../../lambda/logger';
import { buildRuntime } from '../../lambda/runtime';
import { AWSPENDING, SecretStore } from '../../lambda/secret-store';
import { runRotationStep } from '../../lambda/steps';
import { parseAppSecret, type AppSecret } from '../../lambda/app-secret';
import { type CommandContext, readCurrentAppSecret, requireOurFunction } from '../context';
import { CliError, EXIT } from '../errors';
import { reportHopaeUsed } from '../assess';
import { findStepFailure, type StepFailure } from '../function-log';
import { committedNothing } from '../rotation-state';
import { type HopaeProbe, probeFor } from '../hopae-probe';
import type { Output } from '../output';
import { type FunctionInfo, readSecretState, readVersionValue, resolveHopaeAccess, type SecretState } from '../secrets';

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
  const access = await resolveHopaeAccess(options, deps.env, fn);
  const probe = probeFor(deps.transport, access);
  reportHopaeUsed(out, access, fn);
  if (options.local) return rotateLocally(context, state, app.clientId, access.apiBaseUrl, access.workspaceKeySecretId);

  // Log lines of this attempt are newer than this (less a few seconds: clocks differ).
  const since = deps.now() - CLOCK_SKEW_MS;
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
  const summary = { secret: state.name, clientId: app.clientId, token, resumed, waited: true };
  let phase: Phase | undefined;
  let logUnreadable = false;
  for (;;) {
    const next = await observePhase(context, state.arn, token);
    if (next !== phase) {
      phase = next;
      out.note(`  ${PHASE_TEXT[phase]}`);
    }
    if (phase === 'finished') return verifyRotated(context, probe, state, app, token, summary);
    if (phase === 'abandoned') {
      out.line(out.fail(`${state.name}: ${PHASE_TEXT.abandoned}`));
      out.line(`Next: run \`hopae-rotation recover ${state.name}\`: it finds the version Hopae accepts.`);
      out.result({ ...summary, outcome: 'failed', phase });
      return EXIT.FAILED;
    }
    const look = await findStepFailure(deps.logs, fn.logGroup, token, since);
    if (look.kind === 'failed') return reportFailure(out, state, fn, look.failure, summary);
    if (look.kind === 'unreadable' && !logUnreadable) {
      logUnreadable = true;
      out.note(out.warn(`cannot read ${fn.logGroup} (${look.reason}): a failure inside the function will show only as a timeout. Allow logs:FilterLogEvents on it.`));
    }
    if (deps.now() >= deadline) {
      out.error(`gave up waiting after ${options.timeoutSeconds} s, at ${phase}. The rotation may still complete; run \`hopae-rotation status\` to follow it, and read ${fn.logGroup}.`);
      out.result({ ...summary, outcome: 'timeout', phase });
      return EXIT.TIMEOUT;
    }
    await deps.sleep(deps.pollIntervalMs);
  }
}

const CLOCK_SKEW_MS = 5_000;

function reportFailure(out: Output, state: SecretState, fn: FunctionInfo, failure: StepFailure, summary: object): number {
  out.line(out.fail(`${state.name}: the rotation failed at ${failure.step}: ${failure.errorCode}: ${failure.message}`));
  out.line(`(from ${fn.logGroup}) Next: run \`hopae-rotation recover ${state.name}\`: it reads this failure from the same log, asks Hopae which stored pair works, and names the one way out (docs/runbook.md, ${failure.errorCode}).`);
  out.result({ ...summary, outcome: 'failed', failedStep: failure.step, errorCode: failure.errorCode, error: failure.message, logGroup: fn.logGroup });
  return EXIT.FAILED;
}

/**
 * AWSCURRENT reached the new version: a success only if it holds a new clientSecret and Hopae
 * accepts the pair. (A copy of the old value there means the function never rotated.)
 */
async function verifyRotated(context: CommandContext, probe: HopaeProbe, state: SecretState, before: AppSecret, token: string, summary: object): Promise<number> {
  const { deps, out } = context;
  const fail = (message: string, why: string) => {
    out.line(out.fail(`${state.name}: ${message}`));
    out.line(`Next: run \`hopae-rotation doctor ${state.name}\`, then \`hopae-rotation recover ${state.name}\`.`);
    out.result({ ...summary, outcome: 'failed', phase: 'finished', why });
    return EXIT.FAILED;
  };
  let now: AppSecret;
  try {
    now = parseAppSecret(await readVersionValue(deps.sm, state.arn, token), `version ${token} of ${state.name}`);
  } catch (error) {
    return fail(`AWSCURRENT moved to ${token}, but ${(error as Error).message}`, 'malformed');
  }
  if (!now.clientSecret || now.clientSecret === before.clientSecret) {
    return fail(`AWSCURRENT moved to ${token}, but it holds the same clientSecret as before: nothing was rotated at Hopae (the rotation function did not replace the value)`, 'unchanged');
  }
  const answer = await probe.pair(now.clientId, now.clientSecret);
  if (!answer.ok) {
    return fail(`AWSCURRENT moved to ${token}, but Hopae ${answer.refused ? 'rejects' : 'gave no usable answer for'} its pair (${answer.label})`, answer.refused ? 'rejected' : 'unknown');
  }
  out.line(out.pass(`${state.name}: rotated (version ${token}); Hopae accepts the new pair`));
  out.result({ ...summary, outcome: 'rotated', phase: 'finished' });
  return EXIT.OK;
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
  const token = state.pending?.id ?? localToken(state);
  out.note(state.pending ? `Resuming the unfinished rotation ${token} locally.` : `Rotating ${state.name} locally as version ${token}.`);
  const runtime = buildRuntime({
    env: { HOPAE_API_BASE_URL: apiBaseUrl, HOPAE_API_KEY_SECRET_ID: workspaceKeySecretId },
    logger: stderrLog(out),
    secretsManager: deps.sm,
    transport: deps.transport,
    // The CLI's clock for the waits between attempts (the steps here take no abort signal).
    sleep: (ms) => deps.sleep(ms),
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
      out.line(
        step !== 'createSecret'
          ? `Next: run \`hopae-rotation recover ${state.name}\`: it names the way out of the state this left.`
          : committedNothing(errorCode(error))
            ? `Hopae committed nothing (${errorCode(error)}), and nothing was stored. Next: fix what the message names (docs/runbook.md, ${errorCode(error)}), then run \`hopae-rotation rotate ${state.name} --local\` again.`
            : `Next: fix the cause, then run \`hopae-rotation rotate ${state.name} --local\` again within 24 hours: it uses the same token (${token}), so if Hopae already rotated it replays that secret.`,
      );
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

/**
 * The token of a local rotation: derived from the secret and its AWSCURRENT version, so a retry
 * after a failure (nothing stored, AWSCURRENT unchanged) uses the same token, and Hopae replays
 * the secret it may already have issued for it (24 hours). A token whose version already exists
 * (a rotation that stored something, since cleaned up) is skipped for the next one.
 */
export function localToken(state: SecretState): string {
  for (let attempt = 0; ; attempt++) {
    const hex = createHash('sha256').update(`${state.arn}\n${state.current?.id ?? ''}\n${attempt}`).digest('hex');
    // Shaped as a UUID (version 8: custom), as Secrets Manager's own tokens are.
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    if (!state.versions.some((v) => v.id === id)) return id;
  }
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
