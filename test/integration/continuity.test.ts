/**
 * Consumer continuity (issue: client helper): an application using the helper sees no failed call
 * while 20 rotations run back to back, where a plain cached reader of AWSCURRENT does.
 */
import { runContinuityScenario } from '../../local/continuity-scenario';
import { expectNoSecretsLogged, useIntegrationHarness } from '../support/integration-harness';

const h = useIntegrationHarness({ env: { POWERTOOLS_LOG_LEVEL: 'WARN' } });

describe('consumer continuity', () => {
  it('the helper sees 0 failed calls through 20 back-to-back rotations', async () => {
    const { arn, clientId } = await h.createApp();

    const report = await runContinuityScenario(
      { sm: h.sm, standIn: h.standIn, handler: h.handler, hopaeBaseUrl: process.env.HOPAE_API_BASE_URL!, secretArn: arn, clientId },
      { rotations: 20, cacheTtlMs: 60_000 },
    );

    const [helper, plainCached] = report.consumers;
    expect(report.failedRotations).toBe(0);
    expect(h.standIn.rotations(clientId)).toBe(20);
    expect(report.invalidationWindowsMs).toHaveLength(20);
    expect(report.invalidationWindowsMs.every((ms) => ms >= 0)).toBe(true);
    expect(helper!.calls).toBeGreaterThan(20);
    expect(helper!.failures).toBe(0);
    // For comparison: the old pair dies at the first rotation and stays cached.
    expect(plainCached!.failures).toBeGreaterThan(0);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('logged no secret', () => {
    expectNoSecretsLogged(h);
  });
});
