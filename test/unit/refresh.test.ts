import { EcsCallError, type EcsDeployer, regionOfArn, type ServiceTarget, SignedEcsClient } from '../../lambda/refresh/ecs-client';
import { parseRefreshEvent } from '../../lambda/refresh/event';
import { assumedRoleCredentials, REFRESH_SESSION_NAME, SignedStsClient, StsCallError } from '../../lambda/refresh/sts-client';
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

  it('takes the role to assume, when the rule names one', () => {
    const roleArn = 'arn:aws:iam::123456789012:role/hopae-refresh/0123456789/TestStack-Apps07-ServiceRefreshRole-AbC';
    expect(parseRefreshEvent({ secretId: 'arn:s', roleArn, services: [{ cluster: 'c', service: 's' }] })).toEqual({
      secretId: 'arn:s',
      roleArn,
      services: [{ cluster: 'c', service: 's' }],
    });
  });

  it.each([
    [undefined, /no secretId/],
    [{ secretId: 'arn:s', roleArn: 'not-a-role', services: [{ cluster: 'c', service: 's' }] }, /roleArn that is not an IAM role ARN \("not-a-role"\)/],
    [{ secretId: 'arn:s', roleArn: 'arn:aws:iam::123456789012:user/x', services: [{ cluster: 'c', service: 's' }] }, /not an IAM role ARN/],
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
    const roles: (string | undefined)[] = [];
    const handler = createRefreshHandler({
      logger,
      resolve: () => ({
        ecsFor: (roleArn) => {
          roles.push(roleArn);
          return ecs;
        },
      }),
    });
    return { calls, lines, handler, roles };
  }
  const event = { secretId: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-AbCdEf', services: [{ cluster: CLUSTER_ARN, service: 'api' }, { cluster: CLUSTER_ARN, service: 'worker' }] };

  it('starts a new deployment of every service, as the role the rule names, and reports each', async () => {
    const { calls, lines, handler, roles } = recorder();
    const roleArn = 'arn:aws:iam::123456789012:role/hopae-refresh/0123456789/Apps07-Role';

    const summary = await handler({ ...event, roleArn }, localLambdaContext());

    expect(roles).toEqual([roleArn]);
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

describe('SignedStsClient.assumeRole', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/hopae-refresh/0123456789/Apps07-Role';
  const xml = (status: number, body: string) => new Response(body, { status, headers: { 'content-type': 'text/xml' } });
  const assumed = (expiration = '2030-01-01T00:15:00Z') =>
    xml(
      200,
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret/Key+1=</SecretAccessKey><SessionToken>token&amp;more</SessionToken>` +
        `<Expiration>${expiration}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`,
    );
  const sts = (impl: typeof fetch, options: { endpoint?: string; region?: string } = {}) =>
    new SignedStsClient({ region: options.region ?? 'eu-central-1', endpoint: options.endpoint, credentials: CREDENTIALS, fetch: impl, sleep: async () => undefined });

  it('sends one signed Query AssumeRole to the regional endpoint, for 15 minutes, and returns the credentials', async () => {
    const { sent, impl } = fakeFetch(assumed());

    const credentials = await sts(impl).assumeRole(ROLE);

    expect(credentials).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret/Key+1=', sessionToken: 'token&more', expiration: new Date('2030-01-01T00:15:00Z') });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe('https://sts.eu-central-1.amazonaws.com/');
    expect(Object.fromEntries(new URLSearchParams(sent[0]!.body))).toEqual({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: ROLE,
      RoleSessionName: REFRESH_SESSION_NAME,
      DurationSeconds: '900',
    });
    expect(sent[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/sts\/aws4_request, /);
  });

  it('reaches the partition of the region, or the endpoint override (AWS_ENDPOINT_URL_STS)', async () => {
    const china = fakeFetch(assumed());
    await sts(china.impl, { region: 'cn-north-1' }).assumeRole(ROLE);
    expect(china.sent[0]!.url).toBe('https://sts.cn-north-1.amazonaws.com.cn/');

    const local = fakeFetch(assumed());
    await sts(local.impl, { endpoint: 'http://127.0.0.1:5000' }).assumeRole(ROLE);
    expect(local.sent[0]!.url).toBe('http://127.0.0.1:5000/');
  });

  it('names the role and STS\'s reason when it refuses, without retrying', async () => {
    const { sent, impl } = fakeFetch(
      xml(403, '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: x is not authorized to perform: sts:AssumeRole</Message></Error></ErrorResponse>'),
    );

    const error = (await sts(impl).assumeRole(ROLE).catch((e: unknown) => e)) as StsCallError;

    expect(error).toBeInstanceOf(StsCallError);
    expect([error.code, error.retryable]).toEqual(['AccessDenied', false]);
    expect(error.message).toBe(`could not assume ${ROLE} (AccessDenied: User: x is not authorized to perform: sts:AssumeRole)`);
    expect(sent).toHaveLength(1);
  });

  it('retries throttling and no answer; refuses an answer without credentials', async () => {
    const { sent, impl } = fakeFetch(xml(400, '<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>'), new TypeError('fetch failed'), assumed());
    await expect(sts(impl).assumeRole(ROLE)).resolves.toMatchObject({ accessKeyId: 'ASIAEXAMPLE' });
    expect(sent).toHaveLength(3);

    const empty = fakeFetch(xml(200, '<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>'));
    await expect(sts(empty.impl).assumeRole(ROLE)).rejects.toMatchObject({ code: 'MalformedAnswer', message: expect.stringContaining(ROLE) });
  });
});

describe('assumedRoleCredentials', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/hopae-refresh/0123456789/Apps07-Role';
  function counting(answers: (Date | Error)[]) {
    const calls: string[] = [];
    return {
      calls,
      sts: {
        assumeRole: async (roleArn: string) => {
          calls.push(roleArn);
          const answer = answers.shift()!;
          if (answer instanceof Error) throw answer;
          return { accessKeyId: `ASIA${calls.length}`, secretAccessKey: 's', sessionToken: 't', expiration: answer };
        },
      },
    };
  }

  it('assumes once for concurrent callers, keeps the credentials, and renews them 5 minutes before they expire', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const { calls, sts } = counting([new Date('2030-01-01T00:15:00Z'), new Date('2030-01-01T00:30:00Z')]);
    const provider = assumedRoleCredentials(sts, ROLE, () => now);

    const [a, b] = await Promise.all([provider(), provider()]);
    now += 9 * 60_000;
    const c = await provider();
    now += 2 * 60_000;
    const d = await provider();

    expect(calls).toEqual([ROLE, ROLE]);
    expect([a.accessKeyId, b.accessKeyId, c.accessKeyId, d.accessKeyId]).toEqual(['ASIA1', 'ASIA1', 'ASIA1', 'ASIA2']);
  });

  it('does not keep a failure: the next call assumes again', async () => {
    const { calls, sts } = counting([new StsCallError('AccessDenied', 'denied', false), new Date('2030-01-01T00:15:00Z')]);
    const provider = assumedRoleCredentials(sts, ROLE, () => Date.parse('2030-01-01T00:00:00Z'));

    await expect(provider()).rejects.toThrow('denied');
    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'ASIA2' });
    expect(calls).toHaveLength(2);
  });
});
