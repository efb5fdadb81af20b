import type { SecretVersionsListEntry } from '@aws-sdk/client-secrets-manager';

/**
 * A secret's metadata as ListSecrets returns it (SecretVersionsToStages) or DescribeSecret does
 * (VersionIdsToStages): never a value.
 */
export interface SecretMetadata {
  readonly RotationEnabled?: boolean;
  readonly LastRotatedDate?: Date;
  readonly CreatedDate?: Date;
  readonly LastChangedDate?: Date;
  readonly NextRotationDate?: Date;
  readonly DeletedDate?: Date;
  readonly VersionIdsToStages?: Record<string, string[]>;
  readonly SecretVersionsToStages?: Record<string, string[]>;
}

/** What the audit found wrong with one secret. Each flag is one metric (lambda/names.ts AUDIT_METRICS). */
export interface SecretFindings {
  /** AWSPENDING sits on a version other than AWSCURRENT, created longer ago than the stuck threshold. */
  readonly stuck: boolean;
  /** No successful rotation within the overdue threshold (see assessSecret for what a never-rotated secret is measured from). */
  readonly overdue: boolean;
  /** Rotation is turned off (Secrets Manager omits RotationEnabled when never set: absent means off). */
  readonly disabled: boolean;
  /** Scheduled for deletion (DeletedDate set): still restorable, and no rotation runs on it meanwhile. */
  readonly deletionScheduled: boolean;
  /** Minutes the pending version has existed, when there is one apart from AWSCURRENT and its CreatedDate is known. */
  readonly pendingForMinutes?: number;
  /** A pending version apart from AWSCURRENT whose CreatedDate is unknown: not called stuck. */
  readonly pendingAgeUnknown?: boolean;
  /** Hours since the last successful rotation, when there was one. */
  readonly hoursSinceRotation?: number;
}

export interface AuditThresholds {
  /** A pending version older than this is stuck. */
  readonly stuckAfterMs: number;
  /** No successful rotation for longer than this is overdue (schedule's longest interval + window + grace). */
  readonly overdueAfterMs: number;
  /** A secret that never rotated is overdue this long after its scheduled rotation (NextRotationDate): window + grace. */
  readonly overdueAfterScheduledMs: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Judges one secret from its metadata alone: never a value.
 *
 * - Stuck uses the pending version's own CreatedDate (ListSecretVersionIds): Secrets Manager keeps
 *   AWSPENDING on the finished version after a rotation, so only a pending version *apart from*
 *   AWSCURRENT means a rotation between createSecret and finishSecret, the window in which Hopae
 *   has already killed the old clientSecret. Without a CreatedDate the age is unknown: the secret
 *   is not called stuck (no other date tells when that version appeared: an adopted secret's
 *   LastChangedDate may be months old); if the rotation never finishes, it turns overdue.
 * - Overdue: since LastRotatedDate when the secret has rotated. A secret that never rotated (e.g.
 *   adopted, rotation attached without rotating) is measured from its first scheduled rotation
 *   (NextRotationDate + window + grace), else from its LastChangedDate (turning rotation on
 *   changes the secret, so this is never earlier than that), else its CreatedDate: never from its
 *   creation alone, which may be years before rotation was turned on.
 */
export function assessSecret(
  secret: SecretMetadata,
  versions: readonly Pick<SecretVersionsListEntry, 'VersionId' | 'CreatedDate'>[],
  thresholds: AuditThresholds,
  now: Date,
): SecretFindings {
  const pendingId = pendingVersionId(secret);
  const pendingCreated = pendingId === undefined ? undefined : versions.find((v) => v.VersionId === pendingId)?.CreatedDate;
  const pendingForMs = pendingCreated === undefined ? undefined : now.getTime() - pendingCreated.getTime();
  const sinceRotationMs = secret.LastRotatedDate === undefined ? undefined : now.getTime() - secret.LastRotatedDate.getTime();
  return {
    stuck: pendingForMs !== undefined && pendingForMs > thresholds.stuckAfterMs,
    overdue: isOverdue(secret, thresholds, now),
    disabled: secret.RotationEnabled !== true,
    deletionScheduled: secret.DeletedDate !== undefined,
    ...(pendingForMs === undefined ? {} : { pendingForMinutes: Math.floor(pendingForMs / MINUTE_MS) }),
    ...(pendingId !== undefined && pendingCreated === undefined ? { pendingAgeUnknown: true } : {}),
    ...(sinceRotationMs === undefined ? {} : { hoursSinceRotation: Math.floor(sinceRotationMs / HOUR_MS) }),
  };
}

function isOverdue(secret: SecretMetadata, thresholds: AuditThresholds, now: Date): boolean {
  if (secret.LastRotatedDate !== undefined) return now.getTime() - secret.LastRotatedDate.getTime() > thresholds.overdueAfterMs;
  if (secret.NextRotationDate !== undefined) return now.getTime() - secret.NextRotationDate.getTime() > thresholds.overdueAfterScheduledMs;
  const since = secret.LastChangedDate ?? secret.CreatedDate;
  return since !== undefined && now.getTime() - since.getTime() > thresholds.overdueAfterMs;
}

/** The version that holds AWSPENDING but not AWSCURRENT (a rotation in progress), if any. */
export function pendingVersionId(secret: SecretMetadata): string | undefined {
  const stages = secret.SecretVersionsToStages ?? secret.VersionIdsToStages ?? {};
  return Object.keys(stages).find((id) => stages[id]!.includes('AWSPENDING') && !stages[id]!.includes('AWSCURRENT'));
}
