/** Whole rotations through the real handler against moto_server and the Hopae stand-in. */
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { expectNoSecretsLogged, outcomes, useIntegrationHarness } from '../support/integration-harness';

const h = useIntegrationHarness();

describe('a clean rotation', () => {
  it('rotates at Hopae once, verifies, and moves AWSCURRENT to a pair Hopae accepts, keeping other fields', async () => {
    const { arn, clientId, secret: oldSecret } = await h.createApp({ extra: { team: 'kyc', config: { region: 'eu' } } });
    const oldVersion = Object.keys(await h.stages(arn))[0]!;

    const { token, runs } = await h.rotate(arn);

    expect(outcomes(runs)).toEqual(['createSecret:created', 'setSecret:nothing-to-set', 'testSecret:pending-verified', 'finishSecret:finished']);
    expect(await h.stages(arn)).toEqual({ [oldVersion]: ['AWSPREVIOUS'], [token]: expect.arrayContaining(['AWSCURRENT']) });
    const current = await h.currentValue(arn);
    expect(current).toEqual({ clientId, clientSecret: expect.stringMatching(/^[0-9a-f]{64}$/), team: 'kyc', config: { region: 'eu' } });
    expect(current.clientSecret).not.toBe(oldSecret);
    expect(await h.currentAccepted(arn)).toBe(true);
    expect(h.standIn.accepts(clientId, oldSecret)).toBe(false);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect(h.standIn.count('rotate', clientId)).toBe(1);
    expect(h.standIn.count('providers', clientId)).toBe(1);
  });

  it('changes nothing but the clientSecret: a 20-digit number, escapes, key order and whitespace come back byte for byte', async () => {
    const { arn, clientId, secret: oldSecret } = await h.createApp({ extra: {} });
    const stored = `{ "accountNumber":12345678901234567890,\n  "clientSecret": "${oldSecret}", "rate": 1.10e-3, "note":"caf\\u00e9", "clientId":"${clientId}" }\n`;
    await h.sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: stored }));

    const { token, runs } = await h.rotate(arn);

    expect(outcomes(runs)).toEqual(['createSecret:created', 'setSecret:nothing-to-set', 'testSecret:pending-verified', 'finishSecret:finished']);
    const value = (await h.sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token }))).SecretString!;
    const newSecret = (JSON.parse(value) as { clientSecret: string }).clientSecret;
    expect(value).toBe(stored.replace(oldSecret!, newSecret));
    expect(newSecret).not.toBe(oldSecret);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('rotates again on the next schedule', async () => {
    const { arn, clientId } = await h.createApp();

    await h.rotate(arn);
    const first = (await h.currentValue(arn)).clientSecret;
    const { runs } = await h.rotate(arn);

    expect(runs.every((run) => !run.error)).toBe(true);
    expect((await h.currentValue(arn)).clientSecret).not.toBe(first);
    expect(await h.currentAccepted(arn)).toBe(true);
    expect(h.standIn.rotations(clientId)).toBe(2);
  });

  it('mints the first clientSecret for a secret that only names its app', async () => {
    const { arn, clientId } = await h.createApp({ bootstrap: true });

    const { runs } = await h.rotate(arn);

    expect(runs.every((run) => !run.error)).toBe(true);
    expect(Object.keys(await h.currentValue(arn))).toEqual(['clientId', 'clientSecret']);
    expect(await h.currentAccepted(arn)).toBe(true);
    expect(h.standIn.rotations(clientId)).toBe(1);
  });
});

describe('repeated invocations', () => {
  it('createSecret invoked twice rotates at Hopae once', async () => {
    const { arn, clientId } = await h.createApp();
    const token = await h.begin(arn);

    const first = await h.run(arn, token, ['createSecret']);
    const pendingAfterFirst = await h.stages(arn);
    const second = await h.run(arn, token, ['createSecret']);
    await h.run(arn, token, ['setSecret', 'testSecret', 'finishSecret']);

    expect(outcomes([...first, ...second])).toEqual(['createSecret:created', 'createSecret:already-created']);
    expect(pendingAfterFirst[token]).toEqual(['AWSPENDING']);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect(h.standIn.count('rotate', clientId)).toBe(1);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('every step re-run after finish succeeds without touching Hopae or the stages', async () => {
    const { arn, clientId } = await h.createApp();
    const { token } = await h.rotate(arn);
    const stagesAfter = await h.stages(arn);
    const callsAfter = h.standIn.requests.length;

    const again = await h.run(arn, token);

    expect(outcomes(again)).toEqual(['createSecret:already-current', 'setSecret:already-current', 'testSecret:already-current', 'finishSecret:already-current']);
    expect(await h.stages(arn)).toEqual(stagesAfter);
    expect(h.standIn.requests.length).toBe(callsAfter);
    expect(h.standIn.rotations(clientId)).toBe(1);
  });

  it('a bare workspace key works as well as {"apiKey": ...}', async () => {
    // The harness stores JSON; this file's other tests prove that form. Here: the key as plain text.
    await h.sm.send(new PutSecretValueCommand({ SecretId: 'hopae/workspace-key', SecretString: h.apiKey }));
    const { arn } = await h.createApp();

    const { runs } = await h.rotate(arn);

    expect(runs.every((run) => !run.error)).toBe(true);
    expect(await h.currentAccepted(arn)).toBe(true);
  });
});

describe('AWSCURRENT always holds a usable pair', () => {
  it('finishSecret after testSecret ran alone (no pending value) refuses to promote, and AWSCURRENT stays usable', async () => {
    const { arn } = await h.createApp();
    const before = await h.currentValue(arn);
    const token = await h.begin(arn);

    const runs = await h.run(arn, token, ['testSecret']);
    const finished = await h.run(arn, token, ['finishSecret']);

    expect(outcomes([...runs, ...finished])).toEqual(['testSecret:current-verified', 'finishSecret:RotationStateError']);
    expect(finished[0]!.error!.message).toMatch(/has no value: .* AWSCURRENT was not moved/);
    expect((await h.stages(arn))[token]).toEqual(['AWSPENDING']);
    expect(await h.currentValue(arn)).toEqual(before);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('a pending version holding SecretBinary fails createSecret clearly, with no call to Hopae', async () => {
    const { arn, clientId } = await h.createApp();
    const token = await h.begin(arn);
    await h.sm.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretBinary: Buffer.from('binary'), VersionStages: ['AWSPENDING'] }));

    const runs = await h.run(arn, token, ['createSecret']);

    expect(outcomes(runs)).toEqual(['createSecret:MalformedSecretError']);
    expect(runs[0]!.error!.message).toMatch(/holds SecretBinary, not a SecretString/);
    expect(h.standIn.count('rotate', clientId)).toBe(0);
    expect(await h.currentAccepted(arn)).toBe(true);
  });

  it('a secret too large to hold a new clientSecret is refused before Hopae is called', async () => {
    const { arn, clientId } = await h.createApp({ extra: { notes: 'n'.repeat(65_000) } });
    const token = await h.begin(arn);

    const runs = await h.run(arn, token, ['createSecret']);

    expect(outcomes(runs)).toEqual(['createSecret:MalformedSecretError']);
    expect(runs[0]!.error!.message).toMatch(/too large to rotate: .* over Secrets Manager's limit of 65536/);
    expect(h.standIn.count('rotate', clientId)).toBe(0);
    expect(h.standIn.rotations(clientId)).toBe(0);
    expect(await h.currentAccepted(arn)).toBe(true);
  });
});

describe('logging', () => {
  it('wrote structured lines with step, ARN, token and outcome, and no secret, key or RotationToken', () => {
    const done = h.output.records().filter((r) => r.message === 'Rotation step succeeded');
    expect(done.length).toBeGreaterThan(10);
    expect(done[0]).toMatchObject({ step: 'createSecret', secretArn: expect.stringMatching(/^arn:aws:secretsmanager:/), token: expect.any(String), clientId: expect.any(String), outcome: 'created', durationMs: expect.any(Number) });
    expectNoSecretsLogged(h);
  });
});
