/**
 * ECS `UpdateService` with `forceNewDeployment`, the one ECS call the service refresh makes, as a
 * SigV4-signed awsJson1_1 request built from SDK pieces the bundle already holds (the signer, the
 * credential chain, SHA-256, the partition table). @aws-sdk/client-ecs would add 30.5 KB to the
 * function bundle for this one call (379.1 → 408.8 KiB, past the 400 KiB budget); this adds about 4 KB.
 */
import { partition } from '@aws-sdk/core/client';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { backoffDelayMs, sleep as realSleep } from '../hopae/retry';

/** A service to redeploy: its cluster (ARN or name) and its name (or ARN). */
export interface ServiceTarget {
  readonly cluster: string;
  readonly service: string;
}

/** What the refresh needs from ECS; tests inject their own. */
export interface EcsDeployer {
  /** Starts a new deployment of the service; resolves to the new PRIMARY deployment's id when ECS names it. */
  forceNewDeployment(target: ServiceTarget): Promise<string | undefined>;
}

/** ECS answered with an error (`code` is its `__type`, e.g. ServiceNotFoundException), or gave no answer. */
export class EcsCallError extends Error {
  override readonly name = 'EcsCallError';

  constructor(
    readonly code: string,
    message: string,
    /** Whether trying again may help: throttling, 5xx, no answer. */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface SignedEcsClientOptions {
  /** Region of targets whose cluster is a name, not an ARN: the function's own (AWS_REGION). */
  readonly region: string;
  /** An endpoint override (AWS_ENDPOINT_URL_ECS, then AWS_ENDPOINT_URL, as the SDK reads them). */
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

const TARGET = 'AmazonEC2ContainerServiceV20141113.UpdateService';
const RETRYABLE_CODES = new Set(['ThrottlingException', 'ServerException', 'RequestLimitExceeded', 'TooManyRequestsException']);

export class SignedEcsClient implements EcsDeployer {
  private readonly credentials: AwsCredentialIdentityProvider;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: SignedEcsClientOptions) {
    this.credentials = options.credentials ?? defaultProvider();
    this.fetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => realSleep(ms));
  }

  async forceNewDeployment(target: ServiceTarget): Promise<string | undefined> {
    const region = regionOfArn(target.cluster) ?? this.options.region;
    const url = new URL(this.options.endpoint ?? `https://ecs.${region}.${partition(region).dnsSuffix}`);
    const body = JSON.stringify({ cluster: target.cluster, service: target.service, forceNewDeployment: true });
    const signer = new SignatureV4({ service: 'ecs', region, credentials: this.credentials, sha256: Sha256 });
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send(signer, url, body);
      } catch (error) {
        if (!(error instanceof EcsCallError) || !error.retryable || attempt >= maxAttempts) throw error;
        await this.sleep(backoffDelayMs(attempt, 200, 2_000));
      }
    }
  }

  private async send(signer: SignatureV4, url: URL, body: string): Promise<string | undefined> {
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET },
      body,
    });
    // fetch sets Host itself, to the same value that was signed.
    const { host: _host, ...headers } = signed.headers;
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
      text = await response.text();
    } catch (error) {
      throw new EcsCallError('NoAnswer', `no answer from ECS at ${url.host} (${(error as Error).message})`, true);
    }
    const answer = parseJson(text);
    if (response.ok) {
      const deployments = (answer?.service as { deployments?: { id?: unknown; status?: unknown }[] } | undefined)?.deployments ?? [];
      const primary = deployments.find((d) => d.status === 'PRIMARY') ?? deployments[0];
      return typeof primary?.id === 'string' ? primary.id : undefined;
    }
    // awsJson errors: {"__type": "[namespace#]Code", "message": "..."}, or the code in a header; an
    // authentication failure may come as XML (<Code>, <Message>) from the front end.
    const xml = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
    const rawType = (typeof answer?.__type === 'string' ? answer.__type : (response.headers.get('x-amzn-errortype') ?? xml('Code'))) ?? `HTTP${response.status}`;
    const code = rawType.split('#').pop()!.split(':')[0]!;
    const message = typeof answer?.message === 'string' ? answer.message : typeof answer?.Message === 'string' ? answer.Message : (xml('Message') ?? `HTTP ${response.status}`);
    throw new EcsCallError(code, `${code}: ${message.slice(0, 300)}`, response.status >= 500 || response.status === 429 || RETRYABLE_CODES.has(code));
  }
}

/** The region of an ECS ARN (`arn:aws:ecs:eu-central-1:123456789012:cluster/name`), or undefined for a name. */
export function regionOfArn(value: string): string | undefined {
  const match = /^arn:[^:]+:ecs:([^:]+):/.exec(value);
  return match?.[1];
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
