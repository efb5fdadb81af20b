import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { MalformedSecretError } from './errors';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

/** What DescribeSecret tells the pre-checks. */
export interface SecretMetadata {
  readonly arn: string;
  readonly name: string;
  /** Absent in DescribeSecret means never rotated: treated as false. */
  readonly rotationEnabled: boolean;
  readonly versionStages: Readonly<Record<string, readonly string[]>>;
}

/** The Secrets Manager calls a rotation makes, and nothing else. */
export class SecretStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string, signal?: AbortSignal): Promise<SecretMetadata> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }), { abortSignal: signal });
    return {
      arn: out.ARN ?? secretId,
      name: out.Name ?? secretId,
      rotationEnabled: out.RotationEnabled === true,
      versionStages: out.VersionIdsToStages ?? {},
    };
  }

  /** The SecretString of the version labelled `stage`, or undefined when it holds only binary. */
  async getByStage(secretId: string, stage: string, signal?: AbortSignal): Promise<string | undefined> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }), {
      abortSignal: signal,
    });
    return out.SecretString;
  }

  /**
   * The SecretString of version `versionId` if it has a value, else undefined. A version Secrets
   * Manager created at the start of a rotation has no value yet: GetSecretValue answers
   * ResourceNotFoundException for it; every other error is thrown. A version holding SecretBinary
   * has a value this function cannot rotate: MalformedSecretError, never "no value".
   */
  async getVersionValue(
    secretId: string,
    versionId: string,
    stage: string | undefined,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId, VersionStage: stage }),
        { abortSignal: signal },
      );
      if (out.SecretString === undefined && out.SecretBinary !== undefined) {
        throw new MalformedSecretError(
          `Version ${versionId} of secret ${secretId} holds SecretBinary, not a SecretString: this function rotates JSON in SecretString only. Nothing was sent to Hopae. Remove that version's ${stage ?? 'staging'} label, then rotate again.`,
        );
      }
      return out.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  /** Stores the new value under the rotation's version id, labelled AWSPENDING. */
  async putPending(
    secretId: string,
    token: string,
    secretString: string,
    rotationToken: string | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: secretString,
        VersionStages: [AWSPENDING],
        ...(rotationToken ? { RotationToken: rotationToken } : {}),
      }),
      { abortSignal: signal },
    );
  }

  /** Moves AWSCURRENT to `token`; Secrets Manager then labels the old version AWSPREVIOUS. */
  async promoteToCurrent(
    secretId: string,
    token: string,
    currentVersionId: string | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: AWSCURRENT,
        MoveToVersionId: token,
        ...(currentVersionId ? { RemoveFromVersionId: currentVersionId } : {}),
      }),
      { abortSignal: signal },
    );
  }
}

/** The version id holding `stage`, if any. */
export function versionWithStage(metadata: SecretMetadata, stage: string): string | undefined {
  return Object.entries(metadata.versionStages).find(([, stages]) => stages.includes(stage))?.[0];
}
