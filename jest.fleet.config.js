/**
 * `npm run test:fleet`: the slow deploy-time checks (.ci/run runs them), with the unit tests' transform:
 * the 5,000-app fleet against the quotas, and CDK's CloudFormation schema check over the example
 * stack's variants. The script runs Jest under V8's `--liftoff-only` (WebAssembly compiled by the
 * baseline compiler only): the schema check is a WebAssembly engine started once and used briefly,
 * whose optimizing recompilation cost more than it saved (18.0 → 12.5 CPU-s, measured when it ran in
 * cdk-nag.test.ts). JavaScript is unaffected; Jest's workers inherit the flag.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/test/fleet/**/*.fleet.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 300_000,
  maxWorkers: 2,
};
