/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // @middy/core is ESM-only: let swc turn it (and our TypeScript) into CommonJS for Jest.
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // Dynamic import() in nodenext TypeScript names '.js'; the source is '.ts'.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // dist/ holds built bundles that run as they are.
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)', '/dist/'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
  testTimeout: 30000,
  // Jest's default (cores - 1) is one worker on a 2-core machine: files ran one after another.
  // Two workers overlap the CDK files' CPU with the integration files' waits on moto_server.
  maxWorkers: 2,
};
