import {
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  type SecretListEntry,
  type SecretsManagerClient,
  type SecretVersionsListEntry,
} from '@aws-sdk/client-secrets-manager';
import type { Log } from '../logger';
import { AUDIT_LOG_MESSAGES } from '../names';
import { type AuditThresholds, assessSecret, pendingVersionId, type SecretFindings } from './assess';
import { AuditOutOfTimeError, type BackoffOptions, isRetryable, withBackoff } from './backoff';

/** One secret's verdict: its findings, or why its metadata could not be read. */
export type SecretAudit =
  | { readonly secretName: string; readonly findings: SecretFindings }
  | { readonly secretName: string; readonly unreadable: string };

export interface AuditDependencies {
  readonly secretsManager: Pick<SecretsManagerClient, 'send'>;
  readonly logger: Log;
  readonly now: () => Date;
  readonly backoff: BackoffOptions;
}

export interface FleetAuditConfig {
  /** The rotation function whose secrets are audited (unqualified ARN). */
  readonly rotationFunctionArn: string;
  readonly thresholds: AuditThresholds;
}

/** What one run saw, and the Secrets Manager calls it took. */
export interface FleetAudit {
  readonly audits: SecretAudit[];
  readonly calls: { readonly listSecrets: number; readonly listSecretVersionIds: number };
}

// ListSecrets returns at most 100 secrets a page (ListSecrets API reference, MaxResults).
const PAGE_SIZE = 100;
// Pending versions are rare; a few at a time keeps well under Secrets Manager's request rates.
const VERSION_CALLS_IN_FLIGHT = 4;

/**
 * Finds every secret whose rotation function is this one with ListSecrets (100 a page, secrets
 * scheduled for deletion included: they can still be restored), and calls ListSecretVersionIds
 * only for those with a pending version apart from AWSCURRENT, for its creation date. Metadata
 * only, never a value; secrets attached outside CDK are audited too. Throttled calls back off and
 * retry. A secret whose versions cannot be read is reported and the others still audited; a
 * ListSecrets page that cannot be read fails the run (the caller then reports nothing, rather
 * than a partial view that would look healthy). Each problem is logged with the secret's name.
 */
export async function auditFleet(deps: AuditDependencies, config: FleetAuditConfig): Promise<FleetAudit> {
  const ours: SecretListEntry[] = [];
  let listSecrets = 0;
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await withBackoff(
      () => deps.secretsManager.send(new ListSecretsCommand({ MaxResults: PAGE_SIZE, IncludePlannedDeletion: true, NextToken: token })),
      'ListSecrets',
      deps.backoff,
    );
    listSecrets += 1;
    for (const secret of page.SecretList ?? []) {
      if (secret.RotationLambdaARN !== undefined && sameFunction(secret.RotationLambdaARN, config.rotationFunctionArn)) ours.push(secret);
    }
    nextToken = page.NextToken || undefined;
  } while (nextToken);

  let listSecretVersionIds = 0;
  const audits = await mapInBatches(ours, VERSION_CALLS_IN_FLIGHT, async (secret): Promise<SecretAudit> => {
    const secretName = secret.Name ?? secret.ARN ?? '(unnamed)';
    let versions: SecretVersionsListEntry[] = [];
    if (pendingVersionId(secret) !== undefined) {
      try {
        const listed = await listVersions(deps, secret.ARN ?? secretName);
        listSecretVersionIds += listed.calls;
        versions = listed.versions;
      } catch (error) {
        // Throttled past every retry, or out of time: the run fails rather than call the secret unreadable.
        if (isRetryable(error) || error instanceof AuditOutOfTimeError) throw error;
        const reason = (error as Error).name || 'Error';
        deps.logger.error(AUDIT_LOG_MESSAGES.unreadable, { secretName, errorName: reason, error: (error as Error).message });
        return { secretName, unreadable: reason };
      }
    }
    const findings = assessSecret(secret, versions, config.thresholds, deps.now());
    if (findings.stuck || findings.overdue || findings.disabled || findings.deletionScheduled) {
      deps.logger.warn(AUDIT_LOG_MESSAGES.attention, { secretName, ...findings });
    }
    return { secretName, findings };
  });
  return { audits, calls: { listSecrets, listSecretVersionIds } };
}

async function listVersions(deps: AuditDependencies, secretId: string): Promise<{ versions: SecretVersionsListEntry[]; calls: number }> {
  const versions: SecretVersionsListEntry[] = [];
  let calls = 0;
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await withBackoff(() => deps.secretsManager.send(new ListSecretVersionIdsCommand({ SecretId: secretId, NextToken: token })), 'ListSecretVersionIds', deps.backoff);
    calls += 1;
    versions.push(...(page.Versions ?? []));
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  return { versions, calls };
}

/**
 * Whether a secret's RotationLambdaARN names this function. Secrets Manager keeps the ARN as it
 * was given, so a qualified one (`...:function:name:alias`) counts as the function too.
 */
export function sameFunction(rotationLambdaArn: string, functionArn: string): boolean {
  const unqualified = (arn: string) => arn.split(':').slice(0, 7).join(':');
  return unqualified(rotationLambdaArn) === unqualified(functionArn);
}

async function mapInBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}
