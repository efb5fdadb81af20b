/** Shared by the fault campaign's run in `npm test` (test/integration/chaos.test.ts) and its longer run (test/chaos/). */
import type { CampaignReport } from '../../local/chaos/campaign';

export const CHAOS_BASE_SEED = 20261126;

/** No violation, every schedule run, and the schedules really were hostile: Hopae and Secrets Manager faults hit, attempts failed. */
export function expectHostileAndClean(report: CampaignReport, schedules: number): void {
  expect(report.violations).toEqual([]);
  expect(report.stats.schedules).toBe(schedules);
  expect(report.stats.failedAttempts).toBeGreaterThan(0);
  expect(report.stats.hopaeFaultsHit).toBeGreaterThan(10);
  expect(report.stats.smFaultsInjected).toBeGreaterThan(0);
}
