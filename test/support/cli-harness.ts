/**
 * The operator CLI against moto_server and the Hopae stand-in. moto cannot run a Lambda without
 * Docker, so for `rotate` a small emulator plays Secrets Manager's part: after RotateSecret (which
 * moto answers by creating the valueless AWSPENDING version), it invokes the real handler for the
 * four steps, as the service would.
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, SecretsManagerClient, type RotateSecretCommandInput } from '@aws-sdk/client-secrets-manager';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { CliDeps } from '../../cli/context';
import { run } from '../../cli/main';
import { fetchTransport } from '../../lambda/hopae/http';
import type { StepRun } from '../../local/rotation-driver';
import { attachRotationFunction, registerRotationFunction } from '../../local/moto-lambda';
import { RotationServiceEmulator } from '../../local/rotation-service';
import type { Harness } from './integration-harness';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliHarness {
  /** Creates the moto Lambda function carrying our environment contract; returns its ARN. */
  createRotationFunction(name?: string, environment?: Record<string, string>): Promise<string>;
  /** Attaches a function to a secret as Secrets Manager rotation would, leaving no rotation pending. */
  attach(secretArn: string, functionArn: string): Promise<void>;
  /** Runs `hopae-rotation ...` in-process; `now` shifts the CLI's clock. */
  cli(
    argv: string[],
    options?: {
      nowOffsetMs?: number;
      env?: NodeJS.ProcessEnv;
      withoutRotationService?: boolean;
      cloudTrail?: CliDeps['cloudTrail'];
      sleep?: CliDeps['sleep'];
    },
  ): Promise<CliResult>;
  /** Background rotations the emulator started, to await before asserting. */
  readonly serviceRuns: Promise<StepRun[]>[];
  /** Resolves when the emulator starts its next rotation, with that rotation's token. */
  nextServiceRun(): Promise<{ token: string; runs: Promise<StepRun[]> }>;
  /** Everything every CLI run printed, for the secret scan. */
  readonly printed: string[];
}

export function cliHarness(h: Harness): CliHarness {
  const serviceRuns: Promise<StepRun[]>[] = [];
  const waiters: Array<(started: { token: string; runs: Promise<StepRun[]> }) => void> = [];
  const printed: string[] = [];
  let service: RotationServiceEmulator | undefined;

  beforeAll(() => {
    // moto serves CloudWatch Logs too: the function's log group lives there; and ECS and EventBridge for `consumers`.
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_ECS = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    service = new RotationServiceEmulator({
      sm: h.sm,
      handler: h.handler,
      logs: new CloudWatchLogsClient({}),
      onRun: (token, runs) => {
        serviceRuns.push(runs);
        for (const notify of waiters.splice(0)) notify({ token, runs });
      },
    });
  });

  /** The CLI's Secrets Manager client, with RotateSecret answered by the emulated rotation service. */
  const emulatedSecretsManager = () => {
    const sm = new SecretsManagerClient({});
    sm.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'RotateSecretCommand') return next(args);
        const output = await service!.rotateSecret(args.input as RotateSecretCommandInput);
        return { output: { ...output, $metadata: {} }, response: {} };
      },
      { step: 'initialize', name: 'emulateRotationService' },
    );
    return sm;
  };

  return {
    serviceRuns,
    printed,
    nextServiceRun: () => new Promise((resolve) => waiters.push(resolve)),
    createRotationFunction: (name = 'hopae-secret-rotation', environment) =>
      registerRotationFunction(new LambdaClient({}), process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER!, name, environment ?? {
        HOPAE_API_BASE_URL: process.env.HOPAE_API_BASE_URL!,
        HOPAE_API_KEY_SECRET_ID: 'hopae/workspace-key',
      }),
    attach: (secretArn, functionArn) => attachRotationFunction(h.sm, secretArn, functionArn),
    async cli(argv, options = {}) {
      let stdout = '';
      let stderr = '';
      const deps: CliDeps = {
        // Without the service, RotateSecret reaches moto alone: no function ever runs.
        sm: options.withoutRotationService ? new SecretsManagerClient({}) : emulatedSecretsManager(),
        lambda: new LambdaClient({}),
        logs: new CloudWatchLogsClient({}),
        ecs: new ECSClient({}),
        events: new EventBridgeClient({}),
        // moto has no CloudTrail LookupEvents: tests that need it inject a client.
        cloudTrail: options.cloudTrail ?? new CloudTrailClient({}),
        transport: fetchTransport,
        env: { ...process.env, HOPAE_API_BASE_URL: undefined, HOPAE_API_KEY_SECRET_ID: undefined, ...options.env },
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        now: () => Date.now() + (options.nowOffsetMs ?? 0),
        sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        pollIntervalMs: 50,
      };
      const code = await run(argv, deps);
      printed.push(stdout, stderr);
      return { code, stdout, stderr };
    },
  };
}

/** A secret whose value is the given text, not rotated by anything. */
export async function createPlainSecret(h: Harness, name: string, value: string): Promise<string> {
  return (await h.sm.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN!;
}

/** Rotated again in Hopae's console, outside Secrets Manager: every stored secret of the app is dead. */
export async function rotateElsewhere(clientId: string, apiKey: string): Promise<void> {
  const response = await fetch(`${process.env.HOPAE_API_BASE_URL}/apps/${clientId}/rotate-client-secret`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}` } });
  await response.arrayBuffer();
}
