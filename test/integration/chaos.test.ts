/**
 * A small seeded run of the fault campaign: no schedule may lose a secret, fail to converge once
 * faults stop, rotate twice, or log a secret; and the checker itself catches a handler that does.
 * Three schedules here; `npm run test:chaos` (.ci/run) runs 50 from the same seed, `npm run chaos`
 * 1,000. Its options (`--help`, a mistyped option) are checked with the other scripts' in
 * test/tools/scripts.test.ts.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { runCampaign } from '../../local/chaos/campaign';
import { CHAOS_ENVIRONMENT } from '../../local/chaos/environment';
import { type LocalEnvironment, startLocalEnvironment } from '../../local/local-environment';
import type { RotationHandler } from '../../local/rotation-driver';
import { CHAOS_BASE_SEED, expectHostileAndClean } from '../support/chaos';

let local: LocalEnvironment;
let handler: RotationHandler;

beforeAll(async () => {
  local = await startLocalEnvironment(CHAOS_ENVIRONMENT, { proxy: true });
  handler = await local.loadHandler();
});
afterAll(async () => {
  await local.stop();
});

describe('fault campaign', () => {
  it(`holds every invariant over 3 schedules from seed ${CHAOS_BASE_SEED}`, async () => {
    const report = await runCampaign(local, handler, { schedules: 3, baseSeed: CHAOS_BASE_SEED });

    expectHostileAndClean(report, 3);
  }, 60_000);

  it('reports a handler that loses the secret Hopae issued, with its seed', async () => {
    // A broken createSecret: rotates at Hopae without an Idempotency-Key and stores nothing.
    const broken: RotationHandler = async (event, context) => {
      if (event.Step === 'createSecret') {
        const secret = await local.sm.send(new GetSecretValueCommand({ SecretId: event.SecretId, VersionStage: 'AWSCURRENT' }));
        const { clientId } = JSON.parse(secret.SecretString!) as { clientId: string };
        const response = await fetch(`${local.hopaeBaseUrl}/apps/${clientId}/rotate-client-secret`, { method: 'POST', headers: { Authorization: `Bearer ${local.apiKey}` } });
        await response.arrayBuffer();
        throw new Error('lost it');
      }
      return handler(event, context);
    };

    const report = await runCampaign(local, broken, { schedules: 1, baseSeed: CHAOS_BASE_SEED });

    expect(report.violations.map((v) => [v.seed, v.kind])).toContainEqual([CHAOS_BASE_SEED, 'secret-lost']);
    expect(report.violations.map((v) => v.kind)).toContain('not-converged');
  }, 60_000);

  it('reports a handler that logs the Basic credentials (base64 of clientId:clientSecret), not only exact secrets', async () => {
    const leaky: RotationHandler = async (event, context) => {
      const result = await handler(event, context);
      if (event.Step === 'testSecret') {
        const secret = await local.sm.send(new GetSecretValueCommand({ SecretId: event.SecretId, VersionStage: 'AWSCURRENT' }));
        const { clientId, clientSecret } = JSON.parse(secret.SecretString!) as { clientId: string; clientSecret?: string };
        if (clientSecret) process.stdout.write(`{"message":"calling Hopae","authorization":"Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}"}\n`);
      }
      return result;
    };

    const report = await runCampaign(local, leaky, { schedules: 1, baseSeed: CHAOS_BASE_SEED });

    expect(report.violations.map((v) => [v.seed, v.kind])).toContainEqual([CHAOS_BASE_SEED, 'secret-logged']);
  }, 60_000);
});
