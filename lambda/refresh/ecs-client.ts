/**
 * ECS `UpdateService` with `forceNewDeployment`, the one ECS call the service refresh makes, as a
 * SigV4-signed awsJson1_1 request (./signed-request.ts) with the SDK's credential chain and
 * partition table. @aws-sdk/client-ecs would add 30.5 KB to the function bundle for this one call
 * (379.1 → 408.8 KiB, past the 400 KiB budget); this adds about 4 KB.
 */
import { endpointUrl, parseJson, type SignedClientOptions, type SignedTransport, sendSigned, signedTransport } from './signed-request';

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

/** `region` is also that of targets whose cluster is a name, not an ARN. */
export type SignedEcsClientOptions = SignedClientOptions;

const TARGET = 'AmazonEC2ContainerServiceV20141113.UpdateService';

export class SignedEcsClient implements EcsDeployer {
  private readonly transport: SignedTransport;

  constructor(private readonly options: SignedEcsClientOptions) {
    this.transport = signedTransport(options);
  }

  async forceNewDeployment(target: ServiceTarget): Promise<string | undefined> {
    const region = regionOfArn(target.cluster) ?? this.options.region;
    const text = await sendSigned({
      service: 'ecs',
      region,
      url: endpointUrl('ecs', region, this.options.endpoint),
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET },
      body: JSON.stringify({ cluster: target.cluster, service: target.service, forceNewDeployment: true }),
      ...this.transport,
      error: ({ code, message, retryable }) => new EcsCallError(code, message, retryable),
    });
    const deployments = (parseJson(text)?.service as { deployments?: { id?: unknown; status?: unknown }[] } | undefined)?.deployments ?? [];
    const primary = deployments.find((d) => d.status === 'PRIMARY') ?? deployments[0];
    return typeof primary?.id === 'string' ? primary.id : undefined;
  }
}

/** The region of an ECS ARN (`arn:aws:ecs:eu-central-1:123456789012:cluster/name`), or undefined for a name. */
export function regionOfArn(value: string): string | undefined {
  const match = /^arn:[^:]+:ecs:([^:]+):/.exec(value);
  return match?.[1];
}
