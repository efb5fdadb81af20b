import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleRotationFunction } from '../../local/bundle';

// The one test that really runs esbuild (the others skip bundling): the AWS SDK must be inside the
// bundle, not left to the Lambda runtime, so production runs the SDK version the tests ran.
describe('HopaeSecretRotation bundle', () => {
  let outdir: string;
  let bundle: string;

  beforeAll(() => {
    // GIVEN an App that bundles (no 'aws:cdk:bundling-stacks' override)
    // WHEN synthesized, the asset manifest tells where the bundled code went
    const bundled = bundleRotationFunction();
    outdir = bundled.outdir;
    bundle = readFileSync(join(bundled.codeDirectory, 'index.js'), 'utf8');
  });

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('contains the Secrets Manager client', () => {
    // THEN the client's endpoint rules and the commands the rotation uses are compiled in
    expect(bundle).toContain('https://secretsmanager.{Region}.amazonaws.com');
    for (const operation of ['GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage', 'DescribeSecret']) {
      expect(bundle).toContain(operation);
    }
  });

  test('contains middy although it is ESM-only', () => {
    // THEN middy's own error metadata is in the CommonJS bundle
    expect(bundle).toContain('package:"@middy/core"');
    expect(bundle.startsWith('"use strict"')).toBe(true);
  });

  test('requires nothing but Node built-ins and the optional CRT signer', () => {
    // THEN no package is left external. The SDK asks for @aws-sdk/signature-v4-crt inside a
    // try/catch (only SigV4a needs it); esbuild keeps such an unresolvable optional require as is.
    const required = new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    const packages = [...required].filter((name) => !name.startsWith('node:'));
    expect(packages).toEqual(['@aws-sdk/signature-v4-crt']);
    expect(required.size).toBeGreaterThan(1);
  });

  test('is minified and has no source map', () => {
    // THEN minified code has very long lines (readable code averages well under 100 characters)
    const averageLineLength = bundle.length / bundle.split('\n').length;
    expect(averageLineLength).toBeGreaterThan(1000);
    expect(bundle).not.toContain('sourceMappingURL');
  });
});
