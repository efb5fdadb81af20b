import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { synthesizeRotationFunction } from '../../local/bundle';
import { builtFunctionPath } from '../../local/built-function';

// The prebuilt function (dist/function/index.js, written by `npm run build`) is what the construct
// ships: the AWS SDK inside, nothing left to the Lambda runtime, and byte for byte the file the tests run.
describe('HopaeSecretRotation bundle', () => {
  let outdir: string;
  let built: Buffer;
  let bundle: string;
  let asset: Buffer;
  let assetDirectory: string;

  beforeAll(() => {
    // GIVEN the built bundle, and a stack synthesized with the construct
    built = readFileSync(builtFunctionPath());
    bundle = built.toString('utf8');
    const synthesized = synthesizeRotationFunction();
    outdir = synthesized.outdir;
    assetDirectory = synthesized.codeDirectory;
    asset = readFileSync(join(assetDirectory, 'index.js'));
  });

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('the synthesized asset is the built bundle, byte for byte', () => {
    // THEN the bytes cdk deploy uploads are the bytes the integration tests ran
    expect(asset.equals(built)).toBe(true);
  });

  test('the asset holds the bundle only', () => {
    // THEN no source map or other file from dist/ travels to Lambda
    expect(readdirSync(assetDirectory)).toEqual(['index.js']);
  });

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
