/**
 * Fleets of 1, 65 and 500 apps (existing and created mixed, every app refreshing its ECS services
 * with refreshOnRotation: 2 each, 1,000 services for 500 apps) against what a deploy enforces and
 * a synth does not check (test/support/quotas.ts). The 5,000-app fleet runs in `npm run test:fleet`
 * (.ci/run), its figures in `npm run bench -- --only fleet-deploy`.
 */
import { checkAssembly, checkTemplate, QUOTAS, type TemplateJson } from '../support/quotas';
import { type FleetSpec, synthFleet } from '../support/fleet';

const FLEETS: [string, FleetSpec][] = [
  ['1 created app', { existing: 0, created: 1, refreshEvery: 1, servicesPerApp: 1 }],
  ['65 apps', { existing: 52, created: 13, refreshEvery: 1 }],
  ['500 apps', { existing: 400, created: 100, refreshEvery: 1 }],
];

// Each fleet is synthesized once for every test of this file.
const synthesized = new Map<string, { reports: ReturnType<typeof checkAssembly>; stacks: { id: string; template: unknown }[]; warnings: string[] }>();
function fleet(name: string) {
  let entry = synthesized.get(name);
  if (!entry) {
    const { stacks, warnings } = synthFleet(FLEETS.find(([n]) => n === name)![1]);
    entry = { reports: checkAssembly(stacks), stacks, warnings };
    synthesized.set(name, entry);
  }
  return entry;
}

const count = (stacks: { template: unknown }[], types: string[]) =>
  stacks.reduce((sum, { template }) => sum + Object.values((template as TemplateJson).Resources ?? {}).filter((r) => types.includes(r.Type)).length, 0);

describe.each(FLEETS)('a fleet of %s', (name, spec) => {
  test('breaks no quota in any stack', () => {
    expect(fleet(name).reports.flatMap((r) => r.violations)).toEqual([]);
  });

  test('spreads the per-app resources over the app stacks, the shared ones staying in the construct\'s stack', () => {
    const { reports, stacks } = fleet(name);
    const [main, ...apps] = reports;
    expect(main!.stack).toBe('HopaeSecretRotation');
    const appStacks = stacks.slice(1);
    // Each app: its schedule (and a created one its secret and policy), and its refresh rule; each
    // app stack with refreshed apps: its refresh role and policies.
    const appCount = spec.existing + spec.created;
    expect(count(appStacks, ['AWS::Events::Rule'])).toBe(appCount);
    const refreshRoles = count(appStacks, ['AWS::IAM::Role']);
    expect(refreshRoles).toBe(apps.length);
    const perApp = apps.reduce((sum, r) => sum + r.resources, 0);
    expect(perApp).toBe(spec.existing + 3 * spec.created + appCount + count(appStacks, ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']));
    expect(apps.length).toBeLessThanOrEqual(32);
    // The construct's own stack does not grow with the fleet, nor does the refresh function's resource policy.
    expect(main!.resources).toBeLessThan(60);
    expect(count(stacks.slice(0, 1), ['AWS::Lambda::Permission'])).toBe(3);
  });
});

test('a synth warns when the refresh rules pass the default event bus\'s 300 rules, naming the quota to raise; not below', () => {
  expect(fleet('65 apps').warnings).toEqual([]);
  expect(fleet('500 apps').warnings).toEqual([
    expect.stringMatching(/^refreshOnRotation puts 500 EventBridge rules on the default event bus, more than the 300 rules per event bus EventBridge allows in eu-central-1 by default .*request an increase of the Amazon EventBridge quota "Rules" in the Service Quotas console/),
  ]);
});

test('the shared stack and its policies are the same size for 65 and 500 apps', () => {
  const small = fleet('65 apps').reports[0]!;
  const large = fleet('500 apps').reports[0]!;
  expect(large.resources).toBe(small.resources);
  expect(large.largestPolicyChars).toBe(small.largestPolicyChars);
});

describe('the quota check finds what breaks a deploy, so "no violation" above means something', () => {
  const role = (policyChars: number): TemplateJson => ({
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } },
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'x'.repeat(policyChars) }] } },
      },
    },
  });

  test('a role whose inline policies exceed 10,240 characters, counting deploy-time ARNs at their longest', () => {
    expect(checkTemplate('S', role(10_000)).violations).toEqual([]);
    expect(checkTemplate('S', role(10_300)).violations).toEqual([expect.stringMatching(/inline policies of role Role together .* over the limit of 10240/)]);
    const joined: TemplateJson = role(0);
    (joined.Resources!.Policy!.Properties!.PolicyDocument as { Statement: { Resource: unknown }[] }).Statement[0]!.Resource = Array.from({ length: 120 }, () => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:hopae/apps/App0000000-??????']],
    }));
    expect(checkTemplate('S', joined).violations).toEqual([expect.stringMatching(/inline policies of role Role/)]);
  });

  test('a managed policy over 6,144 characters, over 500 resources, an event pattern over 2,048 characters, 6 targets', () => {
    const resources: TemplateJson['Resources'] = {
      Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: 'x'.repeat(6200) }] } } },
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: { detail: { SecretId: Array.from({ length: 25 }, (_, i) => `arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/App${i}-AbCdEf`) } },
          Targets: Array.from({ length: 6 }, (_, i) => ({ Id: `T${i}`, Arn: 'x', Input: i === 0 ? 'y'.repeat(QUOTAS.targetInputChars + 1) : '{}' })),
        },
      },
    };
    for (let i = 0; i < 499; i += 1) resources[`Q${i}`] = { Type: 'AWS::SQS::Queue' };
    const violations = checkTemplate('S', { Resources: resources }).violations;
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/resource count is 501/),
        expect.stringMatching(/managed policy Managed/),
        expect.stringMatching(/event pattern of rule Rule/),
        expect.stringMatching(/targets of rule Rule is 6/),
        expect.stringMatching(/Input of a target of rule Rule/),
      ]),
    );
  });

  test('a Lambda resource policy over 20 KB', () => {
    const resources: TemplateJson['Resources'] = {};
    for (let i = 0; i < 60; i += 1) {
      resources[`Permission${i}`] = {
        Type: 'AWS::Lambda::Permission',
        Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Principal: 'secretsmanager.amazonaws.com', SourceAccount: '123456789012', SourceArn: `arn:aws:secretsmanager:eu-central-1:123456789012:secret:app-${i}-??????` },
      };
    }
    expect(checkTemplate('S', { Resources: resources }).violations).toEqual([expect.stringMatching(/resource-based policy of function/)]);
  });
});
