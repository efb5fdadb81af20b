/**
 * The state-table walk in `npm test`: following the advice `recover` prints never loops, and ends
 * healthy or at one named human action (test/support/state-walk.ts), for a sample of the state
 * table's rows: the loop (a definite refusal), multi-step advice run mechanically, a human
 * end, and a refusal. `npm run test:walk` (.ci/run) walks every row; cli-recover.test.ts has a test
 * per row of what recover says and does.
 *
 * Also here: the two faults that made loops and hasty repairs (issue 17, items 3 and 4): a definite
 * refusal read as "Hopae probably rotated", and `recover --yes` acting on a rotation still in flight.
 */
import { CreateSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { StateId } from '../../cli/rotation-state';
import { outcomes } from '../support/integration-harness';
import { ALL_STATES, useStateWalk } from '../support/state-walk';

const w = useStateWalk();
const { h, c } = w;

const SAMPLE: StateId[] = ['pending-empty-refused', 'pending-empty-replayable', 'current-rejected-none-accepted', 'current-malformed', 'function-not-ours'];

describe('the state-table walk: following the advice never loops, and ends healthy or at one named human action', () => {
  it('the complete walk (npm run test:walk) has a row for every state, and this sample is among them', () => {
    expect(w.rows.map(([state]) => state).sort()).toEqual([...ALL_STATES].sort());
    expect(ALL_STATES).toEqual(expect.arrayContaining(SAMPLE));
  });

  it.each(w.rows.filter(([state]) => SAMPLE.includes(state)))('%s', async (...row) => {
    await w.expectWalk(row);
  });
});

describe('a definite refusal is named as one, and its advice ends', () => {
  it('a first rotation Hopae answers 404: recover says nothing was committed, removes the empty version, and names the fix', async () => {
    const created = await h.sm.send(new CreateSecretCommand({ Name: 'hopae/apps/Unknown2', SecretString: JSON.stringify({ clientId: 'Unknown2' }) }));
    const arn = created.ARN!;
    await c.attach(arn, w.functionArn());
    await c.cli(['rotate', arn, '--wait', '--timeout', '20']);

    const recovered = await c.cli(['recover', arn, '--yes']);
    const doctor = await c.cli(['doctor', arn]);

    expect(recovered.stdout).toMatch(/its createSecret failed without Hopae committing anything \(HOPAE_REJECTED: Hopae refused .*404/);
    expect(recovered.stdout).not.toMatch(/probably/);
    expect(recovered.stdout).toMatch(/Labels moved\. Next: fix what the failure names \(docs\/runbook.md, HOPAE_REJECTED\), then run `hopae-rotation rotate \S+ --wait`\./);
    expect(Object.values(await h.stages(arn)).flat()).not.toContain('AWSPENDING');
    // With the empty version gone, the secret waits for its first secret: the advice is a rotation, not recover again.
    expect(doctor.stdout).toMatch(/✘ rotation state: first-rotation: /);
  });

  it('rotate --local names a refusal as nothing committed, not as a rotation to retry within 24 hours', async () => {
    const created = await h.sm.send(new CreateSecretCommand({ Name: 'hopae/apps/Unknown3', SecretString: JSON.stringify({ clientId: 'Unknown3' }) }));
    await c.attach(created.ARN!, w.functionArn());

    const result = await c.cli(['rotate', created.ARN!, '--local']);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Hopae committed nothing \(HOPAE_REJECTED\), and nothing was stored\. Next: fix what the message names/);
    expect(result.stdout).not.toMatch(/within 24 hours/);
  });
});

describe('recover leaves a rotation in flight alone', () => {
  it('0.x s into a rotation, while createSecret waits on Hopae: recover --yes changes nothing, says why, exits 1; the rotation then finishes', async () => {
    const { arn, clientId } = await w.ourApp();
    h.standIn.injectFault({ route: 'rotate', phase: 'before-commit', clientId, action: { type: 'delay', ms: 1500 } });
    const started = c.nextServiceRun();
    expect((await c.cli(['rotate', arn])).code).toBe(0);
    const before = await h.stages(arn);

    const result = await c.cli(['recover', arn, '--yes', '--json']);
    const human = await c.cli(['recover', arn, '--yes']);

    const json = JSON.parse(result.stdout) as { state: string; applied: boolean; refused: string; ifStopped: { state: string }; stuckAfter: { minutes: number; source: string } };
    expect(result.code).toBe(1);
    expect(json).toMatchObject({ state: 'rotation-in-flight', applied: false, stuckAfter: { minutes: 30, source: expect.stringMatching(/^the default/) } });
    expect(json.refused).toMatch(/^Nothing changed: a rotation younger than the in-flight threshold may still be running/);
    expect(json.ifStopped.state).toBe('pending-empty-current-accepted');
    expect(human.stdout).toMatch(/Add --force only if you know it has stopped/);
    expect(await h.stages(arn)).toEqual(before);

    expect(outcomes(await (await started).runs)).toEqual(['createSecret:created', 'setSecret:nothing-to-set', 'testSecret:pending-verified', 'finishSecret:finished']);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('--force acts on a young rotation the operator knows has stopped; --stuck-after overrides the threshold', async () => {
    const { arn, token } = await w.beginStuckRotation();

    const shorter = JSON.parse((await c.cli(['recover', arn, '--json', '--stuck-after', '0.001'])).stdout) as { state: string };
    const forced = await c.cli(['recover', arn, '--yes', '--force', '--json']);

    expect(shorter.state).toBe('pending-empty-current-accepted');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ state: 'rotation-in-flight', applied: true, actions: [expect.objectContaining({ stage: 'AWSPENDING', removeFrom: token })] });
    expect((await h.stages(arn))[token] ?? []).not.toContain('AWSPENDING');
  });

  it('reads the threshold from the rotation function\'s HOPAE_STUCK_AFTER_MINUTES (the construct\'s stuckAfter)', async () => {
    const fn = await c.createRotationFunction('rotation-stuck-after-5', {
      HOPAE_API_BASE_URL: process.env.HOPAE_API_BASE_URL!,
      HOPAE_API_KEY_SECRET_ID: 'hopae/workspace-key',
      HOPAE_STUCK_AFTER_MINUTES: '5',
    });
    const app = await h.createApp();
    await c.attach(app.arn, fn);
    await h.sm.send(new RotateSecretCommand({ SecretId: app.arn, RotationLambdaARN: fn }));

    const young = JSON.parse((await c.cli(['recover', app.arn, '--json'], { nowOffsetMs: 4 * 60_000 })).stdout) as { state: string; stuckAfter: { minutes: number; source: string } };
    const old = JSON.parse((await c.cli(['recover', app.arn, '--json'], { nowOffsetMs: 6 * 60_000 })).stdout) as { state: string };
    const status = JSON.parse((await c.cli(['status', '--json'], { nowOffsetMs: 6 * 60_000 })).stdout) as { secrets: Array<{ secret: string; state: string }> };

    expect(young).toMatchObject({ state: 'rotation-in-flight', stuckAfter: { minutes: 5, source: "HOPAE_STUCK_AFTER_MINUTES in rotation-stuck-after-5's environment" } });
    expect(old.state).toBe('pending-empty-current-accepted');
    expect(status.secrets.find((s) => app.arn.includes(s.secret))?.state).toBe('stuck');
  });
});
