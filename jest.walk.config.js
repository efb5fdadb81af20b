// `npm run test:walk`: the state-table walk over every row (test/walk/), which `npm test` leaves out
// for time (it walks a sample of the rows). Same transform and set-up as jest.config.js.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = { ...base, roots: ['<rootDir>/test/walk'], testPathIgnorePatterns: ['/node_modules/'], maxWorkers: 1 };
