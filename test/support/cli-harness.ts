/**
 * The operator CLI against moto_server and the Hopae stand-in. moto cannot run a Lambda without
 * Docker, so for `rotate` a small emulator plays Secrets Manager's part: after RotateSecret (which
 * moto answers by creating the valueless AWSPENDING version), it invokes the real handler for the
 * four steps, as the service would.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient, UpdateSecretVersionStageCommand, DescribeSecretCommand, type RotateSecretCommandInput } from '@aws-sdk/client-secrets-manager';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { CliDeps } from '../../cli/context';
import { run } from '../../cli/main';
import { fetchTransport } from '../../lambda/hopae/http';
import type { StepRun } from '../../local/rotation-driver';
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
  cli(argv: string[], options?: { nowOffsetMs?: number; env?: NodeJS.ProcessEnv; withoutRotationService?: boolean }): Promise<CliResult>;
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
  let roleCreated = false;
  let service: RotationServiceEmulator | undefined;

  beforeAll(() => {
    // moto serves CloudWatch Logs too: the function's log group lives there.
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
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
    async createRotationFunction(name = 'hopae-secret-rotation', environment) {
      if (!roleCreated) {
        await createIamRole(process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER!);
        roleCreated = true;
      }
      const fn = await new LambdaClient({}).send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs24.x',
          Role: 'arn:aws:iam::123456789012:role/hopae-rotation',
          Handler: 'index.handler',
          Code: { ZipFile: EMPTY_ZIP },
          Environment: {
            Variables: environment ?? { HOPAE_API_BASE_URL: process.env.HOPAE_API_BASE_URL!, HOPAE_API_KEY_SECRET_ID: 'hopae/workspace-key' },
          },
        }),
      );
      return fn.FunctionArn!;
    },
    async attach(secretArn, functionArn) {
      // moto copies the value into the new version and runs only testSecret when not rotating immediately.
      await h.sm.send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false }));
      const stages = (await h.sm.send(new DescribeSecretCommand({ SecretId: secretArn }))).VersionIdsToStages ?? {};
      for (const [versionId, labels] of Object.entries(stages)) {
        if (labels.includes('AWSPENDING')) {
          await h.sm.send(new UpdateSecretVersionStageCommand({ SecretId: secretArn, VersionStage: 'AWSPENDING', RemoveFromVersionId: versionId }));
        }
      }
    },
    async cli(argv, options = {}) {
      let stdout = '';
      let stderr = '';
      const deps: CliDeps = {
        // Without the service, RotateSecret reaches moto alone: no function ever runs.
        sm: options.withoutRotationService ? new SecretsManagerClient({}) : emulatedSecretsManager(),
        lambda: new LambdaClient({}),
        logs: new CloudWatchLogsClient({}),
        transport: fetchTransport,
        env: { ...process.env, HOPAE_API_BASE_URL: undefined, HOPAE_API_KEY_SECRET_ID: undefined, ...options.env },
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        now: () => Date.now() + (options.nowOffsetMs ?? 0),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
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

// The smallest valid zip (an empty archive): moto stores the code, never runs it.
const EMPTY_ZIP = new Uint8Array([80, 75, 5, 6, ...new Array<number>(18).fill(0)]);

/** moto's IAM must know the function's role. */
async function createIamRole(endpoint: string): Promise<void> {
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: 'hopae-rotation',
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
  });
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto CreateRole failed: ${response.status} ${text.slice(0, 200)}`);
}
