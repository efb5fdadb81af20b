import { namesSecret, surveyConsumers } from '../../cli/consumers';

const secret = { arn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-AbCdEf', name: 'hopae/apps/HqTRDIYH' };

describe('namesSecret', () => {
  it.each([
    ['its name', 'hopae/apps/HqTRDIYH'],
    ['its complete ARN', secret.arn],
    ['its ARN without the random suffix', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH'],
    ["ECS's ARN with a JSON key, stage and version", `${secret.arn}:clientSecret:AWSCURRENT:`],
    ["ECS's partial ARN with a JSON key", 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH:clientSecret::'],
  ])('recognises %s', (_what, value) => {
    expect(namesSecret(value, secret)).toBe(true);
  });

  it.each([
    ['a longer name', 'hopae/apps/HqTRDIYH2'],
    ['a secret whose name starts the same', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-old-XyZ123'],
    ['another account', 'arn:aws:secretsmanager:eu-central-1:210987654321:secret:hopae/apps/HqTRDIYH-AbCdEf'],
    ['another Region', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hopae/apps/HqTRDIYH-AbCdEf'],
    ['a URL mentioning it', 'https://example.com/hopae/apps/HqTRDIYH'],
  ])('does not take %s for it', (_what, value) => {
    expect(namesSecret(value, secret)).toBe(false);
  });
});

describe('surveyConsumers', () => {
  const failing = (error: Error) => ({ send: async () => Promise.reject(error) });
  const networkError = Object.assign(new Error('getaddrinfo ENOTFOUND ecs.us-east-1.amazonaws.com'), { name: 'Error' });
  const denied = Object.assign(new Error('User is not authorized to perform: cloudtrail:LookupEvents'), { name: 'AccessDeniedException' });
  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  const noFunctions = { send: async () => ({ Functions: [] }) };

  it('names as looked at only what it read, and gives a permission fix only for a denial', async () => {
    const survey = await surveyConsumers(
      { ecs: failing(networkError) as never, events: failing(networkError) as never, lambda: noFunctions as never, cloudTrail: failing(denied) as never },
      { secret, sleep: async () => undefined },
    );

    expect(survey.lookedAt).toEqual(['Lambda functions']);
    expect(survey.gaps).toEqual([
      'EventBridge rules (refreshOnRotation): Error: getaddrinfo ENOTFOUND ecs.us-east-1.amazonaws.com (not a permission error: check the network path to EventBridge\'s endpoint, AWS_REGION and AWS_ENDPOINT_URL_EVENTBRIDGE)',
      'ECS: Error: getaddrinfo ENOTFOUND ecs.us-east-1.amazonaws.com (not a permission error: check the network path to ECS\'s endpoint, AWS_REGION and AWS_ENDPOINT_URL_ECS)',
      'CloudTrail: AccessDeniedException: User is not authorized to perform: cloudtrail:LookupEvents (allow cloudtrail:LookupEvents)',
    ]);
  });

  it('reads every page of EventBridge rules: a refresh rule on the second page covers its service', async () => {
    const CLUSTER = 'arn:aws:ecs:eu-central-1:123456789012:cluster/payments';
    const TASK = 'arn:aws:ecs:eu-central-1:123456789012:task-definition/api:3';
    const rule = (name: string, secretId: string) => ({ Name: name, EventPattern: JSON.stringify({ detail: { eventName: ['RotationSucceeded'], additionalEventData: { SecretId: [secretId] } } }) });
    const events = {
      send: async (command: { constructor: { name: string }; input: { NextToken?: string; Rule?: string } }) => {
        if (command.constructor.name === 'ListRulesCommand') {
          return command.input.NextToken === undefined
            ? { Rules: [rule('other', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:other-AbCdEf')], NextToken: 'page-2' }
            : { Rules: [rule('ours', secret.arn)] };
        }
        expect(command.input.Rule).toBe('ours');
        return { Targets: [{ Input: JSON.stringify({ secretId: secret.arn, services: [{ cluster: CLUSTER, service: 'api' }] }) }] };
      },
    };
    const ecs = {
      send: async (command: { constructor: { name: string } }) =>
        ({
          ListClustersCommand: { clusterArns: [CLUSTER] },
          ListServicesCommand: { serviceArns: [`${CLUSTER.replace(':cluster/', ':service/')}/api`] },
          DescribeServicesCommand: { services: [{ serviceName: 'api', taskDefinition: TASK }] },
          DescribeTaskDefinitionCommand: { taskDefinition: { taskDefinitionArn: TASK, family: 'api', revision: 3, containerDefinitions: [{ name: 'app', secrets: [{ name: 'HOPAE', valueFrom: secret.arn }] }] } },
        })[command.constructor.name],
    };

    const survey = await surveyConsumers(
      { ecs: ecs as never, events: events as never, lambda: noFunctions as never, cloudTrail: noFunctions as never },
      { secret, servicesOnly: true, withoutCloudTrail: true },
    );

    expect(survey.gaps).toEqual([]);
    expect(survey.consumers).toEqual([expect.objectContaining({ name: 'api:3', survival: 'restarted' })]);
  });

  it('says to run again later when throttled, not to grant a permission', async () => {
    const survey = await surveyConsumers(
      { ecs: noFunctions as never, events: noFunctions as never, lambda: noFunctions as never, cloudTrail: failing(throttled) as never },
      { secret, sleep: async () => undefined, days: 3 },
    );

    expect(survey.gaps).toEqual(['CloudTrail: ThrottlingException: Rate exceeded (throttled: run again later)']);
    expect(survey.lookedAt).not.toContain(expect.stringMatching(/CloudTrail/));
  });

  it('points at the credentials when AWS does not know them', async () => {
    const unknown = Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException' });
    const survey = await surveyConsumers(
      { ecs: noFunctions as never, events: noFunctions as never, lambda: noFunctions as never, cloudTrail: failing(unknown) as never },
      { secret, sleep: async () => undefined },
    );

    expect(survey.gaps).toEqual([
      'CloudTrail: UnrecognizedClientException: The security token included in the request is invalid. (the AWS credentials were refused or missing: check AWS_PROFILE or the credentials in use)',
    ]);
  });
});
