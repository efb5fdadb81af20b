/**
 * The kinds of application `npm run continuity` measures while rotations run: each calls Hopae's
 * GET /providers without pause and records every call (start, end, ok). Only how each one gets its
 * pair differs.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { basicAuthorization, createHopaeFetch, type HopaeCredentials, HopaeCredentialsProvider } from '../../client/index';
import { primaryDeploymentId } from '../moto-ecs';
import type { CallRecord } from './figures';

export interface Consumer {
  readonly name: string;
  /** Settles after the consumer's first call (rejects when it could not start). */
  readonly ready: Promise<void>;
  /** When its last successful call ended (Date.now()), if any. */
  lastSuccessAt(): number | undefined;
  stop(): Promise<CallRecord[]>;
}

export interface ConsumerEnvironment {
  readonly sm: SecretsManagerClient;
  readonly secretArn: string;
  /** GET {base}/providers at the Hopae stand-in. */
  readonly providersUrl: string;
}

const ROOT = join(__dirname, '..', '..');

/** A consumer whose `call` runs back to back until stopped. */
export function loopingConsumer(name: string, call: () => Promise<boolean>, onStop?: () => Promise<void>): Consumer {
  const records: CallRecord[] = [];
  let stopped = false;
  let lastSuccess: number | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const loop = (async () => {
    while (!stopped) {
      const start = Date.now();
      const ok = await call().catch(() => false);
      const end = Date.now();
      records.push({ start, end, ok });
      if (ok) lastSuccess = end;
      markReady();
    }
  })();
  return {
    name,
    ready,
    lastSuccessAt: () => lastSuccess,
    async stop() {
      stopped = true;
      await loop;
      await onStop?.();
      return records;
    },
  };
}

/** AWSCURRENT, parsed. */
export async function readCurrent(env: ConsumerEnvironment): Promise<HopaeCredentials> {
  const value = (await env.sm.send(new GetSecretValueCommand({ SecretId: env.secretArn, VersionStage: 'AWSCURRENT' }))).SecretString!;
  const { clientId, clientSecret } = JSON.parse(value) as HopaeCredentials;
  return { clientId, clientSecret };
}

async function callWith(env: ConsumerEnvironment, credentials: HopaeCredentials): Promise<number> {
  const response = await fetch(env.providersUrl, { headers: { Authorization: basicAuthorization(credentials) } });
  await response.arrayBuffer();
  return response.status;
}

/** hopae-secret-rotation/client: cached pair, on a 401 AWSCURRENT then AWSPENDING, one retry. */
export function typescriptHelper(env: ConsumerEnvironment, ttlMs: number): Consumer {
  const hopaeFetch = createHopaeFetch(new HopaeCredentialsProvider({ secretId: env.secretArn, client: env.sm, ttlMs }));
  return loopingConsumer(`TypeScript helper (cache ${seconds(ttlMs)})`, async () => {
    const response = await hopaeFetch(env.providersUrl);
    await response.arrayBuffer();
    return response.status === 200;
  });
}

/** AWSCURRENT read before every call: fails only between Hopae's commit and finishSecret. */
export function readerOnEveryCall(env: ConsumerEnvironment): Consumer {
  return loopingConsumer('AWSCURRENT read on every call', async () => (await callWith(env, await readCurrent(env))) === 200);
}

/**
 * AWSCURRENT cached for `ttlMs`, as AWS's caching clients (1 hour by default), the Secrets Manager
 * Agent and the Lambda extension (300 s) keep it. With `rereadOn401`, a 401 makes it read
 * AWSCURRENT again past its cache and call once more (the caching clients' refreshNow, the
 * Agent's `refreshNow=true`): it never looks in AWSPENDING.
 */
export function cachedReader(env: ConsumerEnvironment, ttlMs: number, rereadOn401: boolean): Consumer {
  let cache: { credentials: HopaeCredentials; expiresAt: number } | undefined;
  const current = async (fresh: boolean) => {
    if (fresh || !cache || Date.now() >= cache.expiresAt) cache = { credentials: await readCurrent(env), expiresAt: Date.now() + ttlMs };
    return cache.credentials;
  };
  return loopingConsumer(`AWSCURRENT cached ${seconds(ttlMs)}, ${rereadOn401 ? 're-read on 401' : 'no re-read'}`, async () => {
    const status = await callWith(env, await current(false));
    if (status !== 401 || !rereadOn401) return status === 200;
    return (await callWith(env, await current(true))) === 200;
  });
}

export interface InjectedConsumer extends Consumer {
  /** When each restart happened (Date.now()). */
  readonly restarts: readonly number[];
  /** Whether its task runs the service's latest deployment (it saw every redeployment so far and read the secret). */
  caughtUp(): Promise<boolean>;
}

/**
 * An ECS service whose task definition injects the secret as an environment variable: it reads
 * AWSCURRENT once, when its task starts, and again only when the service gets a new deployment
 * (refreshOnRotation's handler forces one). moto runs no task: the restart is taken as done when
 * the service's PRIMARY deployment changes, looked at every `pollMs`.
 */
export function envInjectedConsumer(env: ConsumerEnvironment, ecs: ECSClient, service: { cluster: string; service: string }, pollMs = 50): InjectedConsumer {
  const restarts: number[] = [];
  let injected: Promise<HopaeCredentials> = readCurrent(env);
  let watching = true;
  let deployment: string | undefined;
  const watch = (async () => {
    deployment = await primaryDeploymentId(ecs, service.cluster, service.service);
    while (watching) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      const now = await primaryDeploymentId(ecs, service.cluster, service.service).catch(() => deployment!);
      if (now !== deployment) {
        // The new task starts with the secret as it is now.
        injected = readCurrent(env);
        await injected;
        restarts.push(Date.now());
        deployment = now;
      }
    }
  })();
  const consumer = loopingConsumer(
    'env-injected (ECS), restarted by refreshOnRotation',
    async () => (await callWith(env, await injected)) === 200,
    async () => {
      watching = false;
      await watch;
    },
  );
  return { ...consumer, restarts, caughtUp: async () => (await primaryDeploymentId(ecs, service.cluster, service.service)) === deployment };
}

/** The Python interpreter for the Python helper: HOPAE_PYTHON, the venv `npm run test:python` provisions, or python3. */
export function pythonInterpreter(): string {
  const venv = join(ROOT, '.venv-python', 'bin', 'python');
  return process.env.HOPAE_PYTHON ?? (existsSync(venv) ? venv : 'python3');
}

/**
 * The Python helper (client-python/, HopaeAuth with requests) in a real Python process
 * (local/python-consumer.py), which reports each call on a line of its stdout.
 */
export function pythonHelper(env: ConsumerEnvironment, ttlMs: number, python = pythonInterpreter()): Consumer {
  const child = spawn(python, [join(ROOT, 'local', 'python-consumer.py')], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PYTHONPATH: join(ROOT, 'client-python', 'src'),
      PYTHONUNBUFFERED: '1',
      // boto3 reads the region from AWS_DEFAULT_REGION, the JavaScript SDK from AWS_REGION.
      AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
      HOPAE_SECRET_ID: env.secretArn,
      HOPAE_PROVIDERS_URL: env.providersUrl,
      HOPAE_TTL_SECONDS: String(ttlMs / 1000),
    },
  });
  const records: CallRecord[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as CallRecord | { error: string };
      if ('error' in parsed) return reject(new Error(`Python helper (${python}): ${parsed.error}`));
      records.push(parsed);
      resolve();
    });
    void exited.then((code) => reject(new Error(`Python helper (${python}) exited with ${code} before its first call: ${stderr.trim().slice(-500)}`)));
  });
  return {
    name: `Python helper (cache ${seconds(ttlMs)}, separate process)`,
    ready,
    lastSuccessAt: () => records.findLast((r) => r.ok)?.end,
    async stop() {
      child.stdin.end();
      await exited;
      lines.close();
      return records;
    },
  };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
