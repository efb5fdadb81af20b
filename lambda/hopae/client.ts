import { clientSecretProblem } from '../app-secret';
import { HopaeProtocolError, HopaeRejectedError, HopaeUnavailableError } from '../errors';
import type { RetrySettings } from '../config';
import type { Log } from '../logger';
import { type HttpResponse, type HttpTransport, TransportError } from './http';
import { describeErrorResponse, describeUnusableSuccessBody, parseJson } from './response-body';
import { backoffDelayMs, parseRetryAfterMs, sleep as realSleep } from './retry';

export interface HopaeClientOptions {
  /** API base including /connect/v1, validated by config.parseApiBaseUrl. */
  readonly baseUrl: string;
  readonly transport: HttpTransport;
  readonly retry: RetrySettings;
  readonly logger: Log;
  /** Called before each retry, e.g. to count it; `throttled` when Hopae asked us to wait (429, or 409 in progress). */
  readonly onRetry?: (operation: string, throttled: boolean) => void;
  /** Injected in tests; real timers otherwise. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface RotateRequest {
  readonly clientId: string;
  readonly apiKey: string;
  readonly idempotencyKey: string;
  /** Epoch ms by which the last attempt must have finished. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
}

export interface RotateResult {
  readonly clientSecret: string;
  /** Hopae said `Idempotency-Replayed: true`: this answer is a replay of an earlier commit. */
  readonly replayed: boolean;
  readonly attempts: number;
}

export interface CheckCredentialsRequest {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Which pair this is, for messages: "pending" or "current". */
  readonly label: string;
  readonly deadline: number;
  readonly signal?: AbortSignal;
}

/** One attempt's verdict. A definite refusal is thrown instead, to stop at once. */
type Attempt<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      /** unavailable: no usable answer; protocol: a 2xx that is not a valid answer; rejected: a 4xx worth a brief retry. */
      readonly kind: 'unavailable' | 'protocol' | 'rejected';
      readonly problem: string;
      readonly status?: number;
      readonly code?: string;
      readonly retryAfterMs?: number;
      /**
       * Hopae asked us to come back (429, or 409 still in progress): nothing went wrong, so the
       * wait counts against the time budget only, not the attempt limit.
       */
      readonly throttled?: boolean;
    };

type Failure = Extract<Attempt<unknown>, { ok: false }>;

/** The wait before the next attempt; `final`: that attempt is the last the time allows. */
interface RetryDelay {
  readonly ms: number;
  readonly final: boolean;
}

// Less time than this left before the deadline is not worth another request.
const MIN_ATTEMPT_MS = 100;
// Throttling backoff starts at this many times maxDelayMs (16 s by default). A fleet throttled
// together only gets through when its retries spread over the time Hopae needs for all of it: with
// 1,000 secrets at 25 rotations/s, a first step of 4 s costs about 4 rotate calls a secret, 16 s
// about 2.6 (npm run bench -- --only fleet).
const THROTTLE_FIRST_STEP_FACTOR = 4;

/**
 * Hopae's Workspace and App API, as far as rotation needs them: classification of every answer,
 * and retries with the same Idempotency-Key where Hopae may already have committed.
 */
export class HopaeClient {
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: HopaeClientOptions) {
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /**
   * POST /apps/{clientId}/rotate-client-secret. Hopae invalidates the old secret when it commits,
   * and an answer can be lost after that; every retry reuses the Idempotency-Key so the replay
   * returns the same new secret instead of rotating again.
   */
  async rotateClientSecret(request: RotateRequest): Promise<RotateResult> {
    const url = `${this.options.baseUrl}/apps/${encodeURIComponent(request.clientId)}/rotate-client-secret`;
    const { value, attempts } = await this.withRetries(
      'rotate',
      this.options.retry.rotateMaxAttempts,
      request.deadline,
      request.signal,
      async (timeoutMs) => {
        const response = await this.options.transport({
          method: 'POST',
          url,
          headers: {
            Authorization: `Bearer ${request.apiKey}`,
            'Idempotency-Key': request.idempotencyKey,
            Accept: 'application/json',
          },
          timeoutMs,
          signal: request.signal,
        });
        return classifyRotateResponse(response, request.clientId, this.now());
      },
      (failure, attempts) => finalRotateError(failure, attempts, request.clientId),
    );
    return { ...value, attempts };
  }

  /** GET /providers with Basic clientId:clientSecret: read-only proof that a pair works. */
  async checkCredentials(request: CheckCredentialsRequest): Promise<{ attempts: number }> {
    const basic = Buffer.from(`${request.clientId}:${request.clientSecret}`, 'utf8').toString('base64');
    const { attempts } = await this.withRetries(
      'verify',
      this.options.retry.verifyMaxAttempts,
      request.deadline,
      request.signal,
      async (timeoutMs) => {
        const response = await this.options.transport({
          method: 'GET',
          url: `${this.options.baseUrl}/providers`,
          headers: { Authorization: `Basic ${basic}`, Accept: 'application/json' },
          timeoutMs,
          signal: request.signal,
        });
        return classifyProvidersResponse(response, request, this.now());
      },
      (failure, attempts) => finalVerifyError(failure, attempts, request),
    );
    return { attempts };
  }

  private async withRetries<T>(
    operation: string,
    maxAttempts: number,
    deadline: number,
    signal: AbortSignal | undefined,
    attempt: (timeoutMs: number) => Promise<Attempt<T>>,
    finalError: (failure: Failure, attempts: number) => Error,
  ): Promise<{ value: T; attempts: number }> {
    const { requestTimeoutMs } = this.options.retry;
    let last: Failure = { ok: false, kind: 'unavailable', problem: 'no time left to call Hopae' };
    let made = 0;
    // Attempts that count against maxAttempts: failures, not Hopae asking us to wait.
    let counted = 0;
    // Answers that asked us to wait (429, 409 in progress): they grow their own backoff.
    let throttles = 0;
    // Set once a wait was cut to the time left: the attempt after it is the last one.
    let finalAttempt = false;
    while (counted < maxAttempts) {
      const remaining = deadline - this.now();
      if (remaining < MIN_ATTEMPT_MS) break;
      made += 1;
      const result = await this.runAttempt(attempt, Math.min(requestTimeoutMs, remaining));
      if (result.ok) return { value: result.value, attempts: made };
      last = result;
      if (result.throttled) throttles += 1;
      else counted += 1;
      if (counted >= maxAttempts) break;
      const delay: RetryDelay | undefined = finalAttempt ? undefined : this.retryDelay(result, result.throttled ? throttles : counted, deadline);
      if (delay === undefined) {
        last = { ...result, problem: `${result.problem}; ${this.noTimeLeft(result, deadline)}` };
        break;
      }
      const delayMs = delay.ms;
      finalAttempt = delay.final;
      this.options.onRetry?.(operation, result.throttled === true);
      this.options.logger.warn('Hopae call failed, retrying', {
        operation,
        attempt: made,
        problem: result.problem,
        retryInMs: delayMs,
      });
      try {
        await this.sleep(delayMs, signal);
      } catch {
        last = { ...result, problem: `${result.problem}; the invocation ended while waiting to retry` };
        break;
      }
    }
    throw finalError(last, made);
  }

  /**
   * How long to wait before the next attempt, or undefined when no attempt would fit before the
   * deadline. Full jitter everywhere, so a fleet failing together does not retry in lock-step.
   * Failures back off from baseDelayMs up to maxDelayMs. Throttling (429, 409 in progress) means
   * Hopae is busy with many callers: its backoff starts at THROTTLE_FIRST_STEP_FACTOR × maxDelayMs
   * and keeps doubling, bounded only by the time left, so a fleet spreads out instead of polling.
   * When the step outgrows the time left, the wait is drawn over what is left and the attempt after
   * it is the last (`final`).
   * A Retry-After is the floor of the wait (never below baseDelayMs: "0" must not become a busy
   * loop), with the jitter on top.
   */
  private retryDelay(result: Failure, step: number, deadline: number): RetryDelay | undefined {
    const { baseDelayMs, maxDelayMs } = this.options.retry;
    const timeLeft = deadline - this.now() - MIN_ATTEMPT_MS;
    const floor = result.retryAfterMs === undefined ? 0 : Math.max(result.retryAfterMs, baseDelayMs);
    if (floor > timeLeft) return undefined;
    if (!result.throttled) {
      const ms = floor + backoffDelayMs(step, baseDelayMs, maxDelayMs, this.random);
      return ms > timeLeft ? undefined : { ms, final: false };
    }
    const ceiling = THROTTLE_FIRST_STEP_FACTOR * maxDelayMs * 2 ** (step - 1);
    const room = timeLeft - floor;
    return { ms: floor + Math.round(this.random() * Math.min(ceiling, room)), final: ceiling >= room };
  }

  /** Why no attempt follows: Hopae's own Retry-After when that is what did not fit, so the operator learns how long it asked for. */
  private noTimeLeft(result: Failure, deadline: number): string {
    const leftS = Math.max(0, Math.round((deadline - this.now()) / 1000));
    if (result.retryAfterMs !== undefined && result.retryAfterMs > deadline - this.now() - MIN_ATTEMPT_MS) {
      return `Hopae asked to retry after ${Math.round(result.retryAfterMs / 1000)} s (Retry-After), more than the ${leftS} s this invocation has left`;
    }
    return `no time left for another attempt within the invocation (${leftS} s left)`;
  }

  /** A transport failure becomes a retryable verdict, unless the invocation itself is ending. */
  private async runAttempt<T>(attempt: (timeoutMs: number) => Promise<Attempt<T>>, timeoutMs: number): Promise<Attempt<T>> {
    try {
      return await attempt(timeoutMs);
    } catch (error) {
      if (error instanceof TransportError) {
        return { ok: false, kind: 'unavailable', problem: error.message };
      }
      throw error;
    }
  }
}

function classifyRotateResponse(
  response: HttpResponse,
  clientId: string,
  nowMs: number,
): Attempt<{ clientSecret: string; replayed: boolean }> {
  const { status } = response;
  if (status >= 200 && status < 300) {
    const answer = readRotateAnswer(response, clientId);
    if ('clientSecret' in answer) {
      return { ok: true, value: { clientSecret: answer.clientSecret, replayed: isTrue(response.header('Idempotency-Replayed')) } };
    }
    // Hopae may have committed: the replay with the same Idempotency-Key brings the real answer.
    return { ok: false, kind: 'protocol', status, problem: `${status} with ${answer.problem}` };
  }
  const retryAfterMs = parseRetryAfterMs(response.header('Retry-After'), nowMs);
  const { label, details } = describeErrorResponse(status, response.body, response.bodyProblem);
  if (status === 409 && details.code === 'IDEMPOTENCY_REQUEST_IN_PROGRESS') {
    return { ok: false, kind: 'unavailable', status, code: details.code, problem: `${label}: Hopae is still processing this rotation`, retryAfterMs, throttled: true };
  }
  if (status === 429) return { ok: false, kind: 'unavailable', status, code: details.code, problem: label, retryAfterMs, throttled: true };
  if (status === 408 || status >= 500) {
    return { ok: false, kind: 'unavailable', status, code: details.code, problem: label, retryAfterMs };
  }
  throw new HopaeRejectedError(rotateRejectionMessage(status, label, details.code, clientId), status, details.code);
}

/**
 * The new clientSecret in a 2xx answer, or what is wrong with the answer. Only a value Hopae could
 * have issued passes: a body cut at the size cap, not UTF-8, or holding an implausible secret or
 * another app's clientId is garbled, never stored.
 */
function readRotateAnswer(response: HttpResponse, clientId: string): { clientSecret: string } | { problem: string } {
  if (response.bodyProblem !== undefined) return { problem: `a body ${response.bodyProblem}` };
  const json = parseJson(response.body);
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof (json as { clientSecret?: unknown }).clientSecret !== 'string') {
    return { problem: describeUnusableSuccessBody(response.body) };
  }
  const answer = json as { clientSecret: string; clientId?: unknown };
  const problem = clientSecretProblem(answer.clientSecret);
  if (problem !== undefined) return { problem };
  if (answer.clientId !== undefined && answer.clientId !== clientId) return { problem: 'a clientId that is not this app\'s' };
  return { clientSecret: answer.clientSecret };
}

function rotateRejectionMessage(status: number, label: string, code: string | undefined, clientId: string): string {
  const prefix = `Hopae refused to rotate the clientSecret of app ${clientId} (${label})`;
  switch (status) {
    case 401:
      return `${prefix}: the workspace API key is invalid. Check the key stored in HOPAE_API_KEY_SECRET_ID's secret, and that a sk_workspace_test_ key is used only with the sandbox host. Nothing was rotated.`;
    case 403:
      return `${prefix}: the workspace API key may not manage this app. Use a key of the app's workspace. Nothing was rotated.`;
    case 404:
      return `${prefix}: the app is not in this workspace. Check "clientId" in the secret and that the workspace key belongs to the app's workspace. Nothing was rotated.`;
    case 400:
      return `${prefix}: Hopae considers the request invalid. Check "clientId" in the secret.`;
    case 409:
      return code === 'IDEMPOTENCY_KEY_CONFLICT'
        ? `${prefix}: this rotation's token was already used as Idempotency-Key for a different request in the last 24 hours. Cancel this rotation (remove its AWSPENDING label) and start a new one.`
        : `${prefix}: Hopae reports a conflict.`;
    default:
      return Math.floor(status / 100) === 3 ? `${prefix}: unexpected redirect; check HOPAE_API_BASE_URL.` : prefix;
  }
}

function finalRotateError(failure: Failure, attempts: number, clientId: string): Error {
  if (attempts === 0) {
    return new HopaeUnavailableError(
      `No request to rotate app ${clientId} was sent: ${failure.problem} in this invocation. Nothing was rotated by it; the rotation is retried. If this repeats, raise the function's timeout or lower ROTATION_STORE_RESERVE_MS.`,
      attempts,
    );
  }
  const tried = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  const consequence =
    'Hopae may or may not have rotated the secret. Retry this rotation within 24 hours: the same Idempotency-Key makes Hopae return the same secret instead of rotating again.';
  if (failure.kind === 'protocol') {
    return new HopaeProtocolError(
      `Hopae's answer to rotating app ${clientId} held no usable clientSecret after ${tried} (last: ${failure.problem}). ${consequence}`,
      attempts,
    );
  }
  return new HopaeUnavailableError(
    `Hopae did not complete the rotation of app ${clientId} after ${tried} (last: ${failure.problem}). ${consequence}`,
    attempts,
  );
}

function classifyProvidersResponse(response: HttpResponse, request: CheckCredentialsRequest, nowMs: number): Attempt<true> {
  const { status } = response;
  if (status === 200) {
    if (Array.isArray(parseJson(response.body))) return { ok: true, value: true };
    return { ok: false, kind: 'protocol', status, problem: `200 with ${describeUnusableSuccessBody(response.body)} instead of the providers list` };
  }
  const retryAfterMs = parseRetryAfterMs(response.header('Retry-After'), nowMs);
  const { label, details } = describeErrorResponse(status, response.body, response.bodyProblem);
  // How fast a new secret takes effect everywhere is undocumented: a 401 is re-checked briefly.
  if (status === 401) return { ok: false, kind: 'rejected', status, code: details.code, problem: label };
  if (status === 429) return { ok: false, kind: 'unavailable', status, code: details.code, problem: label, retryAfterMs, throttled: true };
  if (status === 408 || status >= 500) {
    return { ok: false, kind: 'unavailable', status, code: details.code, problem: label, retryAfterMs };
  }
  throw new HopaeRejectedError(
    `Hopae refused the check of the ${request.label} secret of app ${request.clientId} (${label})${status === 404 ? ': check HOPAE_API_BASE_URL' : ''}`,
    status,
    details.code,
  );
}

function finalVerifyError(failure: Failure, attempts: number, request: CheckCredentialsRequest): Error {
  const tried = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  if (failure.kind === 'rejected') {
    // This check uses the app's own pair, never the workspace key: a 401 here is about the stored secret.
    const why =
      request.label === 'pending'
        ? 'the app was rotated again elsewhere after this rotation stored its secret, or Hopae has not taken the new secret everywhere yet'
        : 'the app was rotated elsewhere, or the stored secret was overwritten';
    return new HopaeRejectedError(
      `The ${request.label} secret was rejected by Hopae for app ${request.clientId} (${failure.problem}, ${tried}): ${why}. The workspace key is not involved. Run \`hopae-rotation recover <secret>\`: it asks Hopae which stored pair works and names the way out.`,
      failure.status ?? 401,
      failure.code,
    );
  }
  if (failure.kind === 'protocol') {
    return new HopaeProtocolError(`Hopae's check of the ${request.label} secret of app ${request.clientId} gave no valid answer after ${tried} (last: ${failure.problem})`, attempts);
  }
  return new HopaeUnavailableError(`Hopae could not check the ${request.label} secret of app ${request.clientId} after ${tried} (last: ${failure.problem})`, attempts);
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}
