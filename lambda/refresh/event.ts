import type { ServiceTarget } from './ecs-client';

/**
 * What the construct's EventBridge rule hands the refresh: the rotated secret (from Secrets
 * Manager's RotationSucceeded event) and the services that inject it, as a constant list.
 */
export interface RefreshEvent {
  readonly secretId: string;
  readonly services: ServiceTarget[];
}

/** Checks the input shape; a bad one is a deployment bug, named without guessing. */
export function parseRefreshEvent(event: unknown): RefreshEvent {
  const { secretId, services } = (event ?? {}) as { secretId?: unknown; services?: unknown };
  if (typeof secretId !== 'string' || secretId === '') {
    throw new Error('The refresh event has no secretId: it must come from the HopaeSecretRotation refresh rule (RotationSucceeded)');
  }
  if (!Array.isArray(services) || services.length === 0) {
    throw new Error(`The refresh event for ${secretId} names no services: it must come from the HopaeSecretRotation refresh rule`);
  }
  return {
    secretId,
    services: services.map((entry: unknown, i) => {
      const { cluster, service } = (entry ?? {}) as { cluster?: unknown; service?: unknown };
      if (typeof cluster !== 'string' || cluster === '' || typeof service !== 'string' || service === '') {
        throw new Error(`The refresh event for ${secretId}: services[${i}] must be {"cluster": "...", "service": "..."}`);
      }
      return { cluster, service };
    }),
  };
}
