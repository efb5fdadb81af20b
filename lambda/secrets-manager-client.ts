import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The functions' Secrets Manager client. With `NODE_USE_ENV_PROXY=1` (which the construct sets with
 * `httpsProxy`), Node 24 sends fetch (the Hopae calls) and its global agents through
 * `HTTPS_PROXY`, except for `NO_PROXY` hosts. The SDK opens its own `https.Agent`, which Node's
 * environment proxy reaches only through the agent's `proxyEnv` option (Node 24.5+): given here,
 * Secrets Manager calls follow the same `HTTPS_PROXY` / `NO_PROXY` as the Hopae calls. Nothing is
 * added to the bundle: the proxy is Node's own.
 */
export function createSecretsManagerClient(env: NodeJS.ProcessEnv, options: { maxAttempts?: number } = {}): SecretsManagerClient {
  const maxAttempts = options.maxAttempts ?? 5;
  if (env.NODE_USE_ENV_PROXY !== '1') return new SecretsManagerClient({ maxAttempts });
  // @types/node 20 does not know proxyEnv yet; the SDK spreads these options into `new https.Agent()`.
  const agentOptions = { proxyEnv: env } as Record<string, unknown>;
  return new SecretsManagerClient({ maxAttempts, requestHandler: { httpsAgent: agentOptions, httpAgent: agentOptions } });
}
