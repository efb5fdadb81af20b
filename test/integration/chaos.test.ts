/**
 * A small seeded run of the fault campaign (`npm run chaos` runs 1,000 schedules): no schedule
 * may lose a secret, fail to converge once faults stop, rotate twice, or log a secret.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { runCampaign } from '../../local/chaos/campaign';
import { CHAOS_ENVIRONMENT } from '../../local/chaos/environment';
import { type LocalEnvironment, startLocalEnvironment } from '../../local/local-environment';
import type { RotationHandler } from '../../local/rotation-driver';

const BASE_SEED = 20261126;
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
  it(`holds every invariant over 12 schedules from seed ${BASE_SEED}`, async () => {
    const report = await runCampaign(local, handler, { schedules: 12, baseSeed: BASE_SEED });

    expect(report.violations).toEqual([]);
    expect(report.stats.schedules).toBe(12);
    // The schedules really were hostile.
    expect(report.stats.failedAttempts).toBeGreaterThan(0);
    expect(report.stats.hopaeFaultsHit).toBeGreaterThan(10);
    expect(report.stats.smFaultsInjected).toBeGreaterThan(0);
  }, 120_000);

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

    const report = await runCampaign(local, broken, { schedules: 1, baseSeed: BASE_SEED });

    expect(report.violations.map((v) => [v.seed, v.kind])).toContainEqual([BASE_SEED, 'secret-lost']);
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

    const report = await runCampaign(local, leaky, { schedules: 1, baseSeed: BASE_SEED });

    expect(report.violations.map((v) => [v.seed, v.kind])).toContainEqual([BASE_SEED, 'secret-logged']);
  }, 60_000);
});

describe('npm run chaos options', () => {
  const chaos = (...args: string[]) =>
    spawnSync(process.execPath, [join(__dirname, '../../node_modules/tsx/dist/cli.mjs'), join(__dirname, '../../scripts/chaos.ts'), ...args], { encoding: 'utf8', timeout: 60_000 });

  it('--help prints the options and exits 0 without starting a campaign', () => {
    const run = chaos('--help');

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run chaos -- \[options\]/);
    expect(run.stdout).toContain('--replay S');
    expect(run.stdout).not.toContain('Fault campaign:');
  });

  it('refuses an unknown option with the usage, exit 2', () => {
    const run = chaos('--schedule', '5');

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^chaos: unknown option --schedule; did you mean --schedules\?\n\nUsage:/);
    expect(run.stdout).not.toContain('Fault campaign:');
  });
});
