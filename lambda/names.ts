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
  /** Secrets audited in one run: 0 or absent means the audit did not run. */
  audited: 'SecretsAudited',
} as const;

/** Dimension of the audit's and the rotation's per-secret metrics. */
export const SECRET_NAME_DIMENSION = 'SecretName';

/** Environment of the audit function: minutes before a pending version counts as stuck, hours before a secret counts as overdue. */
export const AUDIT_ENV = {
  stuckAfterMinutes: 'AUDIT_STUCK_AFTER_MINUTES',
  overdueAfterHours: 'AUDIT_OVERDUE_AFTER_HOURS',
} as const;

/** The audit's log messages for a secret: what the alarms tell operators to search for. */
export const AUDIT_LOG_MESSAGES = {
  attention: 'Rotation audit: secret needs attention',
  unreadable: 'Rotation audit: could not read the secret metadata',
} as const;

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
