/**
 * The local default the demo, the continuity scenario and the benchmarks share: moto_server as
 * Secrets Manager, the Hopae stand-in, a workspace-key secret, and the environment the handler
 * reads (the SDK's standard AWS_ENDPOINT_URL_SECRETS_MANAGER among it).
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadBuiltHandler } from './built-function';
import { HopaeStandIn } from './hopae-stand-in';
import { type MotoServer, startMotoServer } from './moto-server';
import type { RotationHandler } from './rotation-driver';
import { SecretsManagerProxy } from './sm-proxy';

export const WORKSPACE_KEY_SECRET = 'hopae/workspace-key';

export interface LocalEnvironment {
  readonly moto: MotoServer;
  readonly standIn: HopaeStandIn;
  /** Reaches moto directly: for set-up and checks, never faulted or counted. */
  readonly sm: SecretsManagerClient;
  /** With `proxy: true`: the counting, fault-injecting proxy the handler goes through. */
  readonly proxy: SecretsManagerProxy | undefined;
  readonly hopaeBaseUrl: string;
  readonly apiKey: string;
  /** Registers an app at Hopae and creates its secret; returns the secret's ARN and the first secret. */
  createApp(clientId: string, extra?: Record<string, unknown>): Promise<{ arn: string; secret: string | undefined }>;
  /** The real handler, imported after the environment is set (its logger reads it at load). */
  loadHandler(): Promise<RotationHandler>;
  stop(): Promise<void>;
}

export async function startLocalEnvironment(
  env: Record<string, string> = {},
  options: { proxy?: boolean; standIn?: HopaeStandIn } = {},
): Promise<LocalEnvironment> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const standIn = options.standIn ?? new HopaeStandIn();
  const moto = await startMotoServer();
  const proxy = options.proxy ? new SecretsManagerProxy(moto.endpoint) : undefined;
  try {
    const hopaeBaseUrl = await standIn.start();
    const apiKey = standIn.addWorkspace();
    const handlerEndpoint = proxy ? await proxy.start() : moto.endpoint;
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: handlerEndpoint,
      // refreshOnRotation's handler reaches moto's ECS (the continuity run).
      AWS_ENDPOINT_URL_ECS: moto.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      HOPAE_API_BASE_URL: hopaeBaseUrl,
      HOPAE_API_KEY_SECRET_ID: WORKSPACE_KEY_SECRET,
      ...env,
    });
    const sm = new SecretsManagerClient({ endpoint: moto.endpoint });
    await sm.send(new CreateSecretCommand({ Name: WORKSPACE_KEY_SECRET, SecretString: JSON.stringify({ apiKey }) }));
    return {
      moto,
      standIn,
      sm,
      proxy,
      hopaeBaseUrl,
      apiKey,
      async createApp(clientId, extra = {}) {
        const secret = standIn.addApp(clientId);
        const created = await sm.send(
          new CreateSecretCommand({ Name: `hopae/apps/${clientId}`, SecretString: JSON.stringify({ clientId, clientSecret: secret, ...extra }) }),
        );
        return { arn: created.ARN!, secret };
      },
      loadHandler: async () => loadBuiltHandler(),
      async stop() {
        await proxy?.stop();
        await standIn.stop();
        await moto.stop();
      },
    };
  } catch (error) {
    await proxy?.stop();
    await standIn.stop();
    await moto.stop();
    throw error;
  }
}
