import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

const PACKAGE_NAME = 'hopae-secret-rotation';

/**
 * The package's root: the nearest folder above this file whose package.json is this package's. The
 * same answer from the TypeScript source (lib/) and from the compiled package (dist/lib/).
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`${PACKAGE_NAME}: no package.json named ${PACKAGE_NAME} above ${from}`);
  }
}

/** Folder of the prebuilt rotation function (its `index.js`), built once by `npm run build` and shipped in the package. */
export function rotationFunctionAssetDirectory(): string {
  return join(packageRoot(), 'dist', 'function');
}

/**
 * The function's code: the prebuilt bundle as it is, so the bytes deployed are the bytes tested,
 * and a consumer's app needs no esbuild, Docker or lock file.
 */
export function rotationFunctionCode(directory: string = rotationFunctionAssetDirectory()): lambda.Code {
  if (!existsSync(join(directory, 'index.js'))) {
    throw new Error(
      `${PACKAGE_NAME}: the prebuilt rotation function ${join(directory, 'index.js')} is missing. ` +
        'In a clone of the repository run `npm run build` (npm ci does it); an installed package ships it, so reinstall the package.',
    );
  }
  return lambda.Code.fromAsset(directory);
}
