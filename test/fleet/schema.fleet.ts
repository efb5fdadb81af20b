/**
 * CDK's built-in CloudFormation schema check (`builtinCloudFormationValidation`, its errors failing
 * the synth) over the example stack's configurations that cdk-nag.test.ts checks, and the construct
 * in a VPC with a created endpoint, a proxy and tracing. Out of `npm test` for its cost (about 8.5 s
 * of CPU: the engine's start and a pass per template): `npm run test:fleet`, run by .ci/run, which
 * also runs it and cfn-lint over the example app at fleet scale.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { HopaeSecretRotation, SecretsManagerEndpoint } from '../../lib';
import { HopaeEnvironment } from '../../lib/environment';
import { HopaeSecretRotationStack } from '../../lib/example-stack';
import { ENV, EXAMPLE_VARIANTS } from '../cdk/example-variants';
import { REGION, WORKSPACE_KEY_ARN } from '../cdk/fixtures';
import { testAppProps } from '../support/test-app';

let outdir: string;
let app: App;
/** Set by each test as it ends: a failed test keeps its outdir, where CDK's message points to validation-report.json. */
let passed: boolean;

beforeEach(() => {
  outdir = mkdtempSync(join(tmpdir(), 'hopae-rotation-schema-'));
  app = new App(testAppProps({ outdir, schemaCheck: true }));
  passed = false;
});

afterEach(() => {
  if (passed) rmSync(outdir, { recursive: true, force: true });
  else process.stderr.write(`Kept ${outdir} (validation-report.json) for the failed test; delete it when done.\n`);
});

test.each(EXAMPLE_VARIANTS)('the example stack with %s synthesizes past the schema check', (_name, props) => {
  const stack = new HopaeSecretRotationStack(app, 'Example', props());

  const assembly = app.synth();

  // the construct's stack and its app stacks, each checked
  expect(assembly.getStackArtifact(stack.artifactId).template).toBeDefined();
  expect(assembly.stacks.length).toBeGreaterThan(1);
  passed = true;
});

test('the construct in a VPC with a created endpoint, a proxy and tracing synthesizes past the schema check', () => {
  const stack = new Stack(app, 'Governed', { env: ENV });
  new HopaeSecretRotation(stack, 'Rotation', {
    environment: HopaeEnvironment.PRODUCTION,
    workspaceKeySecret: Secret.fromSecretCompleteArn(stack, 'Key', WORKSPACE_KEY_ARN),
    clientIds: ['HqTRDIYH'],
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: [`${REGION}a`, `${REGION}b`],
      isolatedSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    }),
    secretsManagerEndpoint: SecretsManagerEndpoint.createInterfaceEndpoint({ privateDnsEnabled: false }),
    httpsProxy: 'http://10.0.0.10:3128',
    tracing: lambda.Tracing.ACTIVE,
  });

  expect(() => app.synth()).not.toThrow();
  passed = true;
});

test('a template CloudFormation would reject fails the synth, so the passes above mean something', () => {
  // GIVEN a stack with a property AWS::SNS::Topic does not have
  const bad = new Stack(app, 'BadSchema', { env: ENV });
  new CfnResource(bad, 'Topic', { type: 'AWS::SNS::Topic', properties: { NoSuchProperty: 'x' } });

  // WHEN synthesized / THEN it fails (the report it prints is silenced here)
  const silence = [jest.spyOn(console, 'error').mockImplementation(() => {}), jest.spyOn(console, 'log').mockImplementation(() => {})];
  try {
    expect(() => app.synth()).toThrow(/NoSuchProperty|Validation failed/);
  } finally {
    for (const spy of silence) spy.mockRestore();
  }
  passed = true;
});
