/** `npm run test:fleet`: the slow fleet-scale checks (.ci/run runs them), with the unit tests' transform. */
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
