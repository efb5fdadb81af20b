import { GetSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { MalformedSecretError } from '../../lambda/errors';
import { SecretStore } from '../../lambda/secret-store';

const sm = mockClient(SecretsManagerClient);
const store = () => new SecretStore(new SecretsManagerClient({ region: 'us-east-1' }));

beforeEach(() => sm.reset());

describe('SecretStore', () => {
  it('passes the invocation signal to every call, so a timeout aborts it', async () => {
    const signal = new AbortController().signal;
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{}' });
    sm.on(UpdateSecretVersionStageCommand).resolves({});

    await store().getByStage('s', 'AWSCURRENT', signal);
    await store().getVersionValue('s', 'v', 'AWSPENDING', signal);
    await store().promoteToCurrent('s', 'v', 'old', signal);

    const options = sm.calls().map((call) => (call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined);
    expect(options.map((o) => o?.abortSignal)).toEqual([signal, signal, signal]);
  });

  it('returns the SecretString of a version that also holds SecretBinary', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"a":1}', SecretBinary: new Uint8Array([1]) });

    await expect(store().getVersionValue('s', 'v', 'AWSPENDING')).resolves.toBe('{"a":1}');
  });

  it('reads a version with neither SecretString nor SecretBinary as no value', async () => {
    sm.on(GetSecretValueCommand).resolves({});

    await expect(store().getVersionValue('s', 'v', 'AWSPENDING')).resolves.toBeUndefined();
  });

  it('names the staging label generically when the version was asked for without one', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) });

    const read = store().getVersionValue('s', 'v', undefined);

    await expect(read).rejects.toBeInstanceOf(MalformedSecretError);
    await expect(store().getVersionValue('s', 'v', undefined)).rejects.toThrow(/Remove that version's staging label, then rotate again\.$/);
  });
});
