/** Bad input and bad state: each fails with a specific error and changes nothing it should not. */
import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { expectNoSecretsLogged, outcomes, useIntegrationHarness } from '../support/integration-harness';

const h = useIntegrationHarness();

async function pendingHasValue(arn: string, token: string): Promise<boolean> {
  return h.sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' })).then(
    () => true,
    () => false,
  );
}

describe('refused before anything changes', () => {
  it('an app Hopae does not know (404) fails fast, stores nothing, keeps AWSCURRENT', async () => {
    const clientId = 'NOSUCHAPP';
    const created = await h.sm.send(
      new CreateSecretCommand({
        Name: `hopae/apps/${clientId}`,
        SecretString: JSON.stringify({ clientId, clientSecret: 'c'.repeat(64) }),
      }),
    );
    const arn = created.ARN!;
    const before = await h.currentValue(arn);
    const token = await h.begin(arn);

    const runs = await h.run(arn, token);

    expect(outcomes(runs)).toEqual(['createSecret:HopaeRejectedError']);
    expect(runs[0]!.error!.message).toMatch(/NOSUCHAPP \(404 RESOURCE_NOT_FOUND, request_id \w+\): the app is not in this workspace/);
    expect(h.standIn.count('rotate', clientId)).toBe(1);
    expect(await pendingHasValue(arn, token)).toBe(false);
    expect(await h.currentValue(arn)).toEqual(before);
  });

  it.each([
    ['not JSON', 'clientId=HqTRDIYH', /is not valid JSON/],
    ['JSON without clientId', '{"client_id": "HqTRDIYH"}', /has no clientId/],
    ['a clientId of ".." (the path would resolve to POST /connect/v1/rotate-client-secret)', '{"clientId": ".."}', /has a clientId that is "\.\.", which a URL path resolves/],
    ['a clientId of "."', '{"clientId": "."}', /has a clientId that is "\."/],
    ['a clientId with a newline', '{"clientId": "HqTR\\nDIYH"}', /has a clientId that contains whitespace or control characters/],
  ])('a secret value that is %s fails with no call to Hopae', async (_name, value, message) => {
    const { arn } = await h.createApp({ value });
    const requestsBefore = h.standIn.requests.length;
    const token = await h.begin(arn);

    const runs = await h.run(arn, token);

    expect(outcomes(runs)).toEqual(['createSecret:MalformedSecretError']);
    expect(runs[0]!.error!.message).toMatch(message);
    expect(h.standIn.requests.length).toBe(requestsBefore);
    expect(await pendingHasValue(arn, token)).toBe(false);
  });

  it('a store reserve larger than the time the invocation has is a configuration error, not "Hopae may have rotated"', async () => {
    const { arn, clientId } = await h.createApp();
    const token = await h.begin(arn);

    // The default reserve is 5 s; this invocation has 4 s.
    const runs = await h.run(arn, token, ['createSecret'], 4_000);

    expect(outcomes(runs)).toEqual(['createSecret:ConfigurationError']);
    expect(runs[0]!.error!.message).toMatch(/ROTATION_STORE_RESERVE_MS \(5000 ms\) leaves 0 ms .* Nothing was sent to Hopae/);
    expect(h.standIn.count('rotate', clientId)).toBe(0);
    expect(await pendingHasValue(arn, token)).toBe(false);
  });

  it('a ClientRequestToken that cannot be an Idempotency-Key is an invalid event, with no call to Hopae', async () => {
    const { arn, clientId } = await h.createApp();
    const token = await h.begin(arn);
    const requestsBefore = h.standIn.requests.length;

    const runs = await h.run(arn, `${token}\n`, ['createSecret']);

    expect(outcomes(runs)).toEqual(['createSecret:InvalidEventError']);
    expect(runs[0]!.error!.message).toMatch(/cannot be sent as Idempotency-Key/);
    expect(h.standIn.requests.length).toBe(requestsBefore);
    expect(h.standIn.count('rotate', clientId)).toBe(0);
  });

  it('a revoked workspace key (401) fails fast; once fixed, the next rotation reads the key again and succeeds', async () => {
    const { arn, clientId } = await h.createApp();
    await h.rotate(arn); // warms the key cache
    h.standIn.revokeWorkspaceKey(h.apiKey);
    const token = await h.begin(arn);

    const failed = await h.run(arn, token);

    expect(outcomes(failed)).toEqual(['createSecret:HopaeRejectedError']);
    expect(failed[0]!.error!.message).toMatch(/401 AUTH_INVALID_CREDENTIALS.*workspace API key is invalid.*Nothing was rotated/);
    expect(h.standIn.rotations(clientId)).toBe(1);
    expect(await h.currentAccepted(arn)).toBe(true);

    h.standIn.addWorkspace('ws_local', h.apiKey);
    const retried = await h.run(arn, token);

    expect(retried.every((run) => !run.error)).toBe(true);
    expect(await h.currentAccepted(arn)).toBe(true);
  });
});

describe('a workspace key replaced in its secret', () => {
  it('a warm container whose cached key was revoked rereads the secret and rotates with the new key at once: no failed step', async () => {
    const { arn, clientId } = await h.createApp();
    await h.rotate(arn); // warms the key cache
    const oldKey = h.apiKey;
    const newKey = h.standIn.addWorkspace('ws_local');
    await h.sm.send(new PutSecretValueCommand({ SecretId: 'hopae/workspace-key', SecretString: JSON.stringify({ apiKey: newKey }) }));
    h.standIn.revokeWorkspaceKey(oldKey);
    try {
      const token = await h.begin(arn);
      const runs = await h.run(arn, token);

      expect(runs.every((run) => !run.error)).toBe(true);
      expect(h.standIn.rotations(clientId)).toBe(2);
      expect(await h.currentAccepted(arn)).toBe(true);
      expect(h.output.text()).not.toContain(newKey);
      expect(h.output.records().some((record) => /cached; its secret holds another key now/.test(String(record.message)))).toBe(true);
    } finally {
      // The other tests use the harness's key.
      h.standIn.addWorkspace('ws_local', oldKey);
      await h.sm.send(new PutSecretValueCommand({ SecretId: 'hopae/workspace-key', SecretString: JSON.stringify({ apiKey: oldKey }) }));
    }
  });
});

describe('testSecret', () => {
  it('fails when Hopae rejects the pending secret, and AWSCURRENT stays where it was', async () => {
    const { arn, clientId } = await h.createApp();
    const token = await h.begin(arn);
    await h.run(arn, token, ['createSecret', 'setSecret']);
    // Someone rotates the app in Hopae's console meanwhile: the pending secret is dead.
    const response = await fetch(`${process.env.HOPAE_API_BASE_URL}/apps/${clientId}/rotate-client-secret`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${h.apiKey}` },
    });
    await response.arrayBuffer();
    const stagesBefore = await h.stages(arn);

    const runs = await h.run(arn, token, ['testSecret', 'finishSecret']);

    expect(outcomes(runs)).toEqual(['testSecret:HopaeRejectedError']);
    expect(runs[0]!.error!.message).toMatch(/pending secret was rejected by Hopae/);
    expect(await h.stages(arn)).toEqual(stagesBefore);
    expect(h.standIn.requests.filter((r) => r.route === 'rotate' && r.clientId === clientId)).toHaveLength(2);
  });

  it('run alone (RotateImmediately=false) checks the current pair and never rotates', async () => {
    const { arn, clientId } = await h.createApp();
    const token = await h.begin(arn);

    const runs = await h.run(arn, token, ['testSecret']);

    expect(outcomes(runs)).toEqual(['testSecret:current-verified']);
    expect(h.standIn.count('rotate', clientId)).toBe(0);
  });
});

describe('rotation state', () => {
  it('a token that is not a version of the secret fails every step', async () => {
    const { arn, clientId } = await h.createApp();
    await h.rotate(arn);
    const stranger = randomUUID();

    const runs = await h.run(arn, stranger, ['createSecret']);

    expect(outcomes(runs)).toEqual(['createSecret:RotationStateError']);
    expect(runs[0]!.error!.message).toMatch(new RegExp(`has no version ${stranger}`));
    expect(h.standIn.rotations(clientId)).toBe(1);
  });

  it('a secret whose rotation is not enabled fails before reading its value', async () => {
    const { arn, clientId } = await h.createApp();

    const runs = await h.run(arn, randomUUID(), ['createSecret']);

    expect(outcomes(runs)).toEqual(['createSecret:RotationStateError']);
    expect(runs[0]!.error!.message).toMatch(/Rotation is not enabled/);
    expect(h.standIn.count('rotate', clientId)).toBe(0);
  });
});

describe('logging of failures', () => {
  it('logged each failure with its code, and no secret, key or RotationToken', () => {
    const failures = h.output.records().filter((r) => r.message === 'Rotation step failed');
    expect(failures.map((r) => r.errorCode)).toEqual(
      expect.arrayContaining(['HOPAE_REJECTED', 'MALFORMED_SECRET', 'ROTATION_STATE']),
    );
    expectNoSecretsLogged(h);
  });
});
