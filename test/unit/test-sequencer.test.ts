/** The order Jest runs test files in (test/support/test-sequencer.js). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const IntegrationFirstWhenUntimed = require('../support/test-sequencer.js') as new (options: object) => Sequencer;

interface FakeTest {
  path: string;
  duration?: number;
  context: { config: { cache: boolean; cacheDirectory: string; id: string; rootDir: string; haste: object }; hasteFS: { getSize(path: string): number } };
}
interface Sequencer {
  sort(tests: FakeTest[]): FakeTest[];
  cacheResults(tests: FakeTest[], results: { testResults: object[] }): void;
}

let cacheDirectory: string;
beforeEach(() => {
  cacheDirectory = mkdtempSync(join(tmpdir(), 'sequencer-'));
});
afterEach(() => rmSync(cacheDirectory, { recursive: true, force: true }));

/** Test files of the given sizes (bytes), in one context whose timings live in `cacheDirectory`. */
function files(sizes: Record<string, number>): FakeTest[] {
  const context = { config: { cache: true, cacheDirectory, id: 'unit', rootDir: '/repo', haste: {} }, hasteFS: { getSize: (path: string) => sizes[path] ?? 0 } };
  return Object.keys(sizes).map((path) => ({ path, context }));
}

const SIZES = {
  '/repo/test/unit/big.test.ts': 9000,
  '/repo/test/integration/chaos.test.ts': 3000,
  '/repo/test/cdk/template.test.ts': 7000,
  '/repo/test/integration/cli.test.ts': 8000,
};

it('puts the integration files first, each group by size, when Jest has timed nothing (a fresh clone)', () => {
  const order = new IntegrationFirstWhenUntimed({}).sort(files(SIZES)).map((t) => t.path);

  expect(order).toEqual(['/repo/test/integration/cli.test.ts', '/repo/test/integration/chaos.test.ts', '/repo/test/unit/big.test.ts', '/repo/test/cdk/template.test.ts']);
});

it("keeps Jest's order once it has timings: failed first, then the slowest first", () => {
  const tests = files(SIZES);
  const result = (path: string, runtime: number, failing = 0) => ({ testFilePath: path, numFailingTests: failing, perfStats: { runtime, start: 0, end: runtime } });
  new IntegrationFirstWhenUntimed({}).cacheResults(tests, {
    testResults: [
      result('/repo/test/unit/big.test.ts', 100),
      result('/repo/test/integration/chaos.test.ts', 11_000),
      result('/repo/test/cdk/template.test.ts', 4_000, 1),
      result('/repo/test/integration/cli.test.ts', 16_000),
    ],
  });

  const order = new IntegrationFirstWhenUntimed({}).sort(files(SIZES)).map((t) => t.path);

  expect(order).toEqual(['/repo/test/cdk/template.test.ts', '/repo/test/integration/cli.test.ts', '/repo/test/integration/chaos.test.ts', '/repo/test/unit/big.test.ts']);
});
