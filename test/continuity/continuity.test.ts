/**
 * Consumer continuity (issue 15): through 20 back-to-back rotations both helpers, the TypeScript
 * one in this process and the Python one in a real Python process, fail no call, while every plain
 * reader of AWSCURRENT does; refreshOnRotation restarts the env-injected consumer after each
 * rotation. Runs in its own step (`npm run test:continuity`, .ci/run), not in `npm test`: about 30 s
 * of nine consumers calling without pause.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { loadBuiltRefreshHandler } from '../../local/built-function';
import { runContinuityScenario } from '../../local/continuity/scenario';
import { expectNoSecretsLogged, useIntegrationHarness } from '../support/integration-harness';

const h = useIntegrationHarness({ env: { POWERTOOLS_LOG_LEVEL: 'WARN' } });

describe('consumer continuity', () => {
  it('both helpers fail 0 calls through 20 back-to-back rotations; plain readers do fail', async () => {
    const { arn, clientId } = await h.createApp();
    const moto = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER!;
    process.env.AWS_ENDPOINT_URL_ECS = moto;

    const report = await runContinuityScenario(
      {
        sm: h.sm,
        ecs: new ECSClient({ endpoint: moto }),
        standIn: h.standIn,
        handler: h.handler,
        refreshHandler: loadBuiltRefreshHandler(),
        hopaeBaseUrl: process.env.HOPAE_API_BASE_URL!,
        secretArn: arn,
        clientId,
      },
      { rotations: 20 },
    );

    const byName = (part: string) => report.consumers.find((c) => c.consumer.startsWith(part))!;
    expect(report.failedRotations).toBe(0);
    expect(h.standIn.rotations(clientId)).toBe(20);
    expect(report.invalidationWindowsMs).toHaveLength(20);
    for (const helper of [byName('TypeScript helper'), byName('Python helper')]) {
      expect(helper.calls).toBeGreaterThan(20);
      expect(helper.failures).toBe(0);
    }
    // For comparison: a cache without a re-read keeps the dead pair; a re-read on 401 recovers each time.
    expect(byName('AWSCURRENT cached 60 s, no re-read')).toMatchObject({ lockedOutAtEnd: true });
    expect(byName('AWSCURRENT cached 60 s, no re-read').failures).toBeGreaterThan(0);
    expect(byName('AWSCURRENT cached 300 s, re-read on 401')).toMatchObject({ lockedOutAtEnd: false });
    // The env-injected consumer fails until its restart, and each rotation's refresh restarts it.
    const injected = byName('env-injected');
    expect(report.failedRefreshes).toBe(0);
    expect(report.restarts).toBeGreaterThan(0);
    expect(injected.failures).toBeGreaterThan(0);
    expect(injected.lockedOutAtEnd).toBe(false);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('logged no secret', () => {
    expectNoSecretsLogged(h);
  });
});
