/** `hopae-rotation recover`: stuck and abandoned rotations, against moto_server and the Hopae stand-in. */
import { PutSecretValueCommand, RotateSecretCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { cliHarness } from '../support/cli-harness';
import { expectNoSecretsLogged, outcomes, useIntegrationHarness } from '../support/integration-harness';

const h = useIntegrationHarness();
const c = cliHarness(h);
let functionArn: string;

beforeAll(async () => {
  functionArn = await c.createRotationFunction();
});

/** An app of ours with a rotation begun by Secrets Manager (a valueless AWSPENDING version). */
async function beginStuckRotation() {
  const app = await h.createApp();
  await c.attach(app.arn, functionArn);
  const token = (await h.sm.send(new RotateSecretCommand({ SecretId: app.arn, RotationLambdaARN: functionArn }))).VersionId!;
  return { ...app, token };
}

interface RecoverJson {
  candidates: { version: string; role: string; verdict: string }[];
  accepted: string | null;
  actions: { stage: string; moveTo?: string; removeFrom?: string }[];
  applied: boolean;
}

describe('recover', () => {
  it('a rotation stuck after createSecret: the pending pair is the valid one; --yes finishes it', async () => {
    const { arn, clientId, token } = await beginStuckRotation();
    expect(outcomes(await h.run(arn, token, ['createSecret']))).toEqual(['createSecret:created']);
    const stagesBefore = await h.stages(arn);
    const current = Object.keys(stagesBefore).find((id) => stagesBefore[id]!.includes('AWSCURRENT'))!;

    const dryRun = await c.cli(['recover', arn, '--json']);

    expect(dryRun.code).toBe(0);
    const plan = JSON.parse(dryRun.stdout) as RecoverJson;
    expect(plan.candidates.slice(0, 2).map((x) => [x.role, x.verdict])).toEqual([
      ['pending', 'accepted'],
      ['current', 'rejected'],
    ]);
    expect(plan).toMatchObject({ accepted: token, applied: false });
    expect(plan.actions).toEqual([
      expect.objectContaining({ stage: 'AWSCURRENT', moveTo: token, removeFrom: current }),
      expect.objectContaining({ stage: 'AWSPENDING', removeFrom: token }),
    ]);
    expect(await h.stages(arn)).toEqual(stagesBefore);

    const applied = await c.cli(['recover', arn, '--yes']);

    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/✔ .* recovered: AWSCURRENT is /);
    expect((await h.stages(arn))[token]).toEqual(['AWSCURRENT']);
    expect(await h.currentAccepted(arn)).toBe(true);
    expect(h.standIn.rotations(clientId)).toBe(1);
  });

  it('a rotation stuck before Hopae rotated: the current pair is valid; --yes removes the stale AWSPENDING', async () => {
    const { arn, clientId, token } = await beginStuckRotation();

    const result = await c.cli(['recover', arn, '--yes', '--json']);

    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as RecoverJson;
    expect(json.candidates[0]).toMatchObject({ role: 'pending', verdict: 'no value' });
    expect(json.actions).toEqual([expect.objectContaining({ stage: 'AWSPENDING', removeFrom: token })]);
    expect((await h.stages(arn))[token] ?? []).not.toContain('AWSPENDING');
    expect(await h.currentAccepted(arn)).toBe(true);
    expect(h.standIn.rotations(clientId)).toBe(0);
  });

  it('an abandoned rotation: the only valid secret sits in an unlabelled version; --yes makes it AWSCURRENT', async () => {
    const { arn, clientId, token } = await beginStuckRotation();
    await h.run(arn, token, ['createSecret']);
    const stagesBefore = await h.stages(arn);
    const oldCurrent = Object.keys(stagesBefore).find((id) => stagesBefore[id]!.includes('AWSCURRENT'))!;
    // Someone writes the secret during the rotation: Secrets Manager abandons it and strips AWSPENDING.
    await h.sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ clientId, clientSecret: 'e'.repeat(64) }) }));
    // Labels as AWS leaves them (moto puts AWSPREVIOUS on the token version and may keep AWSPENDING).
    const labels = (await h.stages(arn))[token] ?? [];
    if (labels.includes('AWSPENDING')) {
      await h.sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: token }));
    }
    if (labels.includes('AWSPREVIOUS')) {
      await h.sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS', MoveToVersionId: oldCurrent, RemoveFromVersionId: token }));
    }
    expect((await h.stages(arn))[token] ?? []).toEqual([]);

    const result = await c.cli(['recover', arn, '--yes', '--json']);

    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as RecoverJson;
    expect(json.candidates.find((x) => x.version === token)).toMatchObject({ role: 'unlabelled', verdict: 'accepted' });
    expect(json.accepted).toBe(token);
    expect((await h.stages(arn))[token]).toEqual(['AWSCURRENT']);
    expect(await h.currentAccepted(arn)).toBe(true);
    expect(h.standIn.rotations(clientId)).toBe(1);
  });

  it('says so, changes nothing and points to rotate (exit 1) when no stored version is valid', async () => {
    const { arn, clientId, token } = await beginStuckRotation();
    await h.run(arn, token, ['createSecret']);
    // Rotated again in Hopae's console: every stored secret is dead.
    const response = await fetch(`${process.env.HOPAE_API_BASE_URL}/apps/${clientId}/rotate-client-secret`, { method: 'POST', headers: { Authorization: `Bearer ${h.apiKey}` } });
    await response.arrayBuffer();
    const before = await h.stages(arn);

    const result = await c.cli(['recover', arn, '--yes']);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/No stored version of .* is accepted by Hopae\. Run `hopae-rotation rotate /);
    expect(await h.stages(arn)).toEqual(before);
    expect(h.standIn.rotations(clientId)).toBe(2);
  });

  it('changes nothing on partial knowledge when Hopae does not answer', async () => {
    const { arn, token } = await beginStuckRotation();
    await h.run(arn, token, ['createSecret']);
    h.standIn.injectFault({ route: 'providers', phase: 'before-commit', action: { type: 'status', status: 503 }, times: 100 });
    const before = await h.stages(arn);

    const result = await c.cli(['recover', arn, '--yes']);
    h.standIn.clearFaults();

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Hopae did not answer for every version; nothing is changed/);
    expect(await h.stages(arn)).toEqual(before);
  });

  it('reports a healthy secret as healthy, with nothing to do', async () => {
    const app = await h.createApp();
    await c.attach(app.arn, functionArn);

    const result = await c.cli(['recover', app.arn]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/is healthy: AWSCURRENT holds the pair Hopae accepts/);
  });

  it.each([
    ['an unknown secret', 'hopae/apps/nothing-here', /No secret hopae\/apps\/nothing-here/],
  ])('refuses %s (exit 2)', async (_name, secret, message) => {
    const result = await c.cli(['recover', secret, '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a secret that is not ours (exit 2)', async () => {
    const app = await h.createApp();

    const result = await c.cli(['recover', app.arn, '--yes']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has no rotation function/);
  });

  it('never printed a secret or the workspace key', () => {
    const printed = c.printed.join('\n');
    expect(printed).toMatch(/VERSION\s+ROLE/);
    for (const secret of [...h.standIn.issuedSecrets, h.apiKey]) expect(printed).not.toContain(secret);
    expectNoSecretsLogged(h);
  });
});
