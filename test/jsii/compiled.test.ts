/**
 * The construct as jsii compiled it (dist/lib/: what the npm package and the Python wheel's tarball
 * ship, byte for byte), loaded as plain JavaScript and synthesized. The jsii runtime that Python
 * drives (@jsii/runtime) cannot be installed here: the @jsii/kernel it needs is not on this
 * machine's npm registry. Run by `npm run test:jsii`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type * as Source from '../../lib';

const root = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled package, not the sources
const compiled = require(join(root, 'dist', 'lib')) as typeof Source;
const outdir = mkdtempSync(join(tmpdir(), 'hopae-jsii-compiled-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('the jsii-compiled construct synthesizes, in a VPC behind a proxy, with the prebuilt function as its asset', () => {
  // GIVEN an app (with asset staging, as a real synth does) and the compiled construct
  const app = new App({ outdir });
  const stack = new Stack(app, 'Compiled', { env: { account: '123456789012', region: 'eu-central-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });

  // WHEN
  const rotation = new compiled.HopaeSecretRotation(stack, 'Rotation', {
    environment: compiled.HopaeEnvironment.PRODUCTION,
    workspaceKeySecret: Secret.fromSecretNameV2(stack, 'Key', 'hopae/workspace-key'),
    clientIds: ['HqTRDIYH'],
    vpc,
    secretsManagerEndpoint: compiled.SecretsManagerEndpoint.createInterfaceEndpoint(),
    httpsProxy: 'http://10.0.0.10:3128',
  });
  const assembly = app.synth();

  // THEN the functions run the built bundle, in the VPC, behind the proxy
  const template = Template.fromStack(stack);
  const functions = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(2);
  expect(functions.map((fn) => fn.Properties.Environment.Variables.HOPAE_API_BASE_URL)).toContain('https://api.hopae.com/connect/v1');
  for (const fn of functions) {
    expect(fn.Properties.Environment.Variables.HTTPS_PROXY).toBe('http://10.0.0.10:3128');
    expect(fn.Properties.VpcConfig.SubnetIds).toHaveLength(2);
  }
  // the staged asset (cdk.out/asset.<hash>/) that CDK uploads as <hash>.zip
  const s3Key = functions[0]!.Properties.Code.S3Key as string;
  const staged = readFileSync(join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.js'));
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  expect(sha(staged)).toBe(sha(readFileSync(join(root, 'dist', 'function', 'index.js'))));
  expect(rotation.apiBaseUrl).toBe('https://api.hopae.com/connect/v1');
});

test('the compiled package refuses bad props with the same error, for JavaScript callers too', () => {
  const stack = new Stack(new App(), 'Refused');
  expect(
    () =>
      new compiled.HopaeSecretRotation(stack, 'Rotation', {
        environment: 'staging' as never,
        workspaceKeySecret: Secret.fromSecretNameV2(stack, 'Key', 'hopae/workspace-key'),
        clientIds: ['HqTRDIYH'],
      }),
  ).toThrow(new compiled.HopaeSecretRotationPropsError('environment', "must be 'sandbox' or 'production'; got 'staging'"));
});
