/**
 * The rotation function exactly as it ships: the bundle `npm run build` wrote to dist/function/,
 * which the construct deploys. `npm start`, the integration tests, the fault campaign and the bench
 * run this file, not the TypeScript sources, so what they prove holds for the deployed bytes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { rotationFunctionAssetDirectory } from '../lib/function-asset';
import type { RotationHandler } from './rotation-driver';

export function builtFunctionPath(): string {
  const path = join(rotationFunctionAssetDirectory(), 'index.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first (npm ci and npm test run it)`);
  return path;
}

/** Loads the built bundle into this process (once per process or Jest test file, like one Lambda container). */
export function loadBuiltHandler(): RotationHandler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS bundle picked at run time
  return (require(builtFunctionPath()) as { handler: RotationHandler }).handler;
}

/** The rotation audit's handler from the same built bundle (`index.auditHandler`, as the construct deploys it). */
export function loadBuiltAuditHandler(): (event: unknown, context: import('aws-lambda').Context) => Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS bundle picked at run time
  return (require(builtFunctionPath()) as { auditHandler: (event: unknown, context: import('aws-lambda').Context) => Promise<unknown> }).auditHandler;
}

/** The service refresh's handler from the same built bundle (`index.refreshHandler`, as the construct deploys it). */
export function loadBuiltRefreshHandler(): (event: unknown, context: import('aws-lambda').Context) => Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS bundle picked at run time
  return (require(builtFunctionPath()) as { refreshHandler: (event: unknown, context: import('aws-lambda').Context) => Promise<unknown> }).refreshHandler;
}
