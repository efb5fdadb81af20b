import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fetchTransport, type HttpTransport } from '../lambda/hopae/http';
import { sleep } from '../lambda/hopae/retry';
import { parseAppSecret, type AppSecret } from '../lambda/app-secret';
import { CliError, EXIT } from './errors';
import type { Output, Stream } from './output';
import { classifyConfiguration } from './rotation-state';
import { FunctionRegistry, readVersionValue, type FunctionInfo, type SecretState } from './secrets';

/** Everything a command touches, injected so tests can point it at moto_server and the stand-in. */
export interface CliDeps {
  /** Reached through the SDK's standard configuration (credentials, region, AWS_ENDPOINT_URL_*). */
  readonly sm: SecretsManagerClient;
  readonly lambda: LambdaClient;
  /** Where `rotate --wait` reads the function's log (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS locally). */
  readonly logs: CloudWatchLogsClient;
  /** What `consumers` and `doctor` survey: ECS task definitions and services, refreshOnRotation's rules, GetSecretValue callers. */
  readonly ecs: Pick<ECSClient, 'send'>;
  readonly events: Pick<EventBridgeClient, 'send'>;
  readonly cloudTrail: Pick<CloudTrailClient, 'send'>;
  readonly transport: HttpTransport;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** How often `rotate --wait` looks. */
  readonly pollIntervalMs: number;
}

export function defaultDeps(): CliDeps {
  return {
    sm: new SecretsManagerClient({}),
    lambda: new LambdaClient({}),
    logs: new CloudWatchLogsClient({}),
    ecs: new ECSClient({}),
    events: new EventBridgeClient({}),
    cloudTrail: new CloudTrailClient({}),
    transport: fetchTransport,
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    now: Date.now,
    sleep: (ms) => sleep(ms),
    pollIntervalMs: 2000,
  };
}

/** What every command gets. */
export interface CommandContext {
  readonly deps: CliDeps;
  readonly out: Output;
  readonly functions: FunctionRegistry;
}

/**
 * The secret's rotation function, which must be ours: this tool acts only on secrets it rotates.
 * Another's function is bad input (exit 2); no function, or ours gone or unreadable, is the
 * function-missing or function-not-ours row of the state table: a deployment or a permission (exit 1).
 */
export async function requireOurFunction(context: CommandContext, state: SecretState): Promise<FunctionInfo> {
  const fn = state.rotationLambdaArn ? await context.functions.lookup(state.rotationLambdaArn) : undefined;
  const row = classifyConfiguration({ ...state, rotationEnabled: true }, fn);
  if (row) throw new CliError(`${row.summary.replace(/\.$/, '')}; ${row.action}`, row.state === 'function-not-ours' && !fn?.problem ? EXIT.USAGE : EXIT.FAILED);
  return fn!;
}

/** AWSCURRENT parsed; a malformed value is bad input (exit 2), named without its content. */
export async function readCurrentAppSecret(context: CommandContext, state: SecretState): Promise<AppSecret> {
  if (!state.current) throw new CliError(`Secret ${state.name} has no AWSCURRENT version`);
  const value = await readVersionValue(context.deps.sm, state.arn, state.current.id);
  try {
    return parseAppSecret(value, `AWSCURRENT of ${state.name}`);
  } catch (error) {
    throw new CliError(`${(error as Error).message.replace(/\.$/, '')}. \`hopae-rotation recover ${state.name}\` finds a stored version Hopae accepts, or names the value to store`, EXIT.USAGE);
  }
}
