import type { DescribeSecretCommandOutput, SecretVersionsListEntry } from '@aws-sdk/client-secrets-manager';

/** What the audit found wrong with one secret. Each flag is one metric (lambda/names.ts AUDIT_METRICS). */
export interface SecretFindings {
  /** AWSPENDING sits on a version other than AWSCURRENT, created longer ago than the stuck threshold. */
  readonly stuck: boolean;
  /** No successful rotation (or, never rotated, no creation) within the overdue threshold. */
  readonly overdue: boolean;
  /** Rotation is turned off (Secrets Manager omits RotationEnabled when never set: absent means off). */
  readonly disabled: boolean;
  /** Minutes the pending version has existed, when there is one apart from AWSCURRENT. */
  readonly pendingForMinutes?: number;
  /** Hours since the last successful rotation (or since creation). */
  readonly hoursSinceRotation?: number;
}

export interface AuditThresholds {
  readonly stuckAfterMs: number;
  readonly overdueAfterMs: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Judges one secret from its metadata alone (DescribeSecret and ListSecretVersionIds): never a value.
 *
 * Stuck uses the pending version's own CreatedDate: Secrets Manager keeps AWSPENDING on the
 * finished version after a rotation, so only a pending version *apart from* AWSCURRENT means a
 * rotation between createSecret and finishSecret, the window in which Hopae has already killed
 * the old clientSecret. Without a CreatedDate it falls back to the secret's LastChangedDate
 * (written by that version's PutSecretValue, so never earlier: it may only report late).
 */
export function assessSecret(
  described: Pick<DescribeSecretCommandOutput, 'RotationEnabled' | 'LastRotatedDate' | 'CreatedDate' | 'LastChangedDate' | 'VersionIdsToStages'>,
  versions: readonly Pick<SecretVersionsListEntry, 'VersionId' | 'VersionStages' | 'CreatedDate'>[],
  thresholds: AuditThresholds,
  now: Date,
): SecretFindings {
  const pendingCreated = pendingVersionCreated(described, versions);
  const pendingForMs = pendingCreated === undefined ? undefined : now.getTime() - pendingCreated.getTime();
  const lastGood = described.LastRotatedDate ?? described.CreatedDate;
  const sinceRotationMs = lastGood === undefined ? undefined : now.getTime() - lastGood.getTime();
  return {
    stuck: pendingForMs !== undefined && pendingForMs > thresholds.stuckAfterMs,
    overdue: sinceRotationMs !== undefined && sinceRotationMs > thresholds.overdueAfterMs,
    disabled: described.RotationEnabled !== true,
    ...(pendingForMs === undefined ? {} : { pendingForMinutes: Math.floor(pendingForMs / MINUTE_MS) }),
    ...(sinceRotationMs === undefined ? {} : { hoursSinceRotation: Math.floor(sinceRotationMs / HOUR_MS) }),
  };
}

/** When the AWSPENDING version that is not also AWSCURRENT was created; undefined when there is none. */
function pendingVersionCreated(
  described: Pick<DescribeSecretCommandOutput, 'LastChangedDate' | 'VersionIdsToStages'>,
  versions: readonly Pick<SecretVersionsListEntry, 'VersionId' | 'VersionStages' | 'CreatedDate'>[],
): Date | undefined {
  const stages = described.VersionIdsToStages ?? {};
  const pendingId = Object.keys(stages).find((id) => stages[id]!.includes('AWSPENDING') && !stages[id]!.includes('AWSCURRENT'));
  if (pendingId === undefined) return undefined;
  return versions.find((v) => v.VersionId === pendingId)?.CreatedDate ?? described.LastChangedDate;
}
