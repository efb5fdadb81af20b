/**
 * Integration set-up: a real Secrets Manager API (moto_server: the worker's pooled one, emptied, or one
 * of the file's own on a free port; test/support/moto-pool.ts), the Hopae stand-in,
 * and the real Lambda handler reached through the SDK's standard configuration. Output is
 * captured for the whole file so a final test can scan it for secrets.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { RotationStep } from '../../lambda/event';
import { loadBuiltHandler } from '../../local/built-function';
import { HopaeStandIn, type HopaeStandInOptions } from '../../local/hopae-stand-in';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { beginRotation, type RotationHandler, runSteps, type StepRun } from '../../local/rotation-driver';
import { OutputCapture } from './capture-output';
import { takeWorkerMoto } from './moto-pool';

export interface Harness {
  readonly standIn: HopaeStandIn;
  readonly sm: SecretsManagerClient;
  readonly apiKey: string;
  readonly output: OutputCapture;
  /** The handler under test (available once the harness started). */
  readonly handler: RotationHandler;
  /** Every RotationToken handed to the handler, for the log scan. */
  readonly rotationTokens: string[];
  /** Registers the app at Hopae (with a secret unless `bootstrap`) and creates its secret; returns ARN and first secret. */
  createApp(options?: { bootstrap?: boolean; extra?: Record<string, unknown>; value?: string }): Promise<{ arn: string; clientId: string; secret?: string }>;
  /** Begins a rotation as Secrets Manager does; returns the token. */
  begin(arn: string, token?: string): Promise<string>;
  /** Invokes the real handler for the steps (all four by default). */
  run(arn: string, token: string, steps?: readonly RotationStep[], timeoutMs?: number): Promise<StepRun[]>;
  /** begin + all four steps. */
  rotate(arn: string): Promise<{ token: string; runs: StepRun[] }>;
  stages(arn: string): Promise<Record<string, string[]>>;
  currentValue(arn: string): Promise<Record<string, unknown>>;
  /** Whether Hopae accepts the pair in AWSCURRENT. */
  currentAccepted(arn: string): Promise<boolean>;
}

/** Registers beforeAll/afterAll for one test file and returns the harness they fill. */
export interface HarnessOptions {
  /** Environment for the handler on top of the harness's own. */
  readonly env?: Record<string, string>;
  /**
   * Provides the handler once the environment is set; defaults to the built bundle (dist/function) in-process.
   * `capture` receives output written outside this process (a separate Lambda container).
   */
  readonly loadHandler?: (capture: (text: string) => void) => Promise<{ handler: RotationHandler; stop?: () => Promise<void> }>;
  /** Options of the Hopae stand-in (e.g. `tls`). */
  readonly standIn?: HopaeStandInOptions;
}

export function useIntegrationHarness(options: HarnessOptions = {}): Harness {
  const standIn = new HopaeStandIn(options.standIn);
  const output = new OutputCapture();
  const rotationTokens: string[] = [];
  let moto: { readonly endpoint: string } | undefined;
  let ownMoto: MotoServer | undefined;
  let sm: SecretsManagerClient | undefined;
  let apiKey = '';
  let handler: RotationHandler | undefined;
  let appsCreated = 0;
  let stopHandler: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    moto = (await takeWorkerMoto()) ?? (ownMoto = await startMotoServer());
    const baseUrl = await standIn.start();
    apiKey = standIn.addWorkspace();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: moto.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      HOPAE_API_BASE_URL: baseUrl,
      HOPAE_API_KEY_SECRET_ID: 'hopae/workspace-key',
      // Short waits keep the suite fast; the retry logic is the same.
      HOPAE_RETRY_BASE_DELAY_MS: '10',
      HOPAE_RETRY_MAX_DELAY_MS: '100',
      HOPAE_REQUEST_TIMEOUT_MS: '2000',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      ...options.env,
    });
    sm = new SecretsManagerClient({});
    await sm.send(new CreateSecretCommand({ Name: 'hopae/workspace-key', SecretString: JSON.stringify({ apiKey }) }));
    output.start();
    const loaded = options.loadHandler
      ? await options.loadHandler((text) => output.append(text))
      : { handler: loadBuiltHandler() };
    handler = loaded.handler;
    stopHandler = loaded.stop;
  });

  afterAll(async () => {
    await stopHandler?.();
    output.stop();
    await standIn.stop();
    await ownMoto?.stop();
  });

  const client = () => {
    if (!sm) throw new Error('harness not started');
    return sm;
  };

  const harness: Harness = {
    standIn,
    get sm() {
      return client();
    },
    get apiKey() {
      return apiKey;
    },
    output,
    get handler() {
      if (!handler) throw new Error('harness not started');
      return handler;
    },
    rotationTokens,
    async createApp(options = {}) {
      // The count keeps ids unique within the file (moto and the stand-in are per file); random bits alone
      // (24 of them) repeated about one run in 25,000, and CreateSecret then failed with ResourceExistsException.
      const clientId = `App${String(++appsCreated).padStart(3, '0')}${randomBytes(3).toString('hex').toUpperCase()}`;
      const secret = standIn.addApp(clientId, 'ws_local', !options.bootstrap);
      const value =
        options.value ?? JSON.stringify({ clientId, ...(secret ? { clientSecret: secret } : {}), ...options.extra });
      const created = await client().send(new CreateSecretCommand({ Name: `hopae/apps/${clientId}`, SecretString: value }));
      return { arn: created.ARN!, clientId, ...(secret ? { secret } : {}) };
    },
    begin: (arn, token = randomUUID()) => beginRotation(client(), arn, token),
    run(arn, token, steps, timeoutMs) {
      const rotationToken = `rt-${randomBytes(24).toString('hex')}`;
      rotationTokens.push(rotationToken);
      return runSteps(handler!, arn, token, { steps, rotationToken, timeoutMs });
    },
    async rotate(arn) {
      const token = await harness.begin(arn);
      return { token, runs: await harness.run(arn, token) };
    },
    async stages(arn) {
      return (await client().send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
    },
    async currentValue(arn) {
      const out = await client().send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
      return JSON.parse(out.SecretString!) as Record<string, unknown>;
    },
    async currentAccepted(arn) {
      const value = await harness.currentValue(arn);
      return standIn.accepts(String(value.clientId), value.clientSecret as string | undefined);
    },
  };
  return harness;
}

/** Asserts that nothing captured holds a secret Hopae issued, the workspace key or a RotationToken. */
export function expectNoSecretsLogged(harness: Harness): void {
  const text = harness.output.text();
  expect(text.length).toBeGreaterThan(0);
  const secrets = [...harness.standIn.issuedSecrets, harness.apiKey, ...harness.rotationTokens];
  expect(secrets.length).toBeGreaterThan(2);
  const leaked = secrets.filter((secret) => text.includes(secret));
  expect(leaked).toEqual([]);
}

/** The step outcomes of a run, or the error names where a step failed. */
export function outcomes(runs: readonly StepRun[]): string[] {
  return runs.map((run) => (run.error ? `${run.step}:${run.error.name}` : `${run.step}:${(run.result as { outcome: string }).outcome}`));
}
