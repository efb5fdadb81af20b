/**
 * What the CLI reads from Secrets Manager and Lambda: a secret's rotation state and versions,
 * whether its rotation function is ours, and where that function finds Hopae.
 */
import {
  DescribeSecretCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  ResourceNotFoundException,
  type SecretListEntry,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetFunctionConfigurationCommand, type LambdaClient, ResourceNotFoundException as FunctionNotFound } from '@aws-sdk/client-lambda';
import { DEFAULT_STUCK_AFTER_MINUTES, ROTATION_FUNCTION_ENV } from '../lambda/names';
import { SecretStore } from '../lambda/secret-store';
import { CliError, EXIT } from './errors';

export interface VersionInfo {
  readonly id: string;
  readonly stages: readonly string[];
  readonly created: Date | undefined;
}

export interface SecretState {
  readonly arn: string;
  readonly name: string;
  readonly rotationEnabled: boolean;
  readonly rotationLambdaArn: string | undefined;
  readonly lastRotated: Date | undefined;
  readonly nextRotation: Date | undefined;
  /** Every version, labelled or not, newest first. */
  readonly versions: readonly VersionInfo[];
  readonly current: VersionInfo | undefined;
  /** AWSPENDING on a version other than AWSCURRENT: a rotation not finished. */
  readonly pending: VersionInfo | undefined;
}

export async function readSecretState(sm: SecretsManagerClient, secretId: string): Promise<SecretState> {
  let described;
  try {
    described = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new CliError(`No secret ${secretId} in this account and region (check the name, AWS_REGION and AWS_PROFILE)`);
    }
    throw error;
  }
  const versions: VersionInfo[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true, NextToken: nextToken }));
    for (const version of page.Versions ?? []) {
      versions.push({ id: version.VersionId!, stages: version.VersionStages ?? [], created: version.CreatedDate });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  // DescribeSecret is the authority on labels; ListSecretVersionIds adds creation dates and unlabelled versions.
  const labels = described.VersionIdsToStages ?? {};
  const merged = versions.map((v) => ({ ...v, stages: labels[v.id] ?? v.stages }));
  for (const [id, stages] of Object.entries(labels)) {
    if (!merged.some((v) => v.id === id)) merged.push({ id, stages, created: undefined });
  }
  merged.sort((a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0));
  const current = merged.find((v) => v.stages.includes('AWSCURRENT'));
  const pending = merged.find((v) => v.stages.includes('AWSPENDING') && !v.stages.includes('AWSCURRENT'));
  return {
    arn: described.ARN!,
    name: described.Name!,
    rotationEnabled: described.RotationEnabled === true,
    rotationLambdaArn: described.RotationLambdaARN || undefined,
    lastRotated: described.LastRotatedDate,
    nextRotation: described.NextRotationDate,
    versions: merged,
    current,
    pending,
  };
}

/** A version's SecretString, or undefined when it has none (a version created at the start of a rotation). */
export function readVersionValue(sm: SecretsManagerClient, secretId: string, versionId: string): Promise<string | undefined> {
  return new SecretStore(sm).getVersionValue(secretId, versionId, undefined);
}

export async function listAllSecrets(sm: SecretsManagerClient): Promise<SecretListEntry[]> {
  const all: SecretListEntry[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sm.send(new ListSecretsCommand({ NextToken: nextToken, MaxResults: 100 }));
    all.push(...(page.SecretList ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return all;
}

/** Where a rotation function finds Hopae, read from its environment. */
export interface HopaeAccess {
  readonly apiBaseUrl: string;
  readonly workspaceKeySecretId: string;
  /** Where each came from, for messages ("--api-base-url", "HOPAE_API_BASE_URL in your environment", ...). */
  readonly apiBaseUrlSource: string;
  readonly workspaceKeySecretSource: string;
}

export interface FunctionInfo {
  readonly arn: string;
  /** The function carries this project's environment contract. */
  readonly ours: boolean;
  readonly access: HopaeAccess | undefined;
  /** The function does not exist (deleted, or never deployed). */
  readonly missing: boolean;
  /** Where it logs: its LoggingConfig.LogGroup, else Lambda's default /aws/lambda/<name>. */
  readonly logGroup: string;
  /** Why it could not be read, when it could not. */
  readonly problem?: string;
  /** Its execution role's ARN, when it could be read. */
  readonly role?: string;
  /** Its in-flight threshold (the construct's stuckAfter), when its configuration carries one. */
  readonly stuckAfterMinutes?: number;
}

/** Looks up rotation functions once each: a function is ours when it has our two environment variables. */
export class FunctionRegistry {
  private readonly cache = new Map<string, Promise<FunctionInfo>>();

  constructor(private readonly lambda: LambdaClient) {}

  lookup(arn: string): Promise<FunctionInfo> {
    let info = this.cache.get(arn);
    if (!info) {
      info = this.read(arn);
      this.cache.set(arn, info);
    }
    return info;
  }

  private async read(arn: string): Promise<FunctionInfo> {
    try {
      const config = await this.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: arn }));
      const vars = config.Environment?.Variables ?? {};
      const apiBaseUrl = vars.HOPAE_API_BASE_URL;
      const workspaceKeySecretId = vars.HOPAE_API_KEY_SECRET_ID;
      const ours = Boolean(apiBaseUrl && workspaceKeySecretId);
      const source = `${functionName(arn)}'s environment`;
      const stuckAfter = Number(vars[ROTATION_FUNCTION_ENV.stuckAfterMinutes]);
      return {
        arn,
        ours,
        missing: false,
        ...(Number.isFinite(stuckAfter) && stuckAfter > 0 ? { stuckAfterMinutes: stuckAfter } : {}),
        logGroup: config.LoggingConfig?.LogGroup || defaultLogGroup(arn),
        ...(config.Role ? { role: config.Role } : {}),
        access: ours
          ? {
              apiBaseUrl: apiBaseUrl!,
              workspaceKeySecretId: workspaceKeySecretId!,
              apiBaseUrlSource: `HOPAE_API_BASE_URL in ${source}`,
              workspaceKeySecretSource: `HOPAE_API_KEY_SECRET_ID in ${source}`,
            }
          : undefined,
      };
    } catch (error) {
      const missing = error instanceof FunctionNotFound;
      return {
        arn,
        ours: false,
        missing,
        logGroup: defaultLogGroup(arn),
        access: undefined,
        problem: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
    }
  }
}

function defaultLogGroup(arn: string): string {
  return `/aws/lambda/${functionName(arn)}`;
}

/** The function name of a Lambda ARN (or the argument itself when it is a name). */
export function functionName(arnOrName: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arnOrName);
  return match ? match[1]! : arnOrName;
}

/**
 * Where to reach Hopae: flags, then the operator's environment (the function's own variable
 * names), then the environment of the secret's rotation function.
 */
export async function resolveHopaeAccess(
  flags: { apiBaseUrl?: string; workspaceKeySecret?: string },
  env: NodeJS.ProcessEnv,
  fn: FunctionInfo | undefined,
): Promise<HopaeAccess> {
  const apiBaseUrl = flags.apiBaseUrl || env.HOPAE_API_BASE_URL || fn?.access?.apiBaseUrl;
  const workspaceKeySecretId = flags.workspaceKeySecret || env.HOPAE_API_KEY_SECRET_ID || fn?.access?.workspaceKeySecretId;
  if (!apiBaseUrl || !workspaceKeySecretId) {
    throw new CliError(
      'Cannot tell where Hopae is: pass --api-base-url and --workspace-key-secret, set HOPAE_API_BASE_URL and HOPAE_API_KEY_SECRET_ID, or attach the rotation function to the secret',
      EXIT.USAGE,
    );
  }
  const sourceOf = (flag: string | undefined, flagName: string, variable: string, fromFunction: string | undefined) =>
    flag ? flagName : env[variable] ? `${variable} in your environment` : (fromFunction ?? 'unknown');
  return {
    apiBaseUrl,
    workspaceKeySecretId,
    apiBaseUrlSource: sourceOf(flags.apiBaseUrl, '--api-base-url', 'HOPAE_API_BASE_URL', fn?.access?.apiBaseUrlSource),
    workspaceKeySecretSource: sourceOf(flags.workspaceKeySecret, '--workspace-key-secret', 'HOPAE_API_KEY_SECRET_ID', fn?.access?.workspaceKeySecretSource),
  };
}

/** The one in-flight threshold: younger unfinished rotations may still be running; older ones are stuck. */
export interface StuckAfter {
  readonly minutes: number;
  /** Where it came from, for messages. */
  readonly source: string;
}

/** --stuck-after, else the rotation function's HOPAE_STUCK_AFTER_MINUTES (the construct's stuckAfter), else the default. */
export function resolveStuckAfter(flagMinutes: number | undefined, fn: FunctionInfo | undefined): StuckAfter {
  if (flagMinutes !== undefined) return { minutes: flagMinutes, source: '--stuck-after' };
  if (fn?.stuckAfterMinutes !== undefined) {
    return { minutes: fn.stuckAfterMinutes, source: `${ROTATION_FUNCTION_ENV.stuckAfterMinutes} in ${functionName(fn.arn)}'s environment` };
  }
  const why = !fn || fn.missing || fn.problem ? 'the rotation function cannot be read' : `${functionName(fn.arn)} sets no ${ROTATION_FUNCTION_ENV.stuckAfterMinutes}`;
  return { minutes: DEFAULT_STUCK_AFTER_MINUTES, source: `the default (${why})` };
}
