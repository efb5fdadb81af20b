import { EcsCallError, type EcsDeployer, regionOfArn, type ServiceTarget, SignedEcsClient } from '../../lambda/refresh/ecs-client';
import { parseRefreshEvent } from '../../lambda/refresh/event';
import { createRefreshHandler } from '../../lambda/refresh/handler';
import { Logger } from '@aws-lambda-powertools/logger';
import { REFRESH_LOG_MESSAGES, SERVICE_NAME } from '../../lambda/names';
import { localLambdaContext } from '../../local/lambda-context';

const CLUSTER_ARN = 'arn:aws:ecs:eu-central-1:123456789012:cluster/payments';
const CREDENTIALS = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });

interface Sent {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A fetch that records each request and answers from a list. */
function fakeFetch(...answers: (Response | Error)[]) {
  const sent: Sent[] = [];
  const impl = (async (url: URL, init: RequestInit) => {
    sent.push({ url: String(url), headers: init.headers as Record<string, string>, body: init.body as string });
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers');
    if (answer instanceof Error) throw answer;
    return answer;
  }) as unknown as typeof fetch;
  return { sent, impl };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/x-amz-json-1.1', ...headers } });
const updated = (id: string) => json(200, { service: { deployments: [{ id: 'ecs-svc/old', status: 'ACTIVE' }, { id, status: 'PRIMARY' }] } });

function client(fetchImpl: typeof fetch, options: { endpoint?: string; region?: string } = {}) {
  const pauses: number[] = [];
  const ecs = new SignedEcsClient({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    credentials: CREDENTIALS,
    fetch: fetchImpl,
    sleep: async (ms) => void pauses.push(ms),
  });
  return { ecs, pauses };
}

describe('SignedEcsClient.forceNewDeployment', () => {
  it('sends one signed awsJson1_1 UpdateService with forceNewDeployment to the cluster region, and returns the PRIMARY deployment', async () => {
    const { sent, impl } = fakeFetch(updated('ecs-svc/new'));

    const id = await client(impl).ecs.forceNewDeployment({ cluster: CLUSTER_ARN, service: 'api' });

    expect(id).toBe('ecs-svc/new');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe('https://ecs.eu-central-1.amazonaws.com/');
    expect(JSON.parse(sent[0]!.body)).toEqual({ cluster: CLUSTER_ARN, service: 'api', forceNewDeployment: true });
    expect(sent[0]!.headers).toMatchObject({
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerServiceV20141113.UpdateService',
    });
    expect(sent[0]!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/ecs\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
    // fetch derives Host from the URL: the signed value, not sent twice.
    expect(sent[0]!.headers.host).toBeUndefined();
  });

  it.each([
    ['cn-north-1', 'https://ecs.cn-north-1.amazonaws.com.cn/'],
    ['us-gov-west-1', 'https://ecs.us-gov-west-1.amazonaws.com/'],
  ])('reaches the partition of %s', async (region, url) => {
    const { sent, impl } = fakeFetch(updated('x'));

    await client(impl, { region }).ecs.forceNewDeployment({ cluster: 'payments', service: 'api' });

    expect(sent[0]!.url).toBe(url);
  });

  it('uses an endpoint override (AWS_ENDPOINT_URL_ECS) and signs its host and port', async () => {
    const { sent, impl } = fakeFetch(updated('x'));

    await client(impl, { endpoint: 'http://127.0.0.1:4566' }).ecs.forceNewDeployment({ cluster: CLUSTER_ARN, service: 'api' });

    expect(sent[0]!.url).toBe('http://127.0.0.1:4566/');
  });

  it('retries throttling, 5xx and no answer, up to 3 attempts in all', async () => {
    const { sent, impl } = fakeFetch(json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }), new TypeError('fetch failed'), updated('ecs-svc/new'));
    const { ecs, pauses } = client(impl);

    await expect(ecs.forceNewDeployment({ cluster: CLUSTER_ARN, service: 'api' })).resolves.toBe('ecs-svc/new');
    expect(sent).toHaveLength(3);
    expect(pauses).toHaveLength(2);

    const failing = fakeFetch(json(500, {}), json(503, {}), json(500, { __type: 'com.amazonaws.ecs#ServerException', message: 'down' }));
    await expect(client(failing.impl).ecs.forceNewDeployment({ cluster: CLUSTER_ARN, service: 'api' })).rejects.toMatchObject({
      name: 'EcsCallError',
      code: 'ServerException',
      message: 'ServerException: down',
    });
    expect(failing.sent).toHaveLength(3);
  });

  it('does not retry what cannot succeed: a missing service, access denied', async () => {
    const { sent, impl } = fakeFetch(json(400, { __type: 'ServiceNotFoundException', message: 'Service not found.' }));

    const error = (await client(impl).ecs.forceNewDeployment({ cluster: CLUSTER_ARN, service: 'gone' }).catch((e: unknown) => e)) as EcsCallError;

    expect(error).toBeInstanceOf(EcsCallError);
    expect([error.code, error.retryable, error.message]).toEqual(['ServiceNotFoundException', false, 'ServiceNotFoundException: Service not found.']);
    expect(sent).toHaveLength(1);

    const denied = fakeFetch(new Response('', { status: 403, headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal' } }));
    await expect(client(denied.impl).ecs.forceNewDeployment({ cluster: CLUSTER_ARN, service: 'api' })).rejects.toMatchObject({
      code: 'AccessDeniedException',
      retryable: false,
    });
  });

  it('reads the region from an ECS ARN only', () => {
    expect(regionOfArn(CLUSTER_ARN)).toBe('eu-central-1');
    expect(regionOfArn('payments')).toBeUndefined();
    expect(regionOfArn('arn:aws:sns:eu-central-1:123456789012:topic')).toBeUndefined();
  });
});

describe('parseRefreshEvent', () => {
  it('takes the secret and the services of the refresh rule', () => {
    expect(parseRefreshEvent({ secretId: 'arn:s', services: [{ cluster: 'c', service: 's' }], extra: 1 })).toEqual({
      secretId: 'arn:s',
      services: [{ cluster: 'c', service: 's' }],
    });
  });

  it.each([
    [undefined, /no secretId/],
    [{ secretId: 'arn:s' }, /names no services/],
    [{ secretId: 'arn:s', services: [] }, /names no services/],
    [{ secretId: 'arn:s', services: [{ cluster: 'c' }] }, /services\[0\] must be/],
  ])('refuses %j', (event, message) => {
    expect(() => parseRefreshEvent(event)).toThrow(message);
  });
});

describe('refresh handler', () => {
  function recorder(failFor: Record<string, Error> = {}) {
    const calls: ServiceTarget[] = [];
    const ecs: EcsDeployer = {
      forceNewDeployment: async (target) => {
        calls.push(target);
        if (failFor[target.service]) throw failFor[target.service];
        return `ecs-svc/${target.service}`;
      },
    };
    const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: 'CRITICAL' });
    const lines: { level: string; message: string }[] = [];
    jest.spyOn(logger, 'info').mockImplementation((...args) => void lines.push({ level: 'info', message: String(args[0]) }));
    jest.spyOn(logger, 'error').mockImplementation((...args) => void lines.push({ level: 'error', message: String(args[0]) }));
    const handler = createRefreshHandler({ logger, resolve: () => ({ ecs }) });
    return { calls, lines, handler };
  }
  const event = { secretId: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-AbCdEf', services: [{ cluster: CLUSTER_ARN, service: 'api' }, { cluster: CLUSTER_ARN, service: 'worker' }] };

  it('starts a new deployment of every service and reports each', async () => {
    const { calls, lines, handler } = recorder();

    const summary = await handler(event, localLambdaContext());

    expect(calls).toEqual(event.services);
    expect(summary).toEqual({
      secretId: event.secretId,
      refreshed: [
        { cluster: CLUSTER_ARN, service: 'api', deploymentId: 'ecs-svc/api' },
        { cluster: CLUSTER_ARN, service: 'worker', deploymentId: 'ecs-svc/worker' },
      ],
    });
    expect(lines.filter((l) => l.message === REFRESH_LOG_MESSAGES.refreshed)).toHaveLength(2);
  });

  it('tries every service, then fails naming those left on the old secret and the command that redeploys them', async () => {
    const { calls, lines, handler } = recorder({ api: new EcsCallError('AccessDeniedException', 'AccessDeniedException: not authorized', false) });

    const error = (await handler(event, localLambdaContext()).catch((e: unknown) => e)) as Error;

    expect(calls).toHaveLength(2);
    expect(error.message).toBe(
      `1 of 2 services still run tasks with the old clientSecret of ${event.secretId}, which Hopae no longer accepts ` +
        `(api: AccessDeniedException: not authorized). Redeploy them now: aws ecs update-service --cluster ${CLUSTER_ARN} --service api --force-new-deployment`,
    );
    expect(lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([REFRESH_LOG_MESSAGES.failed]);
  });
});
