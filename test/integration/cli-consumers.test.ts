/**
 * `hopae-rotation consumers` and doctor's consumer check against moto_server: ECS task definitions
 * and services, a refreshOnRotation rule in EventBridge, Lambda functions (one behind the Parameters
 * and Secrets extension). moto 5.2.1 has no CloudTrail LookupEvents, so the CloudTrail part gets an
 * injected client answering in LookupEvents' shape.
 */
import type { LookupEventsCommand, LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateFunctionCommand, LambdaClient, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { createServiceInjecting } from '../../local/moto-ecs';
import { cliHarness } from '../support/cli-harness';
import { expectNoSecretsLogged, useIntegrationHarness } from '../support/integration-harness';

const h = useIntegrationHarness({ env: { HOPAE_REQUEST_TIMEOUT_MS: '500' } });
const c = cliHarness(h);
const ROLE = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const EMPTY_ZIP = new Uint8Array([80, 75, 5, 6, ...new Array<number>(18).fill(0)]);

let functionArn: string;
let app: { arn: string; clientId: string };
let ecs: ECSClient;

interface ConsumersJson {
  secret: string;
  breaking: number;
  consumers: { kind: string; name: string; survival: string; reads: string; detail: string }[];
  notLookedAt: string[];
  cloudTrail: { events: number; pagesRead: number; complete: boolean } | null;
}

/** A CloudTrail client answering LookupEvents from a list of pages, recording each request. */
function fakeCloudTrail(pages: { Events: { EventTime: Date; CloudTrailEvent: string }[] }[]) {
  const requests: LookupEventsCommand['input'][] = [];
  const client = {
    send: async (command: LookupEventsCommand): Promise<LookupEventsCommandOutput> => {
      requests.push(command.input);
      const index = command.input.NextToken ? Number(command.input.NextToken) : 0;
      const page = pages[index]!;
      return { Events: page.Events, NextToken: index + 1 < pages.length ? String(index + 1) : undefined, $metadata: {} };
    },
  };
  return { client: client as never, requests };
}

const getSecretValue = (secretId: string, issuerRole: string, at: string, extra: Record<string, unknown> = {}) => ({
  EventTime: new Date(at),
  CloudTrailEvent: JSON.stringify({
    eventName: 'GetSecretValue',
    eventTime: at,
    requestParameters: { secretId },
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::123456789012:assumed-role/x/session`, sessionContext: { sessionIssuer: { arn: issuerRole } } },
    ...extra,
  }),
});

beforeAll(async () => {
  functionArn = await c.createRotationFunction();
  app = await h.createApp();
  await c.attach(app.arn, functionArn);
  ecs = new ECSClient({});
  // api: injects the whole secret, no refresh; worker: injects one JSON key and is covered by refreshOnRotation.
  await createServiceInjecting(ecs, { cluster: 'payments', service: 'api', secretArn: app.arn });
  const worker = await createServiceInjecting(ecs, { cluster: 'payments', service: 'worker', secretArn: `${app.arn}:clientSecret::`, variable: 'HOPAE_CLIENT_SECRET' });
  // A task definition no service runs, naming the secret by its ARN without the random suffix.
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'nightly-report',
      containerDefinitions: [{ name: 'report', image: 'busybox', memory: 128, secrets: [{ name: 'HOPAE', valueFrom: app.arn.replace(/-[A-Za-z0-9]{6}$/, '') }] }],
    }),
  );
  // Another secret's consumer: not listed.
  const other = await h.createApp();
  await createServiceInjecting(ecs, { cluster: 'payments', service: 'unrelated', secretArn: other.arn });
  // The rule refreshOnRotation synthesizes for worker (lib/service-refresh.ts).
  const events = new EventBridgeClient({});
  await events.send(
    new PutRuleCommand({
      Name: 'refresh-worker',
      EventPattern: JSON.stringify({
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        detail: { eventName: ['RotationSucceeded'], additionalEventData: { SecretId: [app.arn] } },
      }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: 'refresh-worker',
      Targets: [
        {
          Id: 'Target0',
          Arn: 'arn:aws:lambda:us-east-1:123456789012:function:refresh',
          InputTransformer: {
            InputPathsMap: { 'detail-additionalEventData-SecretId': '$.detail.additionalEventData.SecretId' },
            InputTemplate: JSON.stringify({ secretId: '<detail-additionalEventData-SecretId>', services: [{ cluster: worker.clusterArn, service: 'worker' }] }).replace(
              '"<detail-additionalEventData-SecretId>"',
              '<detail-additionalEventData-SecretId>',
            ),
          },
        },
      ],
    }),
  );
  // Lambda: one names the secret in its environment, one reads it through the extension; one names another secret.
  const lambda = new LambdaClient({});
  const layer = await lambda.send(new PublishLayerVersionCommand({ LayerName: 'AWS-Parameters-and-Secrets-Lambda-Extension', Content: { ZipFile: EMPTY_ZIP } }));
  const fn = (name: string, variables: Record<string, string>, layers: string[] = []) =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'python3.12',
        Role: ROLE('hopae-rotation'),
        Handler: 'app.handler',
        Code: { ZipFile: EMPTY_ZIP },
        Environment: { Variables: variables },
        Layers: layers,
      }),
    );
  await fn('kyc-api', { HOPAE_SECRET_ID: `hopae/apps/${app.clientId}` });
  await fn('kyc-batch', { SECRET_ARN: app.arn, SECRETS_MANAGER_TTL: '120' }, [layer.LayerVersionArn!]);
  await fn('other-app', { HOPAE_SECRET_ID: `hopae/apps/${other.clientId}` });
});

describe('consumers', () => {
  it('finds each consumer kind in moto and says whether it survives a rotation (exit 1: api breaks)', async () => {
    const trail = fakeCloudTrail([
      {
        Events: [
          getSecretValue(app.arn, ROLE('payments-execution'), '2026-11-28T10:00:00Z'),
          getSecretValue(`hopae/apps/${app.clientId}`, ROLE('payments-execution'), '2026-11-28T11:00:00Z'),
          getSecretValue(app.arn, ROLE('hopae-rotation'), '2026-11-28T09:00:00Z'),
          getSecretValue('hopae/apps/someone-else', ROLE('payments-execution'), '2026-11-28T12:00:00Z'),
        ],
      },
      { Events: [getSecretValue(app.arn, ROLE('intruder'), '2026-11-27T08:00:00Z', { errorCode: 'AccessDenied' }), getSecretValue(app.arn, ROLE('reporting'), '2026-11-27T07:00:00Z')] },
    ]);

    const result = await c.cli(['consumers', app.arn, '--json'], { cloudTrail: trail.client });

    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as ConsumersJson;
    const verdicts = Object.fromEntries(report.consumers.map((x) => [`${x.kind} ${x.name}`, x.survival]));
    expect(verdicts).toEqual({
      'ecs-task-definition api:1': 'breaks',
      'ecs-task-definition worker:1': 'restarted',
      'ecs-task-definition nightly-report:1': 'breaks',
      'lambda-function kyc-api': 'depends',
      'lambda-function kyc-batch': 'depends',
      [`principal ${ROLE('payments-execution')}`]: 'depends',
      [`principal ${ROLE('hopae-rotation')}`]: 'rotates',
      [`principal ${ROLE('reporting')}`]: 'depends',
    });
    expect(report.breaking).toBe(2);
    const named = (name: string) => report.consumers.find((x) => x.name === name)!;
    expect(named('api:1').detail).toMatch(/^services api: running tasks keep the dead clientSecret until they are replaced\. Add api to refreshOnRotation for this secret/);
    expect(named('worker:1').reads).toBe('injects it as HOPAE_CLIENT_SECRET (container app) when a task starts');
    expect(named('kyc-batch').detail).toMatch(/from its cache for 120 s \(SECRETS_MANAGER_TTL\)/);
    expect(named(ROLE('payments-execution')).reads).toMatch(/^GetSecretValue 2 times since \d{4}-\d\d-\d\d, last 2026-11-28 11:00 UTC$/);
    expect(report.cloudTrail).toMatchObject({ events: 6, pagesRead: 2, complete: true });
    expect(report.notLookedAt).toEqual([]);
    // LookupEvents: GetSecretValue of the last 7 days, 50 at a time.
    expect(trail.requests[0]).toMatchObject({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetSecretValue' }], MaxResults: 50 });
    expect(trail.requests[0]!.EndTime!.getTime() - trail.requests[0]!.StartTime!.getTime()).toBe(7 * 86_400_000);
  });

  it('prints a table with the verdicts and each fix', async () => {
    const result = await c.cli(['consumers', app.arn, '--no-cloudtrail']);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^hopae\/apps\/\S+: 5 consumers \(looked at ECS task definitions, Lambda functions\)\n/);
    expect(result.stdout).toMatch(/ECS\s+api:1\s+injects it as HOPAE_CREDENTIALS \(container app\) when a task starts\s+✘ breaks until restarted/);
    expect(result.stdout).toMatch(/ECS\s+worker:1\s+.*! restarted by refreshOnRotation/);
    expect(result.stdout).toMatch(/Lambda\s+kyc-api\s+its environment names it \(HOPAE_SECRET_ID\)\s+! survives only with a re-read on 401/);
    expect(result.stdout).toMatch(/ {2}nightly-report:1: no service runs it \(standalone or scheduled tasks\): running tasks keep the dead clientSecret/);
    expect(result.stdout).not.toMatch(/unrelated|other-app/);
  });

  it('a secret no one reads has no consumer (exit 0)', async () => {
    const lonely = await h.createApp();

    const result = await c.cli(['consumers', lonely.arn, '--no-cloudtrail', '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ consumers: [], breaking: 0 });
  });

  it('says what it could not look at, and the permission that fixes it', async () => {
    const denied = { send: async () => Promise.reject(Object.assign(new Error('User is not authorized to perform: cloudtrail:LookupEvents'), { name: 'AccessDeniedException' })) };

    const result = await c.cli(['consumers', app.arn, '--json'], { cloudTrail: denied as never });

    expect(JSON.parse(result.stdout).notLookedAt).toEqual([
      'CloudTrail: AccessDeniedException: User is not authorized to perform: cloudtrail:LookupEvents (allow cloudtrail:LookupEvents)',
    ]);
  });

  it('names as looked at only what it could read', async () => {
    const denied = { send: async () => Promise.reject(Object.assign(new Error('User is not authorized to perform: cloudtrail:LookupEvents'), { name: 'AccessDeniedException' })) };

    const result = await c.cli(['consumers', app.arn], { cloudTrail: denied as never });

    expect(result.stdout).toMatch(/\(looked at ECS task definitions, Lambda functions; not looked at: CloudTrail, see below\)/);
    expect(JSON.parse((await c.cli(['consumers', app.arn, '--json'], { cloudTrail: denied as never })).stdout)).toMatchObject({
      lookedAt: ['ECS task definitions', 'Lambda functions'],
    });
  });

  it('reads at most 20 pages, 2 a second, and says how far back it got', async () => {
    const page = { Events: [getSecretValue(app.arn, ROLE('reporting'), '2026-11-28T10:00:00Z')] };
    const trail = fakeCloudTrail(Array.from({ length: 25 }, () => page));
    const pauses: number[] = [];

    const result = await c.cli(['consumers', app.arn], { cloudTrail: trail.client, sleep: async (ms) => void pauses.push(ms) });

    expect(trail.requests).toHaveLength(20);
    expect(pauses).toEqual(new Array(19).fill(500));
    expect(result.stdout).toMatch(/CloudTrail: only the newest 20 GetSecretValue events of the account were read \(20 pages of 50, back to 2026-11-28T10:00:00.000Z\)/);
  });

  it('refuses --days beyond CloudTrail\'s 90 (exit 2)', async () => {
    const result = await c.cli(['consumers', app.arn, '--days', '120']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--days must be a whole number from 1 to 90 \(CloudTrail keeps 90 days of events\); got 120/);
  });
});

describe('doctor', () => {
  it('warns about the consumers the next rotation locks out, without failing (exit 0)', async () => {
    const result = await c.cli(['doctor', app.arn]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /! consumers survive a rotation: ECS task definition api:1 injects it as an environment variable into services refreshOnRotation does not redeploy: locked out from the next rotation until restarted\n\s+fix: hopae-rotation consumers \S+ names each with its fix/,
    );
  });

  it('passes when no ECS task definition injects it, naming the readers that depend on a re-read', async () => {
    const other = await h.createApp();
    await c.attach(other.arn, functionArn);

    const result = await c.cli(['doctor', other.arn, '--json']);

    const checks = (JSON.parse(result.stdout) as { checks: { check: string; status: string; detail: string }[] }).checks;
    expect(checks.find((x) => x.check === 'consumers survive a rotation')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^no ECS service injects it without refreshOnRotation, no Lambda environment names it/) });
  });
});

describe('output', () => {
  it('printed no secret', () => {
    for (const text of c.printed) h.output.append(text);
    expectNoSecretsLogged(h);
  });
});
