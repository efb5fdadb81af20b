import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { HopaeSecretRotation, SecretsManagerEndpoint } from '../../lib';
import { HopaeSecretRotationStack } from '../../lib/example-stack';
import { defaultContext, ENV, EXAMPLE_VARIANTS } from './example-variants';
import { asList, REGION, WORKSPACE_KEY_ARN, type PolicyStatementJson } from './fixtures';
import { HopaeEnvironment } from '../../lib/environment';
import { testAppProps } from '../support/test-app';

const ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/** Every `aws:cdk:acknowledged-rules` entry on any construct of the tree. */
function acknowledgementsInTree(root: IConstruct): unknown[] {
  return root.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === ACKNOWLEDGED).map((m) => ({ path: c.node.path, data: m.data })));
}

/** Every `aws:cdk:acknowledged-rules` entry the cloud assembly records for a stack. */
function acknowledgementsInAssembly(assembly: CloudAssembly, stack: Stack): unknown[] {
  return assembly.getStackArtifact(stack.artifactId).findMetadataByType(ACKNOWLEDGED);
}

function ruleNames(report: PolicyValidationPluginReport): string[] {
  return report.violations.map((v) => v.ruleName);
}

describe('AWS Solutions checks (cdk-nag)', () => {
  let outdir: string;
  let app: App;
  let pack: AwsSolutionsChecks;

  beforeEach(() => {
    // GIVEN an App with the AWS Solutions pack as a validation plugin, as bin/app.ts sets it up
    outdir = mkdtempSync(join(tmpdir(), 'hopae-rotation-nag-'));
    // Without CDK's CloudFormation schema check: it costs about 8.5 s of CPU here (its engine's start
    // and a pass per template), so `npm run test:fleet` runs it over the same variants
    // (test/fleet/schema.fleet.ts), and .ci/run over the example app at fleet scale.
    app = new App(testAppProps({ outdir }));
    pack = new AwsSolutionsChecks(app);
    Validations.of(app).addPlugins(pack);
  });

  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  test.each(EXAMPLE_VARIANTS)('finds nothing in the example stack with %s, and acknowledges only the fixed-size IAM wildcards, each with its reason', (_name, props) => {
    // WHEN the example stack (and its app stacks) is built and checked
    const stack = new HopaeSecretRotationStack(app, 'Example', props());
    const report = pack.validateScope(app);

    // THEN zero findings
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
    // and only three acknowledgements, on the two policies whose wildcards are the design (docs/fleet.md)
    const region = stack.resolve(stack.region) === stack.region ? stack.region : '<AWS::Region>';
    const account = stack.resolve(stack.account) === stack.account ? stack.account : '<AWS::AccountId>';
    const everySecret = `Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:*]`;
    const acknowledged = acknowledgementsInTree(app) as { path: string; data: Record<string, string> }[];
    expect(acknowledged.map((a) => [a.path, Object.keys(a.data)])).toEqual([
      ['Example/Rotation/RotateAttachedSecrets', [everySecret]],
      ['Example/Rotation/Monitoring/Audit/Role/DefaultPolicy', [everySecret]],
      ['Example/Rotation/Monitoring/Audit/Role/DefaultPolicy', ['Annotation::AwsSolutions-IAM5[Resource::*]']],
    ]);
    for (const reason of acknowledged.flatMap((a) => Object.values(a.data))) {
      expect(reason).toMatch(/secretsmanager:resource\/AllowRotationLambdaArn|no resource-level permissions/);
    }

    // WHEN synthesized with the plugin active (what `cdk synth` does)
    let assembly: CloudAssembly | undefined;
    expect(() => {
      assembly = app.synth();
    }).not.toThrow();

    // THEN the cloud assembly records the same acknowledgements, and no template carries cdk_nag suppressions
    expect(acknowledgementsInAssembly(assembly!, stack)).toHaveLength(3);
    const template = assembly!.getStackArtifact(stack.artifactId).template as { Resources: Record<string, { Metadata?: Record<string, unknown> }> };
    expect(Object.keys(template.Resources).length).toBeGreaterThan(10);
    for (const artifact of assembly!.stacks) {
      for (const resource of Object.values((artifact.template as typeof template).Resources)) expect(resource.Metadata?.cdk_nag).toBeUndefined();
    }
    expect(assembly!.stacks.length).toBeGreaterThan(1);
  });

  test('in a VPC with tracing: no finding; the wildcards AWS documents for network interfaces and X-Ray are acknowledged, each with its reason', () => {
    // GIVEN isolated subnets, a created endpoint, a proxy and active tracing
    const stack = new Stack(app, 'Governed', { env: ENV });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: [`${REGION}a`, `${REGION}b`],
      isolatedSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    });
    const rotation = new HopaeSecretRotation(stack, 'Rotation', {
      environment: HopaeEnvironment.PRODUCTION,
      workspaceKeySecret: Secret.fromSecretCompleteArn(stack, 'Key', WORKSPACE_KEY_ARN),
      clientIds: ['HqTRDIYH'],
      vpc,
      secretsManagerEndpoint: SecretsManagerEndpoint.createInterfaceEndpoint(),
      httpsProxy: 'http://10.0.0.10:3128',
      tracing: lambda.Tracing.ACTIVE,
    });

    // WHEN checked
    const report = pack.validateScope(app);

    // THEN no finding
    expect(report.violations).toEqual([]);
    // and `*` acknowledged on each function's role policy with the network-interface and X-Ray reasons
    const placement = (acknowledgementsInTree(app) as { path: string; data: Record<string, string> }[]).filter((a) =>
      Object.values(a.data).some((reason) => reason.includes('AWSLambdaVPCAccessExecutionRole')),
    );
    expect(placement.map((a) => a.path).sort()).toEqual(['Governed/Rotation/Monitoring/Audit/Role/DefaultPolicy', 'Governed/Rotation/Role/DefaultPolicy']);
    for (const { data } of placement) {
      expect(data).toEqual({ 'Annotation::AwsSolutions-IAM5[Resource::*]': expect.stringMatching(/ec2:DescribeNetworkInterfaces works only on \*.*X-Ray has no resource-level permissions/) });
    }
    // and the `*` statements hold only EC2's network-interface actions (DescribeNetworkInterfaces works
    // only on *, Lambda developer guide), X-Ray's, which take no resource, and the audit's ListSecrets
    const wildcardActions = stack.node
      .findAll()
      .filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)
      .flatMap((policy) => (stack.resolve(policy.policyDocument) as { Statement: PolicyStatementJson[] }).Statement)
      .filter((st) => st.Resource === '*')
      .flatMap((st) => asList(st.Action));
    expect(new Set(wildcardActions)).toEqual(
      new Set([
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'secretsmanager:ListSecrets',
      ]),
    );
    expect(rotation.rotationFunction.isBoundToVpc).toBe(true);
  });

  test('reports findings when a stack breaks the rules, so zero findings above means something', () => {
    // GIVEN the example stack plus a stack with a topic open to plain http and a wildcard IAM policy
    new HopaeSecretRotationStack(app, 'Example', defaultContext());
    const bad = new Stack(app, 'Bad', { env: ENV });
    new sns.Topic(bad, 'PlainTopic');
    const role = new iam.Role(bad, 'WideRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));

    // WHEN checked
    const report = pack.validateScope(app);

    // THEN the pack reports them, and only in the bad stack
    expect(report.success).toBe(false);
    expect(ruleNames(report)).toEqual(expect.arrayContaining(['AwsSolutions-SNS3', 'AwsSolutions-IAM5[Resource::*]']));
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) expect(resource.constructPath).toMatch(/^Bad\//);
    }

    // and synthesis fails, as `cdk synth` would (the report it prints is silenced here)
    const silence = [jest.spyOn(console, 'error').mockImplementation(() => {}), jest.spyOn(console, 'log').mockImplementation(() => {})];
    try {
      // (Under Jest the error carries the report itself; from a terminal it says "Validation failed".)
      expect(() => app.synth()).toThrow(/AwsSolutions-SNS3[\s\S]*AwsSolutions-IAM5|Validation failed/);
    } finally {
      for (const spy of silence) spy.mockRestore();
    }
  });

  test('detects an acknowledgement, so "none acknowledged" above means something', () => {
    // GIVEN a stack that acknowledges its findings instead of fixing them
    const bad = new Stack(app, 'Acknowledging', { env: ENV });
    const topic = new sns.Topic(bad, 'PlainTopic');
    Validations.of(topic).acknowledge({ id: 'AwsSolutions-SNS3', reason: 'test' });

    // WHEN checked and synthesized
    const report = pack.validateScope(app);
    const assembly = app.synth();

    // THEN the pack is silenced, but the helpers used above see the acknowledgements
    expect(report.success).toBe(true);
    expect(acknowledgementsInTree(app)).toHaveLength(1);
    expect(acknowledgementsInAssembly(assembly, bad)).toHaveLength(1);
  });
});
