import type { ServiceTarget } from './ecs-client';

/**
 * What the construct's EventBridge rule hands the refresh: the rotated secret (from Secrets
 * Manager's RotationSucceeded event), the role to assume for the ECS calls (the refresh role of the
 * app stack that holds the rule), and the services that inject the secret, as a constant list.
 */
export interface RefreshEvent {
  readonly secretId: string;
  /** Absent: the function's own role makes the calls. */
  readonly roleArn?: string;
  readonly services: ServiceTarget[];
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Checks the input shape; a bad one is a deployment bug, named without guessing. */
export function parseRefreshEvent(event: unknown): RefreshEvent {
  const { secretId, roleArn, services } = (event ?? {}) as { secretId?: unknown; roleArn?: unknown; services?: unknown };
  if (typeof secretId !== 'string' || secretId === '') {
    throw new Error('The refresh event has no secretId: it must come from the HopaeSecretRotation refresh rule (RotationSucceeded)');
  }
  if (roleArn !== undefined && (typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn))) {
    throw new Error(`The refresh event for ${secretId} has a roleArn that is not an IAM role ARN (${JSON.stringify(roleArn)}): it must come from the HopaeSecretRotation refresh rule`);
  }
  if (!Array.isArray(services) || services.length === 0) {
    throw new Error(`The refresh event for ${secretId} names no services: it must come from the HopaeSecretRotation refresh rule`);
  }
  return {
    secretId,
    ...(roleArn === undefined ? {} : { roleArn }),
    services: services.map((entry: unknown, i) => {
      const { cluster, service } = (entry ?? {}) as { cluster?: unknown; service?: unknown };
      if (typeof cluster !== 'string' || cluster === '' || typeof service !== 'string' || service === '') {
        throw new Error(`The refresh event for ${secretId}: services[${i}] must be {"cluster": "...", "service": "..."}`);
      }
      return { cluster, service };
    }),
  };
}
