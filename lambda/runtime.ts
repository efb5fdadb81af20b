import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from './config';
import { HopaeClient } from './hopae/client';
import { fetchTransport, type HttpTransport } from './hopae/http';
import type { Log } from './logger';
import { noMetrics, type RotationMetrics } from './metrics';
import { createSecretsManagerClient } from './secrets-manager-client';
import { SecretStore } from './secret-store';
import type { StepDependencies } from './steps';
import { WorkspaceKeyProvider } from './workspace-key';

export interface RuntimeOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Log;
  readonly metrics?: RotationMetrics;
  readonly secretsManager?: SecretsManagerClient;
  readonly transport?: HttpTransport;
  /** Waits between attempts at Hopae; real timers by default (the CLI passes its own, tests a quick one). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Builds the per-container collaborators from the environment. Secrets Manager is reached through
 * the SDK's own configuration (region, credentials, AWS_ENDPOINT_URL_SECRETS_MANAGER) and, when the
 * construct sets an egress proxy, HTTPS_PROXY / NO_PROXY (lambda/secrets-manager-client.ts).
 */
export function buildRuntime(options: RuntimeOptions): { steps: StepDependencies; storeReserveMs: number } {
  const config = loadConfig(options.env);
  const metrics = options.metrics ?? noMetrics;
  const store = new SecretStore(options.secretsManager ?? createSecretsManagerClient(options.env));
  return {
    steps: {
      store,
      hopae: new HopaeClient({
        baseUrl: config.hopaeApiBaseUrl,
        transport: options.transport ?? fetchTransport,
        retry: config.retry,
        logger: options.logger,
        ...(options.sleep ? { sleep: options.sleep } : {}),
        onRetry: (operation, throttled) => metrics.hopaeRetry(operation, throttled),
      }),
      workspaceKey: new WorkspaceKeyProvider(store, config.workspaceKeySecretId),
      logger: options.logger,
      metrics,
    },
    storeReserveMs: config.storeReserveMs,
  };
}

/** Builds once and keeps the result; a failed build (bad configuration) is retried next time. */
export function memoize<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
