/**
 * The 5,000-app fleet against the deploy quotas (test/support/quotas.ts), and growth to it moving
 * no app. Too slow for `npm test` (about 20 s of synth): `npm run test:fleet`, run by .ci/run.
 */
import { checkAssembly } from '../support/quotas';
import { synthFleet } from '../support/fleet';

test('a fleet of 5,000 apps (4,000 existing, 1,000 created) breaks no quota in any stack', () => {
  const reports = checkAssembly(synthFleet({ existing: 4000, created: 1000 }).stacks);
  expect(reports.flatMap((r) => r.violations)).toEqual([]);
  expect(reports.slice(1).reduce((sum, r) => sum + r.resources, 0)).toBe(4000 + 3 * 1000);
  expect(Math.max(...reports.map((r) => r.resources))).toBeLessThanOrEqual(500);
});

