// `npm run test:tools`: the local tools and the repository's scripts as processes of their own
// (test/tools/: `npm start`, `npm run playground`, every script's --help and option refusal, the
// moto_server launcher's port race and parent-death signal), which `npm test` leaves out for time:
// each test starts node, tsx or moto_server processes. Same transform and set-up as jest.config.js, but
// no moto_server pool: these tests start moto_server their own way.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = { ...base, roots: ['<rootDir>/test/tools'], testPathIgnorePatterns: ['/node_modules/'], maxWorkers: 2, globals: { hopaeMotoPool: false } };
