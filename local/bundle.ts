/**
 * What `cdk deploy` would upload for the function: the code asset of a synthesized stack. A test
 * proves it is byte-identical to the built bundle (local/built-function.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { ArtifactType, type AssetManifest, type AssetManifestProperties } from 'aws-cdk-lib/cloud-assembly-schema';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { HopaeSecretRotation } from '../lib';
import { HopaeEnvironment } from '../lib/environment';

export interface BundledFunction {
  /** Temporary cloud assembly directory; remove it when done. */
  readonly outdir: string;
  /** The function's code asset directory in the cloud assembly (holds index.js). */
  readonly codeDirectory: string;
}

/** Synthesizes a stack with the construct and returns the directory of its function's code asset: what `cdk deploy` uploads. */
export function synthesizeRotationFunction(): BundledFunction {
  const outdir = mkdtempSync(join(tmpdir(), 'hopae-rotation-cdk-'));
  // Only the asset matters here; the schema check runs in test/fleet/schema.fleet.ts (`npm run test:fleet`).
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'BundleStack', { env: { account: '123456789012', region: 'eu-central-1' } });
  new HopaeSecretRotation(stack, 'Rotation', {
    environment: HopaeEnvironment.SANDBOX,
    workspaceKeySecret: Secret.fromSecretCompleteArn(stack, 'WorkspaceKey', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/workspace-key-AbCdEf'),
    appSecrets: [Secret.fromSecretCompleteArn(stack, 'App', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/first-Gh1jKl')],
  });
  const assembly = app.synth();
  const artifact = assembly.getStackArtifact(stack.artifactId);
  return { outdir, codeDirectory: functionCodeDirectory(assembly.directory, artifact.dependencies, artifact.template) };
}

interface ArtifactLike {
  readonly manifest: { readonly type: string; readonly properties?: unknown };
}
interface TemplateLike {
  readonly Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: unknown } } }>;
}

/**
 * The asset directory the stack's Lambda functions ship (the rotation and the audit: one asset,
 * deduplicated by hash), found through the stack's asset manifest.
 */
function functionCodeDirectory(assemblyDirectory: string, dependencies: ArtifactLike[], template: TemplateLike): string {
  const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  const objectKeys = new Set(functions.map((f) => JSON.stringify(f.Properties.Code?.S3Key)));
  if (functions.length === 0 || objectKeys.size !== 1) {
    throw new Error(`expected the Lambda functions to ship one code asset; found ${functions.length} functions with ${objectKeys.size} assets`);
  }
  const objectKey = functions[0]?.Properties.Code?.S3Key;

  const manifestArtifact = dependencies.find((d) => d.manifest.type === ArtifactType.ASSET_MANIFEST);
  if (!manifestArtifact) throw new Error('the stack has no asset manifest');
  const { file } = manifestArtifact.manifest.properties as AssetManifestProperties;
  const manifest = JSON.parse(readFileSync(join(assemblyDirectory, file), 'utf8')) as AssetManifest;
  const codeAsset = Object.values(manifest.files ?? {}).find((asset) =>
    Object.values(asset.destinations).some((destination) => destination.objectKey === objectKey),
  );
  if (!codeAsset?.source.path) throw new Error(`no file asset is published as ${String(objectKey)}`);
  if (codeAsset.source.packaging !== 'zip') throw new Error(`code asset is packaged as ${codeAsset.source.packaging}, not zip`);
  return join(assemblyDirectory, codeAsset.source.path);
}
