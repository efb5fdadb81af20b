import { ConfigurationError } from './errors';
import { HOPAE_RETRY_ENV } from './names';

/** How hard the function tries Hopae; every value has a safe default and an environment override. */
export interface RetrySettings {
  /** Upper bound for one HTTP request to Hopae. */
  readonly requestTimeoutMs: number;
  /** Attempts at the rotate call (all with the same Idempotency-Key). */
  readonly rotateMaxAttempts: number;
  /** Attempts at the read-only credential check in testSecret. */
  readonly verifyMaxAttempts: number;
  /** First backoff step; later steps double, with full jitter. */
  readonly baseDelayMs: number;
  /** Cap of one backoff step (a larger Retry-After is still honoured while time remains). */
  readonly maxDelayMs: number;
}

export interface RotationConfig {
  /** Hopae API base including `/connect/v1`, without a trailing slash. */
  readonly hopaeApiBaseUrl: string;
  /** ARN or name of the secret holding the workspace API key. */
  readonly workspaceKeySecretId: string;
  readonly retry: RetrySettings;
  /** Time kept back from the Lambda's remaining time to store Hopae's answer in Secrets Manager. */
  readonly storeReserveMs: number;
}

export const DEFAULT_RETRY: RetrySettings = {
  requestTimeoutMs: 8_000,
  rotateMaxAttempts: 8,
  verifyMaxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 4_000,
};
export const DEFAULT_STORE_RESERVE_MS = 5_000;

/** Less time than this for Hopae within one invocation cannot hold even one short request. */
export const MIN_HOPAE_BUDGET_MS = 1_000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Reads the configuration from the environment. Throws ConfigurationError naming the variable, so a
 * bad deployment fails loudly before any request is made.
 */
export function loadConfig(env: NodeJS.ProcessEnv): RotationConfig {
  return {
    hopaeApiBaseUrl: parseApiBaseUrl(required(env, 'HOPAE_API_BASE_URL')),
    workspaceKeySecretId: required(env, 'HOPAE_API_KEY_SECRET_ID'),
    retry: {
      requestTimeoutMs: positiveInt(env, HOPAE_RETRY_ENV.requestTimeoutMs, DEFAULT_RETRY.requestTimeoutMs),
      rotateMaxAttempts: positiveInt(env, HOPAE_RETRY_ENV.rotateMaxAttempts, DEFAULT_RETRY.rotateMaxAttempts),
      verifyMaxAttempts: positiveInt(env, HOPAE_RETRY_ENV.verifyMaxAttempts, DEFAULT_RETRY.verifyMaxAttempts),
      baseDelayMs: positiveInt(env, HOPAE_RETRY_ENV.baseDelayMs, DEFAULT_RETRY.baseDelayMs),
      maxDelayMs: positiveInt(env, HOPAE_RETRY_ENV.maxDelayMs, DEFAULT_RETRY.maxDelayMs),
    },
    storeReserveMs: positiveInt(env, HOPAE_RETRY_ENV.storeReserveMs, DEFAULT_STORE_RESERVE_MS),
  };
}

/**
 * Checks the store reserve against the time this invocation really has, before anything is sent:
 * a reserve that eats the whole budget is a deployment error, not Hopae being unavailable.
 */
export function checkHopaeBudget(remainingMs: number, storeReserveMs: number): void {
  const budgetMs = remainingMs - storeReserveMs;
  if (budgetMs < MIN_HOPAE_BUDGET_MS) {
    throw new ConfigurationError(
      `ROTATION_STORE_RESERVE_MS (${storeReserveMs} ms) leaves ${Math.max(0, budgetMs)} ms of this invocation's ${remainingMs} ms to call Hopae; at least ${MIN_HOPAE_BUDGET_MS} ms are needed. Nothing was sent to Hopae. Lower ROTATION_STORE_RESERVE_MS or raise the function's timeout.`,
    );
  }
}

/**
 * Validates the Hopae API base URL: https always; plain http only for loopback hosts (the local
 * stand-in), because the workspace key and client secrets travel in headers.
 */
export function parseApiBaseUrl(raw: string): string {
  let url: URL;
  try {
    // The URL parser drops surrounding whitespace itself.
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(
      `HOPAE_API_BASE_URL is not a valid URL; expected e.g. https://sandbox.api.hopae.com/connect/v1`,
    );
  }
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) {
      throw new ConfigurationError(
        `HOPAE_API_BASE_URL must use https (plain http is accepted only for 127.0.0.1, localhost and ::1); got host ${url.hostname}`,
      );
    }
  } else if (url.protocol !== 'https:') {
    throw new ConfigurationError(`HOPAE_API_BASE_URL must use https; got scheme ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new ConfigurationError('HOPAE_API_BASE_URL must not contain credentials');
  }
  if (url.search || url.hash) {
    throw new ConfigurationError('HOPAE_API_BASE_URL must not contain a query or fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigurationError(`${name} is not set`);
  return value;
}

export function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new ConfigurationError(`${name} must be a positive whole number; got "${raw}"`);
  }
  return Number(raw);
}
