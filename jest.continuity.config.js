// `npm run test:continuity`: the consumer-continuity test alone (test/continuity/), which `npm test`
// leaves out for time. Same transform and set-up as jest.config.js.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = { ...base, roots: ['<rootDir>/test/continuity'], testPathIgnorePatterns: ['/node_modules/'], maxWorkers: 1, testTimeout: 180_000 };
