/**
 * The fault campaign's longer seeded run, `npm run test:chaos` (.ci/run runs it): 50 schedules
 * from the seed whose first 3 `npm test` runs (test/integration/chaos.test.ts). About 2 minutes
 * on 2 shared cores (40 s of CPU), most of it waiting on injected delays; `npm run chaos` runs 1,000.
 */
import { runCampaign } from '../../local/chaos/campaign';
import { CHAOS_ENVIRONMENT } from '../../local/chaos/environment';
import { type LocalEnvironment, startLocalEnvironment } from '../../local/local-environment';
import { CHAOS_BASE_SEED, expectHostileAndClean } from '../support/chaos';

const SCHEDULES = 50;
let local: LocalEnvironment;

beforeAll(async () => {
  local = await startLocalEnvironment(CHAOS_ENVIRONMENT, { proxy: true });
});
afterAll(async () => {
  await local.stop();
});

it(`holds every invariant over ${SCHEDULES} schedules from seed ${CHAOS_BASE_SEED}`, async () => {
  const report = await runCampaign(local, await local.loadHandler(), { schedules: SCHEDULES, baseSeed: CHAOS_BASE_SEED });

  expectHostileAndClean(report, SCHEDULES);
  // Over this many schedules, Lambda deadlines cut invocations short too.
  expect(report.stats.lambdaTimeouts).toBeGreaterThan(0);
}, 600_000);
