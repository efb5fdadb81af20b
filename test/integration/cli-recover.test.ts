/**
 * `hopae-rotation recover` and `doctor` against moto_server and the Hopae stand-in: one test per
 * row of the rotation state table (cli/rotation-state.ts, docs/runbook.md). Each builds its state,
 * follows the advice the CLI prints, and ends with a rotation that succeeds and Hopae's accepted
 * pair in AWSCURRENT.
 */
import {
  CancelRotateSecretCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { UNDEPLOYED_ROTATION_LAMBDA_ARN } from '../../local/rotation-driver';
import { RotationServiceEmulator } from '../../local/rotation-service';
import { cliHarness, rotateElsewhere } from '../support/cli-harness';
import { expectNoSecretsLogged, outcomes, useIntegrationHarness } from '../support/integration-harness';

const h = useIntegrationHarness();
const c = cliHarness(h);
let functionArn: string;

beforeAll(async () => {
  functionArn = await c.createRotationFunction();
});

const DAY_MS = 24 * 60 * 60 * 1000;
// The states below are built in moments; seen this much later they are stuck, no longer in flight
// (the in-flight threshold is 30 minutes by default).
const SETTLED = 31 * 60 * 1000;

/** An app of ours with a rotation begun by Secrets Manager (a valueless AWSPENDING version). */
async function beginStuckRotation() {
  const app = await h.createApp();
  await c.attach(app.arn, functionArn);
  const token = (await h.sm.send(new RotateSecretCommand({ SecretId: app.arn, RotationLambdaARN: functionArn }))).VersionId!;
  return { ...app, token };
}

async function ourApp(options: Parameters<typeof h.createApp>[0] = {}) {
  const app = await h.createApp(options);
  await c.attach(app.arn, functionArn);
  return app;
}

/** How every row ends: a rotation through the CLI that succeeds, with Hopae's pair in AWSCURRENT. */
async function expectRotationSucceeds(arn: string): Promise<void> {
  const rotated = await c.cli(['rotate', arn, '--wait', '--timeout', '20']);
  expect({ code: rotated.code, stdout: rotated.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/✔ .*: rotated .*Hopae accepts the new pair/) });
  expect(await h.currentAccepted(arn)).toBe(true);
}

interface RecoverJson {
  state: string;
  candidates: { version: string; role: string; verdict: string }[];
  accepted: string | null;
  actions: { stage: string; moveTo?: string; removeFrom?: string }[];
  applied: boolean;
  then: string;
  next: string;
}

async function recover(arn: string, flags: string[] = [], nowOffsetMs = SETTLED): Promise<{ code: number; json: RecoverJson }> {
  const result = await c.cli(['recover', arn, '--json', ...flags], { nowOffsetMs });
  return { code: result.code, json: JSON.parse(result.stdout) as RecoverJson };
}

describe('recover: one test per row of the state table', () => {
  it('clean: nothing to do (exit 0)', async () => {
    const { arn } = await ourApp();

    const result = await c.cli(['recover', arn], { nowOffsetMs: SETTLED });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/is healthy: AWSCURRENT holds the pair Hopae accepts/);
    await expectRotationSucceeds(arn);
  });

  it('first-rotation: no clientSecret yet is not healthy (applications cannot call Hopae); rotate mints it', async () => {
    const { arn } = await ourApp({ bootstrap: true });

    const { code, json } = await recover(arn);

    expect({ code, state: json.state, actions: json.actions, next: json.next }).toEqual({ code: 1, state: 'first-rotation', actions: [], next: expect.stringMatching(/^run `hopae-rotation rotate hopae\/apps\/\S+ --wait`$/) });
    await expectRotationSucceeds(arn);
  });

  it('pending-accepted: the pending pair is the valid one; --yes finishes the rotation', async () => {
    const { arn, clientId, token } = await beginStuckRotation();
    expect(outcomes(await h.run(arn, token, ['createSecret']))).toEqual(['createSecret:created']);
    const stagesBefore = await h.stages(arn);
    const current = Object.keys(stagesBefore).find((id) => stagesBefore[id]!.includes('AWSCURRENT'))!;

    const dryRun = await recover(arn);

    expect(dryRun.code).toBe(0);
    expect(dryRun.json.candidates.slice(0, 2).map((x) => [x.role, x.verdict])).toEqual([
      ['pending', 'accepted'],
      ['current', 'rejected'],
    ]);
    expect(dryRun.json).toMatchObject({ state: 'pending-accepted', accepted: token, applied: false });
    expect(dryRun.json.actions).toEqual([
      expect.objectContaining({ stage: 'AWSCURRENT', moveTo: token, removeFrom: current }),
      expect.objectContaining({ stage: 'AWSPENDING', removeFrom: token }),
    ]);
    expect(await h.stages(arn)).toEqual(stagesBefore);

    const applied = await c.cli(['recover', arn, '--yes'], { nowOffsetMs: SETTLED });

    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/✔ .* recovered: AWSCURRENT is /);
    expect((await h.stages(arn))[token]).toEqual(['AWSCURRENT']);
    expect(h.standIn.rotations(clientId)).toBe(1);
    await expectRotationSucceeds(arn);
  });

  it('pending-empty-current-accepted: a rotation stuck before Hopae rotated; --yes removes the stale AWSPENDING', async () => {
    const { arn, clientId, token } = await beginStuckRotation();

    const { code, json } = await recover(arn, ['--yes']);

    expect(code).toBe(0);
    expect(json).toMatchObject({ state: 'pending-empty-current-accepted', applied: true });
    expect(json.candidates[0]).toMatchObject({ role: 'pending', verdict: 'no value' });
    expect(json.actions).toEqual([expect.objectContaining({ stage: 'AWSPENDING', removeFrom: token })]);
    expect((await h.stages(arn))[token] ?? []).not.toContain('AWSPENDING');
    expect(h.standIn.rotations(clientId)).toBe(0);
    await expectRotationSucceeds(arn);
  });

  it('pending-empty-replayable: Hopae committed, nothing was stored; rotate reattempts the same token and Hopae replays', async () => {
    const { arn, clientId, token } = await beginStuckRotation();
    h.standIn.injectFault({ route: 'rotate', phase: 'after-commit', clientId, action: { type: 'drop' }, times: 100 });
    expect(outcomes(await h.run(arn, token, ['createSecret']))).toEqual(['createSecret:HopaeUnavailableError']);
    h.standIn.clearFaults();
    const before = await h.stages(arn);

    const result = await c.cli(['recover', arn, '--yes'], { nowOffsetMs: SETTLED });

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`Next: run \`hopae-rotation rotate \\S+ --wait\`: it reattempts ${token} with the same token now`));
    expect(await h.stages(arn)).toEqual(before);
    await expectRotationSucceeds(arn);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect((await h.stages(arn))[token]).toEqual(['AWSCURRENT']);
  });

  it('pending-rejected: the stored pending pair is dead (the old loop); --yes removes AWSPENDING, then rotate mints a new one', async () => {
    const { arn, clientId, token } = await beginStuckRotation();
    await h.run(arn, token, ['createSecret']);
    await rotateElsewhere(clientId, h.apiKey);

    const { code, json } = await recover(arn, ['--yes']);

    expect(code).toBe(1);
    expect(json).toMatchObject({ state: 'pending-rejected', accepted: null, applied: true, then: 'rotate' });
    expect(json.actions).toEqual([expect.objectContaining({ stage: 'AWSPENDING', removeFrom: token })]);
    expect((await h.stages(arn))[token] ?? []).not.toContain('AWSPENDING');
    await expectRotationSucceeds(arn);
    expect(h.standIn.rotations(clientId)).toBe(3);
  });

  it('pending-without-client-secret: the old doctor → recover → rotate circle; --yes removes the label', async () => {
    const { arn, clientId, token } = await beginStuckRotation();
    await h.sm.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: JSON.stringify({ clientId }), VersionStages: ['AWSPENDING'] }));

    const doctor = await c.cli(['doctor', arn], { nowOffsetMs: SETTLED });
    const { code, json } = await recover(arn, ['--yes']);

    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✘ rotation state: pending-without-client-secret: .*\n\s+fix: carry out the plan \(`hopae-rotation recover \S+ --yes`\)/);
    expect(code).toBe(0);
    expect(json).toMatchObject({ state: 'pending-without-client-secret', applied: true, then: 'nothing' });
    expect((await h.stages(arn))[token] ?? []).not.toContain('AWSPENDING');
    await expectRotationSucceeds(arn);
  });

  it('pending-empty-expired: older than Hopae\'s 24-hour replay; --yes removes AWSPENDING, then rotate mints a new one', async () => {
    const { arn, clientId, token } = await beginStuckRotation();
    h.standIn.injectFault({ route: 'rotate', phase: 'after-commit', clientId, action: { type: 'drop' }, times: 100 });
    await h.run(arn, token, ['createSecret']);
    h.standIn.clearFaults();
    h.standIn.advanceClock(DAY_MS + 60_000);

    const { code, json } = await recover(arn, ['--yes'], DAY_MS + 60_000);

    expect(code).toBe(1);
    expect(json).toMatchObject({ state: 'pending-empty-expired', applied: true, then: 'rotate' });
    expect((await h.stages(arn))[token] ?? []).not.toContain('AWSPENDING');
    await expectRotationSucceeds(arn);
    expect(h.standIn.rotations(clientId)).toBe(2);
  });

  it('current-rejected-other-accepted (previous): someone overwrote AWSCURRENT; --yes moves it back', async () => {
    const { arn, clientId } = await ourApp();
    await h.sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ clientId, clientSecret: 'e'.repeat(64) }) }));

    const { code, json } = await recover(arn, ['--yes']);

    expect(code).toBe(0);
    expect(json).toMatchObject({ state: 'current-rejected-other-accepted', applied: true });
    expect(json.candidates.find((x) => x.role === 'previous')).toMatchObject({ verdict: 'accepted' });
    expect(await h.currentAccepted(arn)).toBe(true);
    await expectRotationSucceeds(arn);
  });

  it('current-rejected-other-accepted (unlabelled): an abandoned rotation holds the only valid secret; --yes makes it AWSCURRENT', async () => {
    const { arn, clientId, token } = await beginStuckRotation();
    await h.run(arn, token, ['createSecret']);
    const stagesBefore = await h.stages(arn);
    const oldCurrent = Object.keys(stagesBefore).find((id) => stagesBefore[id]!.includes('AWSCURRENT'))!;
    // Someone writes the secret during the rotation: Secrets Manager abandons it and strips AWSPENDING.
    await h.sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ clientId, clientSecret: 'e'.repeat(64) }) }));
    // Labels as AWS leaves them: AWSCURRENT on the new value only, AWSPREVIOUS on the old current,
    // nothing on the token. (moto keeps AWSCURRENT on the old version too, puts AWSPREVIOUS on the
    // token and may keep AWSPENDING; removing AWSCURRENT from the old version moves AWSPREVIOUS there.)
    if ((await h.stages(arn))[oldCurrent]?.includes('AWSCURRENT')) {
      await h.sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', RemoveFromVersionId: oldCurrent }));
    }
    if ((await h.stages(arn))[token]?.includes('AWSPENDING')) {
      await h.sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: token }));
    }
    expect((await h.stages(arn))[token] ?? []).toEqual([]);
    expect(Object.values(await h.stages(arn)).filter((labels) => labels.includes('AWSCURRENT'))).toHaveLength(1);

    const { code, json } = await recover(arn, ['--yes']);

    expect(code).toBe(0);
    expect(json.candidates.find((x) => x.version === token)).toMatchObject({ role: 'unlabelled', verdict: 'accepted' });
    expect(json).toMatchObject({ state: 'current-rejected-other-accepted', accepted: token });
    expect((await h.stages(arn))[token]).toEqual(['AWSCURRENT']);
    expect(h.standIn.rotations(clientId)).toBe(1);
    await expectRotationSucceeds(arn);
  });

  it('current-rejected-none-accepted: every stored secret is dead; changes nothing and points to rotate, which gets out', async () => {
    const { arn, clientId } = await ourApp();
    await rotateElsewhere(clientId, h.apiKey);
    const before = await h.stages(arn);

    const result = await c.cli(['recover', arn, '--yes'], { nowOffsetMs: SETTLED });

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Hopae rejects AWSCURRENT and every other stored version[^\n]*\nNext: run `hopae-rotation rotate \S+ --wait`: Hopae issues a new secret/);
    expect(await h.stages(arn)).toEqual(before);
    await expectRotationSucceeds(arn);
  });

  it('current-malformed: names the value to store; after it, rotate succeeds', async () => {
    const { arn, clientId } = await ourApp({ value: 'clientId=broken' });

    const { code, json } = await recover(arn);

    expect(code).toBe(1);
    expect(json).toMatchObject({ state: 'current-malformed', then: 'manual' });
    expect(json.next).toMatch(/put-secret-value/);
    await h.sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ clientId }) }));
    await expectRotationSucceeds(arn);
  });

  it('hopae-unknown: changes nothing on partial knowledge; once Hopae answers, the plan goes through', async () => {
    const { arn, token } = await beginStuckRotation();
    await h.run(arn, token, ['createSecret']);
    h.standIn.injectFault({ route: 'providers', phase: 'before-commit', action: { type: 'status', status: 503 }, times: 100 });
    const before = await h.stages(arn);

    const result = await c.cli(['recover', arn, '--yes'], { nowOffsetMs: SETTLED });
    h.standIn.clearFaults();

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Hopae gave no usable answer for the pending version .*nothing is changed on partial knowledge/);
    expect(result.stdout).toMatch(/Next: check the network path to Hopae/);
    expect(await h.stages(arn)).toEqual(before);
    expect((await recover(arn, ['--yes'])).json).toMatchObject({ state: 'pending-accepted', applied: true });
    await expectRotationSucceeds(arn);
  });

  it('rotation-disabled: names how to enable it; after that, rotate succeeds', async () => {
    const { arn } = await ourApp();
    await h.sm.send(new CancelRotateSecretCommand({ SecretId: arn }));

    const { code, json } = await recover(arn);
    const doctor = await c.cli(['doctor', arn], { nowOffsetMs: SETTLED });

    expect(code).toBe(1);
    expect(doctor.stdout).toMatch(
      /✘ rotation enabled: rotation is not enabled\n\s+fix: re-attach it with `aws secretsmanager rotate-secret .*--rotation-rules '\{"ScheduleExpression":"<expression>","Duration":"<window>"\}' --no-rotate-immediately`/,
    );
    expect(json).toMatchObject({ state: 'rotation-disabled', then: 'manual' });
    expect(json.next).toMatch(/^re-attach it with `aws secretsmanager rotate-secret --secret-id \S+ --rotation-lambda-arn arn:aws:lambda:\S+:function:hopae-secret-rotation --rotation-rules .* --no-rotate-immediately`/);
    // The advice as an operator follows it, with the construct's kind of schedule, through the
    // emulated service (the playground's): re-attached, rotation is enabled, not disabled again.
    const runs: Promise<unknown>[] = [];
    const service = new RotationServiceEmulator({ sm: h.sm, handler: h.handler, onRun: (_token, run) => runs.push(run) });
    await service.rotateSecret({ SecretId: arn, RotationLambdaARN: functionArn, RotationRules: { ScheduleExpression: 'cron(0 4 12 * ? *)', Duration: '2h' }, RotateImmediately: false });
    await Promise.all(runs);
    expect((await recover(arn)).json.state).toBe('clean');
    await expectRotationSucceeds(arn);
  });

  it('function-missing: the attached function does not exist; after deploying it, rotate succeeds', async () => {
    const { arn } = await h.createApp();
    await h
      .sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: UNDEPLOYED_ROTATION_LAMBDA_ARN, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false }))
      .catch((error: unknown) => {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      });
    for (const [id, labels] of Object.entries(await h.stages(arn))) {
      if (labels.includes('AWSPENDING')) await h.sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: id }));
    }

    const { code, json } = await recover(arn);
    const doctor = await c.cli(['doctor', arn], { nowOffsetMs: SETTLED });

    expect(code).toBe(1);
    expect(json).toMatchObject({ state: 'function-missing', then: 'manual' });
    expect(json.next).toMatch(/deploy HopaeSecretRotation/);
    expect(doctor.stdout).toMatch(/✘ rotation function: hopae-rotation-not-deployed does not exist\n\s+fix: deploy HopaeSecretRotation/);
    await c.attach(arn, functionArn);
    await expectRotationSucceeds(arn);
  });
});

describe('recover refuses what it cannot own', () => {
  it('an unknown secret (exit 2)', async () => {
    const result = await c.cli(['recover', 'hopae/apps/nothing-here', '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/No secret hopae\/apps\/nothing-here/);
  });

  it('a secret without a rotation function is the function-missing row (exit 1), as docs/cli.md says, and changes nothing', async () => {
    const app = await h.createApp();
    const before = await h.stages(app.arn);

    const result = await c.cli(['recover', app.arn, '--yes', '--json']);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ state: 'function-missing', then: 'manual', applied: false });
    expect(await h.stages(app.arn)).toEqual(before);
  });

  it('a secret rotated by another function (exit 2)', async () => {
    const app = await h.createApp();
    await c.attach(app.arn, await c.createRotationFunction('someone-elses-rotation', { OTHER: 'x' }));

    const result = await c.cli(['recover', app.arn, '--yes']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a Hopae rotation function/);
  });
});

describe('output', () => {
  it('never printed a secret or the workspace key', () => {
    const printed = c.printed.join('\n');
    expect(printed).toMatch(/VERSION\s+ROLE/);
    for (const secret of [...h.standIn.issuedSecrets, h.apiKey]) expect(printed).not.toContain(secret);
    expectNoSecretsLogged(h);
  });
});
