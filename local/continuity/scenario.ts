/**
 * Consumer continuity, measured: applications of every kind call Hopae's GET /providers without
 * pause while rotations run back to back through the built handler. Hopae kills the old secret
 * when it commits; AWSCURRENT moves only at finishSecret; an env-injected ECS consumer learns the
 * new secret only when refreshOnRotation's handler (run as EventBridge would, on RotationSucceeded)
 * gets its service redeployed. Reports each consumer's calls, failures and lock-outs.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import type { HopaeStandIn } from '../hopae-stand-in';
import { localLambdaContext } from '../lambda-context';
import { createServiceInjecting } from '../moto-ecs';
import { beginRotation, type RotationHandler, runSteps } from '../rotation-driver';
import { cachedReader, type Consumer, envInjectedConsumer, pythonHelper, readerOnEveryCall, typescriptHelper } from './consumers';
import { consumerFigures, type ConsumerFigures } from './figures';

export interface ContinuityOptions {
  readonly rotations: number;
  /** Cache lifetime of the two helpers. @default 60 s */
  readonly helperTtlMs?: number;
  /** The Python interpreter for the Python helper (see pythonInterpreter()); false leaves it out. */
  readonly python?: string | false;
}

export interface ContinuityReport {
  readonly rotations: number;
  readonly failedRotations: number;
  /** In this order: TypeScript helper, Python helper (unless left out), plain readers, the env-injected consumer. */
  readonly consumers: readonly ConsumerFigures[];
  /** Per rotation: ms from Hopae's commit of the new secret to finishSecret having moved AWSCURRENT. */
  readonly invalidationWindowsMs: readonly number[];
  /** Per restart of the env-injected consumer: ms from the Hopae commit it followed to the new task reading the secret. */
  readonly restartAfterCommitMs: readonly number[];
  /** Refresh runs that failed (each would alarm in AWS). */
  readonly failedRefreshes: number;
  /** Restarts of the env-injected consumer (two redeployments between two looks count once). */
  readonly restarts: number;
}

export interface ContinuityEnvironment {
  readonly sm: SecretsManagerClient;
  readonly ecs: ECSClient;
  readonly standIn: HopaeStandIn;
  readonly handler: RotationHandler;
  /** The built bundle's refreshHandler, reaching ECS (moto) through the SDK's standard configuration. */
  readonly refreshHandler: (event: unknown, context: Context) => Promise<unknown>;
  readonly hopaeBaseUrl: string;
  readonly secretArn: string;
  readonly clientId: string;
}

const MINUTE = 60_000;

export async function runContinuityScenario(env: ContinuityEnvironment, options: ContinuityOptions): Promise<ContinuityReport> {
  const helperTtlMs = options.helperTtlMs ?? MINUTE;
  const consumerEnv = { sm: env.sm, secretArn: env.secretArn, providersUrl: `${env.hopaeBaseUrl}/providers` };
  const service = await createServiceInjecting(env.ecs, { cluster: 'continuity', service: `consumer-${env.clientId}`, secretArn: env.secretArn });
  const target = { cluster: service.clusterArn, service: service.serviceName };

  const injected = envInjectedConsumer(consumerEnv, env.ecs, target);
  const consumers: Consumer[] = [
    typescriptHelper(consumerEnv, helperTtlMs),
    ...(options.python === false ? [] : [pythonHelper(consumerEnv, helperTtlMs, options.python)]),
    readerOnEveryCall(consumerEnv),
    cachedReader(consumerEnv, MINUTE, false),
    cachedReader(consumerEnv, MINUTE, true),
    cachedReader(consumerEnv, 5 * MINUTE, false),
    cachedReader(consumerEnv, 5 * MINUTE, true),
    injected,
  ];
  try {
    await Promise.all(consumers.map((c) => c.ready));
  } catch (error) {
    await Promise.all(consumers.map((c) => c.stop()));
    throw error;
  }

  const commits: number[] = [];
  env.standIn.onCommit((clientId, at) => {
    if (clientId === env.clientId) commits.push(at);
  });
  const windows: number[] = [];
  const refreshes: Promise<boolean>[] = [];
  let failedRotations = 0;
  for (let i = 0; i < options.rotations; i++) {
    const token = await beginRotation(env.sm, env.secretArn);
    const committedBefore = commits.length;
    const runs = await runSteps(env.handler, env.secretArn, token);
    const movedAt = Date.now();
    if (runs.length !== 4 || runs.some((run) => run.error)) {
      failedRotations += 1;
      continue;
    }
    if (commits.length > committedBefore) windows.push(movedAt - commits[commits.length - 1]!);
    // Secrets Manager's RotationSucceeded reaches the refresh through EventBridge, apart from the rotation.
    refreshes.push(
      env.refreshHandler({ secretId: env.secretArn, services: [target] }, localLambdaContext()).then(
        () => true,
        () => false,
      ),
    );
  }
  const failedRefreshes = (await Promise.all(refreshes)).filter((ok) => !ok).length;
  // The consumers stop once the env-injected one runs the last redeployment and a call succeeded on it.
  let caughtUpAt: number | undefined;
  await waitFor(async () => {
    caughtUpAt ??= (await injected.caughtUp()) ? Date.now() : undefined;
    return caughtUpAt !== undefined && (injected.lastSuccessAt() ?? 0) >= caughtUpAt;
  }, 10_000);

  const runEnd = Date.now();
  const records = await Promise.all(consumers.map((c) => c.stop()));
  return {
    rotations: options.rotations,
    failedRotations,
    consumers: consumers.map((c, i) => consumerFigures(c.name, records[i]!, commits, runEnd)),
    invalidationWindowsMs: windows,
    restartAfterCommitMs: injected.restarts.map((at) => at - ([...commits].reverse().find((commit) => commit <= at) ?? at)),
    failedRefreshes,
    restarts: injected.restarts.length,
  };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`continuity: a redeployment was not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
