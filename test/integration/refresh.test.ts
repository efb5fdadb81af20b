/**
 * refreshOnRotation against moto_server: the rule the construct synthesizes, put into moto's
 * EventBridge, which matches Secrets Manager's events against its pattern (moto's TestEventPattern
 * is a stub, so routing is the check: matched events reach a log group target); the rule's input
 * transformer applied to what it delivered (moto 5.2.1 inserts a string value into a JSON template
 * without quotes, where EventBridge quotes it, so the transformer is applied here); that input,
 * handed to the built bundle's refresh handler running as a user allowed only sts:AssumeRole; the
 * handler assumes the refresh role the input names (moto's STS) and its signed UpdateService,
 * checked by moto (signature and the role's IAM policy), is seen as a new deployment.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { SignedEcsClient } from '../../lambda/refresh/ecs-client';
import { HopaeEnvironment } from '../../lib/environment';
import { loadBuiltRefreshHandler } from '../../local/built-function';
import { localLambdaContext } from '../../local/lambda-context';
import { createServiceInjecting, primaryDeploymentId, type EcsServiceOnMoto } from '../../local/moto-ecs';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { HopaeSecretRotation } from '../../lib';
import { appWithoutBundling, logicalIdOf } from '../cdk/fixtures';
import { CALLS_PER_ROLE, CALLS_PER_USER, createMotoRole, createMotoUser, type MotoUser } from '../support/moto-iam';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012'; // moto's account
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/HqTRDIYH-AbCdEf`;
const OTHER_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hopae/apps/Zx9Yw8Vu-GhIjKl`;
// Requests moto lets through unchecked: the users below, the ECS set-up (cluster, task definition, service), the role.
const SET_UP_CALLS = 4 * CALLS_PER_USER + 3 + CALLS_PER_ROLE;

let moto: MotoServer;
let allowed: MotoUser;
let denied: MotoUser;
let checker: MotoUser;
/** The refresh function's own role: it may only assume the refresh roles. */
let refresher: MotoUser;
/** The app stack's refresh role in moto: UpdateService on the one service. */
let refreshRoleArn: string;
let service: EcsServiceOnMoto;
const ecsAs = (user: MotoUser) => new ECSClient({ endpoint: moto.endpoint, region: REGION, credentials: user });

beforeAll(async () => {
  moto = await startMotoServer({ env: { INITIAL_NO_AUTH_ACTION_COUNT: String(SET_UP_CALLS) } });
  allowed = await createMotoUser(moto.endpoint, 'refresh', ['ecs:UpdateService', 'ecs:DescribeServices']);
  denied = await createMotoUser(moto.endpoint, 'reader', ['ecs:DescribeServices']);
  checker = await createMotoUser(moto.endpoint, 'checker', ['events:*', 'logs:*']);
  refresher = await createMotoUser(moto.endpoint, 'refresher', ['sts:AssumeRole']);
  service = await createServiceInjecting(ecsAs(allowed), { cluster: 'payments', service: 'api', secretArn: SECRET_ARN });
  // moto authorizes ECS calls against Resource "*" only; test/cdk/iam-evaluation.test.ts checks the synthesized roles' resources.
  refreshRoleArn = await createMotoRole(moto.endpoint, 'refresh-services', '/hopae-refresh/test/', `arn:aws:iam::${ACCOUNT}:user/refresher`, ['ecs:UpdateService'], ['*']);
});

afterAll(async () => {
  await moto?.stop();
});

/**
 * The construct with one imported service of moto's cluster; returns the refresh rule's pattern and
 * input template (in the app stack), the refresh role's ARN (a GetAtt there) given as moto's role.
 */
function synthesizedRule() {
  return (synthesized ??= synthesize());
}
let synthesized: ReturnType<typeof synthesize> | undefined;

function synthesize() {
  const app = appWithoutBundling();
  const stack = new Stack(app, 'Refresh', { env: { account: ACCOUNT, region: REGION } });
  const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', {
    clusterName: 'payments',
    clusterArn: service.clusterArn,
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['a'] }),
  });
  const appSecret = Secret.fromSecretCompleteArn(stack, 'App', SECRET_ARN);
  const rotation = new HopaeSecretRotation(stack, 'Rotation', {
    environment: HopaeEnvironment.SANDBOX,
    workspaceKeySecret: Secret.fromSecretNameV2(stack, 'Key', 'hopae/workspace-key'),
    appSecrets: [appSecret, Secret.fromSecretCompleteArn(stack, 'Other', OTHER_SECRET_ARN)],
    refreshOnRotation: [{ secret: appSecret, services: [ecs.FargateService.fromFargateServiceAttributes(stack, 'Api', { cluster, serviceName: 'api' })] }],
  });
  const ruleConstruct = rotation.serviceRefresh!.rules[0]!;
  const rule = Template.fromStack(Stack.of(ruleConstruct)).toJSON().Resources[logicalIdOf(ruleConstruct)].Properties;
  const { InputPathsMap, InputTemplate } = rule.Targets[0].InputTransformer as { InputPathsMap: Record<string, string>; InputTemplate: { 'Fn::Join': [string, unknown[]] } };
  const [separator, parts] = InputTemplate['Fn::Join'];
  const template = parts.map((part) => (typeof part === 'string' ? part : refreshRoleArn)).join(separator);
  return { pattern: rule.EventPattern as unknown, transformer: { InputPathsMap, InputTemplate: template } };
}

/** Secrets Manager's rotation events (CloudTrail service events), as PutEvents entries. */
function rotationEvent(eventName: string, secretId: string) {
  return {
    Source: 'aws.secretsmanager',
    DetailType: 'AWS Service Event via CloudTrail',
    Detail: JSON.stringify({ eventVersion: '1.11', eventSource: 'secretsmanager.amazonaws.com', eventName, additionalEventData: { SecretId: secretId } }),
  };
}

/** The synthesized rule in moto's EventBridge, targeting a log group; returns what each event delivered. */
async function deliveredBy(events: ReturnType<typeof rotationEvent>[]): Promise<unknown[]> {
  const { pattern, transformer } = synthesizedRule();
  const eventBridge = new EventBridgeClient({ endpoint: moto.endpoint, region: REGION, credentials: checker });
  const logs = new CloudWatchLogsClient({ endpoint: moto.endpoint, region: REGION, credentials: checker });
  const logGroupName = `refresh-input-${Date.now()}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await eventBridge.send(new PutRuleCommand({ Name: logGroupName, EventPattern: JSON.stringify(pattern) }));
  await eventBridge.send(
    new PutTargetsCommand({
      Rule: logGroupName,
      Targets: [{ Id: 'event', Arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroupName}` }],
    }),
  );
  await eventBridge.send(new PutEventsCommand({ Entries: events }));
  const { events: delivered } = await logs.send(new FilterLogEventsCommand({ logGroupName }));
  return (delivered ?? []).map((event) => transform(transformer, JSON.parse(event.message!) as Record<string, unknown>));
}

/**
 * EventBridge's input transformer for a JSON template: each placeholder becomes the JSON of the
 * value at its path (a string gets quotes), as the EventBridge user guide's "Transforming target
 * input" describes.
 */
function transform(transformer: { InputPathsMap: Record<string, string>; InputTemplate: string }, event: Record<string, unknown>): unknown {
  let text = transformer.InputTemplate;
  for (const [name, path] of Object.entries(transformer.InputPathsMap)) {
    const value = path.slice(2).split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], event);
    text = text.replaceAll(`<${name}>`, JSON.stringify(value));
  }
  return JSON.parse(text);
}

test('the rule passes on RotationSucceeded of its secret only, as the refresh input (moto\'s EventBridge routing)', async () => {
  const delivered = await deliveredBy([
    rotationEvent('RotationSucceeded', SECRET_ARN),
    rotationEvent('RotationFailed', SECRET_ARN),
    rotationEvent('RotationStarted', SECRET_ARN),
    rotationEvent('RotationSucceeded', OTHER_SECRET_ARN),
  ]);

  expect(delivered).toEqual([{ secretId: SECRET_ARN, roleArn: refreshRoleArn, services: [{ cluster: service.clusterArn, service: 'api' }] }]);
});

test('the built refresh handler, given what the rule delivered, assumes the refresh role and starts a new deployment of the service', async () => {
  const [input] = await deliveredBy([rotationEvent('RotationSucceeded', SECRET_ARN)]);
  const before = await primaryDeploymentId(ecsAs(allowed), 'payments', 'api');
  // As the function's role: it may not call UpdateService itself, only through the role its rule names.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_ECS: moto.endpoint,
    AWS_ENDPOINT_URL_STS: moto.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: refresher.accessKeyId,
    AWS_SECRET_ACCESS_KEY: refresher.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });

  const summary = (await loadBuiltRefreshHandler()(input, localLambdaContext())) as {
    refreshed: { service: string; deploymentId: string }[];
  };

  const after = await primaryDeploymentId(ecsAs(allowed), 'payments', 'api');
  expect(after).not.toBe(before);
  expect(summary).toEqual({ secretId: SECRET_ARN, refreshed: [{ cluster: service.clusterArn, service: 'api', deploymentId: after }] });
});

describe('the signed UpdateService, checked by moto', () => {
  const client = (credentials: MotoUser) => new SignedEcsClient({ region: REGION, endpoint: moto.endpoint, credentials: async () => credentials, sleep: async () => undefined });

  test('is accepted with the right keys', async () => {
    const before = await primaryDeploymentId(ecsAs(allowed), 'payments', 'api');
    const id = await client(allowed).forceNewDeployment({ cluster: service.clusterArn, service: 'api' });
    expect(id).toBe(await primaryDeploymentId(ecsAs(allowed), 'payments', 'api'));
    expect(id).not.toBe(before);
  });

  test('is refused with a wrong secret key: moto really checks the signature', async () => {
    // moto's keys are random over letters, digits, + and /: a fixed replacement character would be a no-op one time in 64.
    const last = allowed.secretAccessKey.slice(-1);
    const wrongKey = `${allowed.secretAccessKey.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`;
    expect(wrongKey).not.toBe(allowed.secretAccessKey);
    await expect(client({ ...allowed, secretAccessKey: wrongKey }).forceNewDeployment({ cluster: service.clusterArn, service: 'api' })).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
      retryable: false,
    });
  });

  // moto answers AccessDenied in XML; ECS itself answers AccessDeniedException in JSON (see test/unit/refresh.test.ts).
  test('is refused when the policy does not allow ecs:UpdateService', async () => {
    await expect(client(denied).forceNewDeployment({ cluster: service.clusterArn, service: 'api' })).rejects.toMatchObject({ code: 'AccessDenied', retryable: false });
  });

  test('names a missing service', async () => {
    await expect(client(allowed).forceNewDeployment({ cluster: service.clusterArn, service: 'gone' })).rejects.toMatchObject({ code: 'ServiceNotFoundException' });
  });
});
