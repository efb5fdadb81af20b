/**
 * Consumer continuity, measured: applications call Hopae's GET /providers without pause while
 * rotations run back to back through the handler. Hopae kills the old secret when it commits;
 * AWSCURRENT moves only at finishSecret. Counts what each kind of consumer sees fail.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { basicAuthorization, createHopaeFetch, HopaeCredentialsProvider, type HopaeCredentials } from '../client';
import type { HopaeStandIn } from './hopae-stand-in';
import { beginRotation, type RotationHandler, runSteps } from './rotation-driver';

export interface ContinuityOptions {
  readonly rotations: number;
  /** Cache lifetime of the cached consumers. */
  readonly cacheTtlMs: number;
}

export interface ConsumerFigures {
  readonly consumer: string;
  readonly calls: number;
  readonly failures: number;
}

export interface ContinuityReport {
  readonly rotations: number;
  readonly failedRotations: number;
  readonly consumers: readonly ConsumerFigures[];
  /** Per rotation: ms from Hopae's commit of the new secret to finishSecret having moved AWSCURRENT. */
  readonly invalidationWindowsMs: readonly number[];
}

export interface ContinuityEnvironment {
  readonly sm: SecretsManagerClient;
  readonly standIn: HopaeStandIn;
  readonly handler: RotationHandler;
  readonly hopaeBaseUrl: string;
  readonly secretArn: string;
  readonly clientId: string;
}

type Caller = () => Promise<boolean>;

export async function runContinuityScenario(env: ContinuityEnvironment, options: ContinuityOptions): Promise<ContinuityReport> {
  const providersUrl = `${env.hopaeBaseUrl}/providers`;
  const readCurrent = async (): Promise<HopaeCredentials> => {
    const value = (await env.sm.send(new GetSecretValueCommand({ SecretId: env.secretArn, VersionStage: 'AWSCURRENT' }))).SecretString!;
    const { clientId, clientSecret } = JSON.parse(value) as HopaeCredentials;
    return { clientId, clientSecret };
  };
  const plainCall = async (credentials: HopaeCredentials) => {
    const response = await fetch(providersUrl, { headers: { Authorization: basicAuthorization(credentials) } });
    await response.arrayBuffer();
    return response.status === 200;
  };

  // 1. The helper: cached pair, refresh on a 401 (AWSCURRENT, then AWSPENDING), one retry.
  const hopaeFetch = createHopaeFetch(new HopaeCredentialsProvider({ secretId: env.secretArn, client: env.sm, ttlMs: options.cacheTtlMs }));
  const helper: Caller = async () => {
    const response = await hopaeFetch(providersUrl);
    await response.arrayBuffer();
    return response.status === 200;
  };
  // 2. A plain reader of AWSCURRENT with the same cache and no retry.
  let cache: { credentials: HopaeCredentials; expiresAt: number } | undefined;
  const plainCached: Caller = async () => {
    if (!cache || Date.now() >= cache.expiresAt) cache = { credentials: await readCurrent(), expiresAt: Date.now() + options.cacheTtlMs };
    return plainCall(cache.credentials);
  };
  // 3. A plain reader of AWSCURRENT on every call: it fails only inside the invalidation window.
  const plainUncached: Caller = async () => plainCall(await readCurrent());

  const consumers = [
    consumerLoop('helper (cached, refresh on 401)', helper),
    consumerLoop(`AWSCURRENT cached ${Math.round(options.cacheTtlMs / 1000)} s, no retry`, plainCached),
    consumerLoop('AWSCURRENT read on every call', plainUncached),
  ];
  await Promise.all(consumers.map((c) => c.firstCall));

  const commits: number[] = [];
  env.standIn.onCommit((clientId, at) => {
    if (clientId === env.clientId) commits.push(at);
  });
  const windows: number[] = [];
  let failedRotations = 0;
  for (let i = 0; i < options.rotations; i++) {
    const token = await beginRotation(env.sm, env.secretArn);
    const committedBefore = commits.length;
    const runs = await runSteps(env.handler, env.secretArn, token);
    const movedAt = Date.now();
    if (runs.length !== 4 || runs.some((run) => run.error)) failedRotations += 1;
    else if (commits.length > committedBefore) windows.push(movedAt - commits[commits.length - 1]!);
  }

  const figures = await Promise.all(consumers.map((c) => c.stop()));
  return { rotations: options.rotations, failedRotations, consumers: figures, invalidationWindowsMs: windows };
}

/** Calls without pause until stopped; counts calls and failures (non-200 or thrown). */
function consumerLoop(name: string, call: Caller) {
  let stopped = false;
  let calls = 0;
  let failures = 0;
  let markFirst: () => void = () => undefined;
  const firstCall = new Promise<void>((resolve) => (markFirst = resolve));
  const loop = (async () => {
    while (!stopped) {
      const ok = await call().catch(() => false);
      calls += 1;
      if (!ok) failures += 1;
      markFirst();
    }
  })();
  return {
    firstCall,
    async stop(): Promise<ConsumerFigures> {
      stopped = true;
      await loop;
      return { consumer: name, calls, failures };
    },
  };
}

/** min / median / max, for printing. */
export function summarize(values: readonly number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { min: 0, median: 0, max: 0 };
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted[sorted.length - 1]! };
}
