'use strict';
/**
 * Jest's own order (files that failed last time first, then the slowest first, by the durations it
 * cached), except that files it has never timed, as in a fresh clone (CI), put the integration tests
 * first. Jest orders untimed files by size, and the slowest integration files are small:
 * chaos.test.ts (about 11 s) started last, 73 s into a cold run, and ran alone for its last 4 s.
 * CommonJS: Jest loads the sequencer with require, untransformed.
 */
const TestSequencer = require('@jest/test-sequencer').default;

const INTEGRATION = /[\\/]test[\\/]integration[\\/]/;

class IntegrationFirstWhenUntimed extends TestSequencer {
  sort(tests) {
    const sorted = super.sort(tests); // also sets test.duration from Jest's cache
    const rank = (test) => (this.hasFailed(test) ? 0 : test.duration != null ? 3 : INTEGRATION.test(test.path) ? 1 : 2);
    return sorted
      .map((test, index) => ({ test, index }))
      .sort((a, b) => rank(a.test) - rank(b.test) || a.index - b.index)
      .map(({ test }) => test);
  }
}

module.exports = IntegrationFirstWhenUntimed;
