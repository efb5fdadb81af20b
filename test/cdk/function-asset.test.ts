import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot, rotationFunctionAssetDirectory, rotationFunctionCode } from '../../lib/function-asset';

describe('the prebuilt function asset', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'hopae-asset-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  test('is found from the package root, as from the source tree so from dist/lib of an installed package', () => {
    // GIVEN an installed package's layout: node_modules/hopae-secret-rotation/{package.json,dist/lib}
    const installed = join(scratch, 'node_modules', 'hopae-secret-rotation');
    mkdirSync(join(installed, 'dist', 'lib'), { recursive: true });
    writeFileSync(join(installed, 'package.json'), JSON.stringify({ name: 'hopae-secret-rotation' }));
    // and the consumer app's own package.json above it, which must not be taken for ours
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer-app' }));

    // WHEN / THEN
    expect(packageRoot(join(installed, 'dist', 'lib'))).toBe(installed);
    expect(rotationFunctionAssetDirectory()).toBe(join(packageRoot(), 'dist', 'function'));
  });

  test('outside the package, says so', () => {
    // GIVEN a folder with no package.json of ours above it
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'other' }));

    // WHEN / THEN
    expect(() => packageRoot(scratch)).toThrow(/no package.json named hopae-secret-rotation above/);
  });

  test('a missing bundle fails the synth with the command that builds it', () => {
    // GIVEN an asset folder without index.js
    // WHEN / THEN
    expect(() => rotationFunctionCode(scratch)).toThrow(
      new RegExp(`the prebuilt rotation function ${join(scratch, 'index.js')} is missing\\. In a clone of the repository run \`npm run build\``),
    );
  });
});
