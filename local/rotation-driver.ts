/**
 * Drives a rotation the way Secrets Manager does, against any Secrets Manager endpoint (moto
 * locally): creates the start-of-rotation state, then invokes the handler for each step in order,
 * stopping at the first failure.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import type { RotationEvent, RotationStep } from '../lambda/event';
import { ROTATION_STEPS } from '../lambda/event';
import { localLambdaContext } from './lambda-context';

/** A Lambda that does not exist: moto then sets up the rotation state and fails only the invoke. */
export const UNDEPLOYED_ROTATION_LAMBDA_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:hopae-rotation-not-deployed';

export type RotationHandler = (event: RotationEvent, context: Context) => Promise<unknown>;

export interface StepRun {
  readonly step: RotationStep;
  readonly durationMs: number;
  /** The handler's answer ({step, outcome}) when it succeeded. */
  readonly result?: unknown;
  readonly error?: Error;
}

/**
 * Creates what Secrets Manager creates before the first step: a version whose id is the token,
 * labelled AWSPENDING, with no value, and rotation enabled. Returns the token.
 */
export async function beginRotation(sm: SecretsManagerClient, secretId: string, token: string = randomUUID()): Promise<string> {
  await releaseFinishedPending(sm, secretId);
  try {
    await sm.send(
      new RotateSecretCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        RotationLambdaARN: UNDEPLOYED_ROTATION_LAMBDA_ARN,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
  } catch (error) {
    // moto builds the state, then fails to find the Lambda: that failure is expected.
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const described = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  if (!described.VersionIdsToStages?.[token]?.includes('AWSPENDING')) {
    throw new Error(`Could not begin a rotation of ${secretId}: no AWSPENDING version ${token} was created`);
  }
  return token;
}

/**
 * Invokes the handler for the given steps (all four by default) with one token, as Secrets
 * Manager does, and stops at the first failure.
 */
export async function runSteps(
  handler: RotationHandler,
  secretArn: string,
  token: string,
  options: { steps?: readonly RotationStep[]; rotationToken?: string; timeoutMs?: number; onStep?: (run: StepRun) => void } = {},
): Promise<StepRun[]> {
  const runs: StepRun[] = [];
  const rotationToken = options.rotationToken ?? `rt-${randomBytes(24).toString('hex')}`;
  for (const step of options.steps ?? ROTATION_STEPS) {
    const started = performance.now();
    let run: StepRun;
    try {
      const result = await handler(
        { Step: step, SecretId: secretArn, ClientRequestToken: token, RotationToken: rotationToken },
        localLambdaContext(options.timeoutMs),
      );
      run = { step, durationMs: performance.now() - started, result };
    } catch (error) {
      run = { step, durationMs: performance.now() - started, error: error as Error };
    }
    runs.push(run);
    options.onStep?.(run);
    if (run.error) break;
  }
  return runs;
}

/**
 * What Secrets Manager does once finishSecret succeeded: removes AWSPENDING from the rotation's
 * version, leaving it AWSCURRENT alone.
 */
export async function completeRotation(sm: SecretsManagerClient, secretArn: string, token: string): Promise<void> {
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretArn, VersionStage: 'AWSPENDING', RemoveFromVersionId: token }));
}

/**
 * moto keeps AWSPENDING on a finished version and then refuses the next RotateSecret; AWS clears
 * it. Remove it where it sits on AWSCURRENT, as AWS would have.
 */
export async function releaseFinishedPending(sm: SecretsManagerClient, secretId: string): Promise<void> {
  const described = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  for (const [versionId, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
    if (stages.includes('AWSPENDING') && stages.includes('AWSCURRENT')) {
      await sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: versionId }));
    }
  }
}
