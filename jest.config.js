/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Kept out of `npm test`, each run by its own script:
  // test/node24/ needs Node 24 runtime features (the built-in egress proxy): `npm run test:node24`;
  // test/jsii/ reads what `npm run build` (jsii) and `npm run package:python` made: `npm run test:jsii`;
  // test/continuity/: nine consumers calling without pause through 20 rotations: `npm run test:continuity`;
  // test/chaos/: the fault campaign's 50-schedule run (`npm test` runs 3 of them): `npm run test:chaos`;
  // test/walk/: the state-table walk over every row (`npm test` walks a sample): `npm run test:walk`;
  // test/tools/: the local tools and scripts as processes (npm start, playground, --help): `npm run test:tools`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/node24/', '<rootDir>/test/jsii/', '<rootDir>/test/continuity/', '<rootDir>/test/chaos/', '<rootDir>/test/walk/', '<rootDir>/test/tools/'],
  // @middy/core is ESM-only: let swc turn it (and our TypeScript) into CommonJS for Jest.
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // Dynamic import() in nodenext TypeScript names '.js'; the source is '.ts'.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // dist/ holds built bundles that run as they are.
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)', '/dist/'],
  // Stops at once, with one message, when integration tests would run without moto_server; then
  // gives the run a temporary directory (the synths' cdk.out*), removed at the end, and one
  // moto_server per worker for the integration files (test/support/moto-pool.ts), stopped at the end.
  globalSetup: '<rootDir>/test/support/require-moto.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/env.ts'],
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
  testTimeout: 30000,
  // Jest's default (cores - 1) is one worker on a 2-core machine: files ran one after another.
  // Two workers overlap the integration files' waits on moto_server and the stand-in with the CDK
  // files' CPU; more only add contention now that the suite is CPU-bound. Measured 2026-11-29 on 2
  // idle cores, `npm test` with the type-check alongside: 2 workers 111.5 s (206 CPU-s), 3 workers
  // 112.0 s (215), 4 workers 121.1 s and 128.7 s (235, 249); again with the moto_server pool (one per
  // worker: a third worker adds a third moto_server): 2 workers 79.7–87.8 s (142–155), 3 workers 99.5 s (188).
  maxWorkers: 2,
  // A fresh clone's run (no timings cached yet) starts with the integration files: test/support/test-sequencer.js.
  testSequencer: '<rootDir>/test/support/test-sequencer.js',
};
