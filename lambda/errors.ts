/**
 * The rotation's error family. Each class is one kind of failure an on-call engineer acts on
 * differently; `code` is stable for log queries and alarms. Messages never contain a secret value,
 * the workspace key or the event's RotationToken.
 */
export abstract class RotationError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The function's own environment or the workspace-key secret is wrong: fix the deployment. */
export class ConfigurationError extends RotationError {
  override readonly name = 'ConfigurationError';
  readonly code = 'CONFIGURATION';
}

/** The event is not a Secrets Manager rotation event this function understands. */
export class InvalidEventError extends RotationError {
  override readonly name = 'InvalidEventError';
  readonly code = 'INVALID_EVENT';
}

/** The app secret's value is not the JSON this function rotates. Nothing was sent to Hopae. */
export class MalformedSecretError extends RotationError {
  override readonly name = 'MalformedSecretError';
  readonly code = 'MALFORMED_SECRET';
}

/** Secrets Manager's rotation state does not allow this step (disabled, unknown token, not pending). */
export class RotationStateError extends RotationError {
  override readonly name = 'RotationStateError';
  readonly code = 'ROTATION_STATE';
}

/** Hopae gave a definite "no" (4xx): retrying the same request will not help. */
export class HopaeRejectedError extends RotationError {
  override readonly name = 'HopaeRejectedError';
  readonly code = 'HOPAE_REJECTED';

  constructor(
    message: string,
    readonly status: number,
    readonly hopaeCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Hopae could not be reached or kept failing (network, timeout, 5xx, 429) within the time budget. */
export class HopaeUnavailableError extends RotationError {
  override readonly name = 'HopaeUnavailableError';
  readonly code = 'HOPAE_UNAVAILABLE';

  constructor(
    message: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Hopae answered "success" with a body that is not a valid answer, and replays did not fix it. */
export class HopaeProtocolError extends RotationError {
  override readonly name = 'HopaeProtocolError';
  readonly code = 'HOPAE_PROTOCOL_VIOLATION';

  constructor(
    message: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Hopae committed a new secret (the old one is dead) but Secrets Manager did not store it.
 * Recoverable: a retry of the same rotation within 24 hours replays the same secret.
 */
export class PendingNotStoredError extends RotationError {
  override readonly name = 'PendingNotStoredError';
  readonly code = 'PENDING_NOT_STORED_AFTER_HOPAE_ROTATED';
}

/** The invocation reached the Lambda timeout before the step finished. */
export class InvocationTimeoutError extends RotationError {
  override readonly name = 'InvocationTimeoutError';
  readonly code = 'INVOCATION_TIMEOUT';
}

/** A short, stable name for any error, for logs and metrics. */
export function errorCode(error: unknown): string {
  if (error instanceof RotationError) return error.code;
  if (error instanceof Error) return error.name;
  return 'UNKNOWN';
}
