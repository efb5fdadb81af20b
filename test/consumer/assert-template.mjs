// Reads the scratch app's cloud assembly and checks what the construct synthesized: the function (its
// code asset byte-identical to the package's prebuilt bundle) and invoke permission in the app's stack,
// the rotation schedule in an app stack beside it.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [assemblyDir, stackName, expectedBundle] = process.argv.slice(2);
const template = JSON.parse(readFileSync(join(assemblyDir, `${stackName}.template.json`), 'utf8'));
const resources = Object.values(template.Resources);
const ofType = (type) => resources.filter((r) => r.Type === type);

const functions = ofType('AWS::Lambda::Function').filter((f) => f.Properties.Handler === 'index.handler');
assert.equal(functions.length, 1, 'one rotation function');
const fn = functions[0].Properties;
assert.equal(fn.Runtime, 'nodejs24.x');
assert.deepEqual(fn.Architectures, ['arm64']);
assert.equal(fn.Environment.Variables.HOPAE_API_BASE_URL, 'https://sandbox.api.hopae.com/connect/v1');

// The per-app resources sit in the app stacks beside the construct's stack (<stack>-<construct id>-AppsNN).
const appTemplates = readdirSync(assemblyDir)
  .filter((f) => f.startsWith(`${stackName}-`) && f.endsWith('.template.json'))
  .map((f) => JSON.parse(readFileSync(join(assemblyDir, f), 'utf8')));
assert.equal(appTemplates.length, 1, 'one app stack for one app');
const schedules = appTemplates.flatMap((t) => Object.values(t.Resources)).filter((r) => r.Type === 'AWS::SecretsManager::RotationSchedule');
assert.equal(schedules.length, 1, 'one rotation schedule');
assert.equal(ofType('AWS::SecretsManager::RotationSchedule').length, 0, 'no schedule in the construct\'s stack');
assert.equal(schedules[0].Properties.RotateImmediatelyOnUpdate, false);
const permissions = ofType('AWS::Lambda::Permission').filter((p) => p.Properties.Principal === 'secretsmanager.amazonaws.com');
assert.equal(permissions.length, 1, 'one invoke permission for Secrets Manager');

// The asset: find the S3 key of the function's code in the asset manifest, then its folder.
const objectKey = fn.Code.S3Key;
const manifestFile = readdirSync(assemblyDir).find((f) => f === `${stackName}.assets.json`);
const manifest = JSON.parse(readFileSync(join(assemblyDir, manifestFile), 'utf8'));
const asset = Object.values(manifest.files).find((a) => Object.values(a.destinations).some((d) => d.objectKey === objectKey));
assert.ok(asset, `asset for ${JSON.stringify(objectKey)}`);
const assetDir = join(assemblyDir, asset.source.path);
assert.deepEqual(readdirSync(assetDir), ['index.js']);
assert.ok(readFileSync(join(assetDir, 'index.js')).equals(readFileSync(expectedBundle)), 'asset is the prebuilt bundle, byte for byte');
console.log(`template: ok (function nodejs24.x arm64, schedule, permission; asset = ${expectedBundle})`);
