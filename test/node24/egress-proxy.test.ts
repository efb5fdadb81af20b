/**
 * Egress through an HTTPS proxy, as the construct's `httpsProxy` sets it up: the built function in
 * its own Node 24 process (Lambda's nodejs24.x major) with the proxy variables the construct
 * synthesizes (NODE_USE_ENV_PROXY=1, HTTPS_PROXY, NO_PROXY), a real CONNECT proxy on loopback (npm
 * `proxy`), the Hopae stand-in over HTTPS with a self-signed certificate at https://hopae.test, a
 * name only the proxy resolves (so a call that reaches Hopae came through the proxy), and
 * moto_server at http://127.0.0.1 as Secrets Manager. moto speaks plain HTTP, so HTTP_PROXY is set
 * beside HTTPS_PROXY to stand for AWS's https endpoint: whether its calls take the proxy depends
 * only on NO_PROXY.
 *
 * Run by `npm run test:node24` (Node 20 has no built-in proxy support; `npm test` leaves test/node24/ out).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { HopaeSecretRotation } from '../../lib';
import { builtFunctionPath } from '../../local/built-function';
import { runSteps, type StepRun } from '../../local/rotation-driver';
import { expectNoSecretsLogged, outcomes, useIntegrationHarness } from '../support/integration-harness';
import { startLambdaContainer } from '../support/lambda-container';
import { type LoopbackProxy, startLoopbackProxy } from '../support/loopback-proxy';
import { selfSignedCertificate } from '../support/self-signed';
import { importByArn, testStack, WORKSPACE_KEY_ARN } from '../cdk/fixtures';
import { HopaeEnvironment } from '../../lib/environment';

const HOPAE_HOST = 'hopae.test';
const tls = selfSignedCertificate(HOPAE_HOST);
const h = useIntegrationHarness({ env: { POWERTOOLS_LOG_LEVEL: 'DEBUG', HOPAE_ROTATE_MAX_ATTEMPTS: '2' }, standIn: { tls } });
let proxy: LoopbackProxy;
/** The proxy variables of the rotation function as the construct synthesizes them for `httpsProxy: proxy.url`. */
let constructEnv: Record<string, string>;
const containers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  proxy = await startLoopbackProxy({ [HOPAE_HOST]: '127.0.0.1' });
  const stack = testStack();
  const rotation = new HopaeSecretRotation(stack, 'Rotation', {
    environment: HopaeEnvironment.SANDBOX,
    workspaceKeySecret: importByArn(stack, 'WorkspaceKey', WORKSPACE_KEY_ARN),
    clientIds: ['HqTRDIYH'],
    httpsProxy: proxy.url,
  });
  const variables = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(rotation.rotationFunction.node.defaultChild as never)].Properties
    .Environment.Variables as Record<string, string>;
  constructEnv = Object.fromEntries(Object.entries(variables).filter(([name]) => ['NODE_USE_ENV_PROXY', 'HTTPS_PROXY', 'NO_PROXY'].includes(name)));
});

afterAll(async () => {
  for (const stop of containers) await stop();
  await proxy?.stop();
  tls.remove();
});

/** A fresh Lambda container (Node reads the proxy variables at start) with the construct's proxy variables, and `env` on top. */
async function container(env: Record<string, string | undefined> = {}) {
  const started = await startLambdaContainer(builtFunctionPath(), (text) => h.output.append(text), {
    ...constructEnv,
    HTTP_PROXY: constructEnv.HTTPS_PROXY,
    NODE_EXTRA_CA_CERTS: tls.certFile,
    ...env,
  });
  containers.push(started.stop);
  return started.handler;
}

async function rotate(handler: Awaited<ReturnType<typeof container>>, arn: string): Promise<StepRun[]> {
  const token = await h.begin(arn);
  const rotationToken = `rt-${token}`;
  h.rotationTokens.push(rotationToken);
  return runSteps(handler, arn, token, { rotationToken });
}

const ALL_FOUR = ['createSecret:created', 'setSecret:nothing-to-set', 'testSecret:pending-verified', 'finishSecret:finished'];

describe('egress through a CONNECT proxy (Node 24 built-in proxy support)', () => {
  test('runs on Node 24, where NODE_USE_ENV_PROXY covers fetch and node:https agents', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  test('the construct sets Node up to use the proxy, with loopback exempt', () => {
    expect(constructEnv).toEqual({ NODE_USE_ENV_PROXY: '1', HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' });
  });

  test("with the construct's variables, Hopae calls go through the proxy and Secrets Manager calls to a NO_PROXY host go direct", async () => {
    const { arn, clientId } = await h.createApp();
    const handler = await container();
    proxy.seen.length = 0;

    const runs = await rotate(handler, arn);

    expect(outcomes(runs)).toEqual(ALL_FOUR);
    expect(await h.currentAccepted(arn)).toBe(true);
    expect(h.standIn.rotations(clientId)).toBe(1);
    const hopae = `CONNECT ${HOPAE_HOST}:${new URL(h.standIn.baseUrl).port}`;
    // rotate and verify, through the tunnel (keep-alive may reuse one)
    expect(proxy.seen.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.seen)).toEqual(new Set([hopae]));
  });

  test('Secrets Manager calls not named in NO_PROXY take the proxy too', async () => {
    const { arn } = await h.createApp();
    const handler = await container({ NO_PROXY: undefined });
    proxy.seen.length = 0;

    const runs = await rotate(handler, arn);

    expect(outcomes(runs)).toEqual(ALL_FOUR);
    const moto = new URL(process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER!);
    expect(proxy.seen).toContain(`CONNECT ${HOPAE_HOST}:${new URL(h.standIn.baseUrl).port}`);
    expect(proxy.seen).toContain(`FORWARD http://${moto.host}/`);
  });

  test('the TLS check still applies through the tunnel: a certificate nobody trusts is refused, and Hopae rotates nothing', async () => {
    const { arn, clientId, secret } = await h.createApp();
    const handler = await container({ NODE_EXTRA_CA_CERTS: undefined });
    proxy.seen.length = 0;

    const runs = await rotate(handler, arn);

    expect(outcomes(runs)).toEqual(['createSecret:HopaeUnavailableError']);
    expect(runs[0]!.error!.message).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT|self-signed certificate/);
    // the tunnel was opened, then the function refused the certificate before sending anything
    expect(proxy.seen).toContain(`CONNECT ${HOPAE_HOST}:${new URL(h.standIn.baseUrl).port}`);
    expect(h.standIn.count('rotate', clientId)).toBe(0);
    expect(await h.currentValue(arn)).toEqual({ clientId, clientSecret: secret });
  });

  test('a proxy that refuses the tunnel fails createSecret before Hopae is called, naming the answer', async () => {
    const { arn, clientId, secret } = await h.createApp();
    const refusing = await startLoopbackProxy({ [HOPAE_HOST]: '127.0.0.1' }, { deny: true });
    try {
      const handler = await container({ HTTPS_PROXY: refusing.url, HTTP_PROXY: refusing.url });

      const runs = await rotate(handler, arn);

      expect(outcomes(runs)).toEqual(['createSecret:HopaeUnavailableError']);
      expect(runs[0]!.error!.message).toMatch(/network error \(Proxy response \(407\) !== 200 when HTTP Tunneling\)/);
      expect(refusing.seen).toContain(`CONNECT ${HOPAE_HOST}:${new URL(h.standIn.baseUrl).port}`);
      expect(h.standIn.count('rotate', clientId)).toBe(0);
      expect(await h.currentValue(arn)).toEqual({ clientId, clientSecret: secret });
    } finally {
      await refusing.stop();
    }
  });

  test('nothing the functions wrote holds a secret, the workspace key or a RotationToken', () => {
    expectNoSecretsLogged(h);
  });
});
