/**
 * One SigV4-signed POST to an AWS API, retried on throttling, 5xx and no answer, built from SDK
 * pieces the bundle already holds (the signer, SHA-256): what the refresh's two calls share (ECS
 * UpdateService, awsJson1_1; STS AssumeRole, Query). A whole SDK client per call would add 30 KB
 * or more to the function bundle.
 */
import { partition } from '@aws-sdk/core/client';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { backoffDelayMs, sleep as realSleep } from '../hopae/retry';

/** What an answer or its absence says: the AWS error code, a message, and whether trying again may help. */
export interface CallFailure {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** What a signed client takes: where to send, with which credentials, how hard to try; tests inject fetch and sleep. */
export interface SignedClientOptions {
  /** The function's region (AWS_REGION): the regional endpoint, and the region of what names none. */
  readonly region: string;
  /** An endpoint override (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, as the SDK reads them). */
  readonly endpoint?: string;
  /** @default the SDK's default credential chain (on Lambda: the execution role's environment credentials) */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** @default 3 (the SDK's standard retry mode also makes 3 attempts) */
  readonly maxAttempts?: number;
  /** One request's bound. @default 10_000 */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SignedRequest {
  /** The signing name: `ecs`, `sts`. */
  readonly service: string;
  readonly region: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly credentials: AwsCredentialIdentityProvider;
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  /** The error to throw for a failure (each client names its own). */
  readonly error: (failure: CallFailure) => Error;
}

/** How a signed client sends: its options' credentials, fetch, sleep and bounds, with their defaults applied. */
export type SignedTransport = Pick<SignedRequest, 'credentials' | 'fetch' | 'sleep' | 'maxAttempts' | 'timeoutMs'>;

export function signedTransport(options: SignedClientOptions): SignedTransport {
  return {
    credentials: options.credentials ?? defaultProvider(),
    fetch: options.fetch ?? fetch,
    sleep: options.sleep ?? ((ms) => realSleep(ms)),
    maxAttempts: options.maxAttempts ?? 3,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
}

/** The regional endpoint of `service` (`ecs`, `sts`) in `region`'s partition, unless the options override it. */
export function endpointUrl(service: string, region: string, override: string | undefined): URL {
  return new URL(override ?? `https://${service}.${region}.${partition(region).dnsSuffix}`);
}

const RETRYABLE_CODES = new Set(['ThrottlingException', 'Throttling', 'ServerException', 'ServiceUnavailable', 'RequestLimitExceeded', 'TooManyRequestsException']);

/** Sends the request, retrying what may pass on another attempt; resolves to the body of a 2xx answer. */
export async function sendSigned(request: SignedRequest): Promise<string> {
  const signer = new SignatureV4({ service: request.service, region: request.region, credentials: request.credentials, sha256: Sha256 });
  for (let attempt = 1; ; attempt++) {
    const outcome = await sendOnce(signer, request);
    if (typeof outcome === 'string') return outcome;
    if (!outcome.retryable || attempt >= request.maxAttempts) throw request.error(outcome);
    await request.sleep(backoffDelayMs(attempt, 200, 2_000));
  }
}

async function sendOnce(signer: SignatureV4, request: SignedRequest): Promise<string | CallFailure> {
  const { url } = request;
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === '' ? undefined : Number(url.port),
    path: url.pathname,
    query: {},
    headers: { host: url.host, ...request.headers },
    body: request.body,
  });
  // fetch sets Host itself, to the same value that was signed.
  const { host: _host, ...headers } = signed.headers;
  let response: Response;
  let text: string;
  try {
    response = await request.fetch(url, { method: 'POST', headers, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(request.timeoutMs) });
    text = await response.text();
  } catch (error) {
    return { code: 'NoAnswer', message: `no answer from ${url.host} (${(error as Error).message})`, retryable: true };
  }
  return response.ok ? text : failureOf(response, text);
}

/**
 * An error answer: awsJson's `{"__type": "[namespace#]Code", "message": ...}`, the code in the
 * `x-amzn-errortype` header, or the Query protocol's XML (`<Code>`, `<Message>`), which front ends
 * also use for authentication failures.
 */
function failureOf(response: Response, text: string): CallFailure {
  const answer = parseJson(text);
  const xml = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
  const rawType = (typeof answer?.__type === 'string' ? answer.__type : (response.headers.get('x-amzn-errortype') ?? xml('Code'))) ?? `HTTP${response.status}`;
  const code = rawType.split('#').pop()!.split(':')[0]!;
  const message = typeof answer?.message === 'string' ? answer.message : typeof answer?.Message === 'string' ? answer.Message : (xml('Message') ?? `HTTP ${response.status}`);
  return { code, message: `${code}: ${message.slice(0, 300)}`, retryable: response.status >= 500 || response.status === 429 || RETRYABLE_CODES.has(code) };
}

export function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
