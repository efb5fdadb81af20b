// `npm run test:chaos`: the fault campaign's longer seeded run (test/chaos/), which `npm test`
// leaves out for time (it runs 3 schedules of it). Same transform and set-up as jest.config.js, but
// no moto_server pool: the campaign starts its own (local/local-environment.ts).
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = { ...base, roots: ['<rootDir>/test/chaos'], testPathIgnorePatterns: ['/node_modules/'], maxWorkers: 1, globals: { hopaeMotoPool: false } };
