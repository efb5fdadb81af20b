// Names shared by the function and the construct. No imports: the construct's compiled JS loads this
// file, and the function's runtime libraries (Powertools, middy, the SDK) are not the package's dependencies.

/** POWERTOOLS_SERVICE_NAME of the function, so log lines say which function wrote them. */
export const SERVICE_NAME = 'hopae-secret-rotation';

/** CloudWatch namespace of the function's EMF metrics. */
export const METRICS_NAMESPACE = 'HopaeSecretRotation';

/** Metrics the rotation audit emits (lambda/audit), by what they mean; the construct's alarms and dashboard use these names. */
export const AUDIT_METRICS = {
  /** AWSPENDING on a version other than AWSCURRENT for longer than the stuck threshold. */
  stuck: 'RotationStuck',
  /** No successful rotation for longer than the schedule's longest interval + window + grace. */
  overdue: 'RotationOverdue',
  /** Rotation turned off on an attached secret. */
  disabled: 'RotationDisabled',
  /** Secrets whose metadata the audit could not read (deleted, or access denied). */
  unreadable: 'AuditUnreadable',
  /** Secrets scheduled for deletion (still restorable). */
  deletionScheduled: 'SecretDeletionScheduled',
  /** Secrets audited in one run: those whose rotation function is this construct's. */
  audited: 'SecretsAudited',
  /** Attached by the construct but not found naming its function (deleted for good, or re-pointed): attached minus audited, at least 0. */
  detached: 'SecretsDetached',
  /** 1 for each audit run that covered the whole fleet: absent means the audit did not run or failed. */
  completed: 'AuditCompleted',
} as const;

/** Dimension of the audit's and the rotation's per-secret metrics. */
export const SECRET_NAME_DIMENSION = 'SecretName';

/** The service refresh's log messages (lambda/refresh): what its alarm tells operators to search for. */
export const REFRESH_LOG_MESSAGES = {
  refreshed: 'Service refresh: new deployment started',
  failed: 'Service refresh: could not start a new deployment',
} as const;

/** The Lambda handler names in the one bundle the construct deploys. */
export const HANDLERS = {
  rotation: 'index.handler',
  audit: 'index.auditHandler',
  refresh: 'index.refreshHandler',
} as const;

/**
 * Environment of the rotation function that only its operators' tools read: how many minutes an
 * unfinished rotation may take before it counts as stuck (the construct's `stuckAfter`). Younger,
 * it may still be in flight: `hopae-rotation status`, `doctor` and `recover` read it from the
 * function's configuration, and `recover` changes no pending version younger than it without --force.
 */
export const ROTATION_FUNCTION_ENV = {
  stuckAfterMinutes: 'HOPAE_STUCK_AFTER_MINUTES',
} as const;

/** The in-flight threshold where none is configured: the construct's default `stuckAfter`. */
export const DEFAULT_STUCK_AFTER_MINUTES = 30;

/**
 * Environment of the audit function: what it audits, minutes before a pending version counts as
 * stuck (the construct's `stuckAfter`), hours without a successful rotation before a secret counts as overdue,
 * and hours past its first scheduled rotation before a secret that never rotated counts as overdue.
 */
export const AUDIT_ENV = {
  /** The rotation function's ARN: the audit covers every secret naming it as RotationLambdaARN. */
  rotationFunctionArn: 'AUDIT_ROTATION_FUNCTION_ARN',
  /** How many secrets the construct attaches to that function. */
  attachedSecrets: 'AUDIT_ATTACHED_SECRETS',
  /** The one in-flight threshold, the same variable as the rotation function's (the operator tools read that one). */
  stuckAfterMinutes: ROTATION_FUNCTION_ENV.stuckAfterMinutes,
  overdueAfterHours: 'AUDIT_OVERDUE_AFTER_HOURS',
  overdueAfterScheduledHours: 'AUDIT_OVERDUE_AFTER_SCHEDULED_HOURS',
} as const;

/** The audit's log messages for a secret: what the alarms tell operators to search for. */
export const AUDIT_LOG_MESSAGES = {
  attention: 'Rotation audit: secret needs attention',
  unreadable: 'Rotation audit: could not read the secret metadata',
} as const;

/**
 * How hard the function tries Hopae: environment variable names, shared by the function
 * (lambda/config.ts reads them) and the construct (its hopae* props set them).
 */
export const HOPAE_RETRY_ENV = {
  requestTimeoutMs: 'HOPAE_REQUEST_TIMEOUT_MS',
  rotateMaxAttempts: 'HOPAE_ROTATE_MAX_ATTEMPTS',
  verifyMaxAttempts: 'HOPAE_VERIFY_MAX_ATTEMPTS',
  baseDelayMs: 'HOPAE_RETRY_BASE_DELAY_MS',
  maxDelayMs: 'HOPAE_RETRY_MAX_DELAY_MS',
  storeReserveMs: 'ROTATION_STORE_RESERVE_MS',
} as const;
