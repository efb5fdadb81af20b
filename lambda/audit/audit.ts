import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
  type SecretVersionsListEntry,
} from '@aws-sdk/client-secrets-manager';
import type { Log } from '../logger';
import { secretNameOf } from '../metrics';
import { AUDIT_LOG_MESSAGES } from '../names';
import { type AuditThresholds, assessSecret, type SecretFindings } from './assess';

/** One secret's verdict: its findings, or why its metadata could not be read. */
export type SecretAudit =
  | { readonly secretName: string; readonly findings: SecretFindings }
  | { readonly secretName: string; readonly unreadable: string };

export interface AuditDependencies {
  readonly secretsManager: Pick<SecretsManagerClient, 'send'>;
  readonly logger: Log;
  readonly now: () => Date;
}

/**
 * Reads each secret's metadata (DescribeSecret, ListSecretVersionIds: never a value) and judges it.
 * A secret that cannot be read is reported and the others still audited. Each problem is logged
 * with the secret's name, so an alarm's reader can find it (docs/fleet.md).
 */
export async function auditSecrets(deps: AuditDependencies, secretIds: readonly string[], thresholds: AuditThresholds): Promise<SecretAudit[]> {
  const results: SecretAudit[] = [];
  for (const secretId of secretIds) {
    const secretName = secretNameOf(secretId);
    try {
      const described = await deps.secretsManager.send(new DescribeSecretCommand({ SecretId: secretId }));
      const versions = await listVersions(deps.secretsManager, secretId);
      const findings = assessSecret(described, versions, thresholds, deps.now());
      results.push({ secretName: described.Name ?? secretName, findings });
      if (findings.stuck || findings.overdue || findings.disabled || findings.deletionScheduled) {
        deps.logger.warn(AUDIT_LOG_MESSAGES.attention, { secretName: described.Name ?? secretName, ...findings });
      }
    } catch (error) {
      const reason = (error as Error).name || 'Error';
      results.push({ secretName, unreadable: reason });
      deps.logger.error(AUDIT_LOG_MESSAGES.unreadable, { secretName, errorName: reason, error: (error as Error).message });
    }
  }
  return results;
}

async function listVersions(sm: Pick<SecretsManagerClient, 'send'>, secretId: string): Promise<SecretVersionsListEntry[]> {
  const versions: SecretVersionsListEntry[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId, NextToken: nextToken }));
    versions.push(...(page.Versions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return versions;
}
