/** Retries a Secrets Manager call that was throttled or failed transiently, with capped exponential backoff and full jitter. */

export interface BackoffOptions {
  readonly sleep: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter. */
  readonly random: () => number;
  /** Milliseconds left before the run must stop (the Lambda's remaining time less a margin). */
  readonly remainingMs: () => number;
  /** Tries in all, the first included. */
  readonly attempts?: number;
  readonly baseMs?: number;
  readonly capMs?: number;
}

/** Thrown when the run has no time left to retry: the audit reports nothing for this run. */
export class AuditOutOfTimeError extends Error {
  constructor(detail: string) {
    super(`The rotation audit ran out of time: ${detail}. It reported nothing for this run; the next run comes on schedule. If this repeats, Secrets Manager is throttling ListSecrets in this account: look for other callers of it.`);
    this.name = 'AuditOutOfTimeError';
  }
}

const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'Throttling']);

/** A throttle or a transient service fault: worth another try. Anything else (AccessDenied, not found) is not. */
export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  if (!e) return false;
  if (THROTTLING.has(e.name ?? '') || e.$retryable !== undefined) return true;
  const status = e.$metadata?.httpStatusCode;
  return status === 429 || (status !== undefined && status >= 500);
}

export async function withBackoff<T>(call: () => Promise<T>, what: string, options: BackoffOptions): Promise<T> {
  const attempts = options.attempts ?? 8;
  const base = options.baseMs ?? 200;
  const cap = options.capMs ?? 10_000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryable(error) || attempt >= attempts) throw error;
      const delay = Math.floor(options.random() * Math.min(cap, base * 2 ** (attempt - 1)));
      if (delay >= options.remainingMs()) throw new AuditOutOfTimeError(`${what} was throttled and no time is left to retry`);
      await options.sleep(delay);
    }
  }
}
