import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigurationError } from '../../lambda/errors';
import { SecretStore } from '../../lambda/secret-store';
import { parseWorkspaceKey, WorkspaceKeyProvider } from '../../lambda/workspace-key';

const KEY = 'sk_workspace_test_0123456789';
const sm = mockClient(SecretsManagerClient);

describe('parseWorkspaceKey', () => {
  it.each([
    [KEY, KEY],
    [`  ${KEY}\n`, KEY],
    [JSON.stringify({ apiKey: KEY }), KEY],
    [JSON.stringify({ apiKey: ` ${KEY} `, note: 'x' }), KEY],
  ])('reads %j', (value, expected) => {
    expect(parseWorkspaceKey(value, 'k')).toBe(expected);
  });

  it.each([
    [undefined, /secret k is empty/],
    ['', /secret k is empty/],
    ['{"apiKey": ', /looks like JSON but does not parse/],
    ['{"key": "sk"}', /JSON without a string "apiKey"/],
    ['{"apiKey": ""}', /secret k is empty/],
    ['sk_workspace test', /spaces, control or non-ASCII/],
    ['sk_workspace\ntest', /spaces, control or non-ASCII/],
    ['sk_workspace_tést', /spaces, control or non-ASCII/],
  ])('refuses %j', (value, message) => {
    expect(() => parseWorkspaceKey(value, 'k')).toThrow(ConfigurationError);
    expect(() => parseWorkspaceKey(value, 'k')).toThrow(message);
  });

  it('never echoes the value', () => {
    expect(() => parseWorkspaceKey(`${KEY} extra`, 'k')).toThrow(expect.objectContaining({ message: expect.not.stringContaining(KEY) }));
  });
});

describe('WorkspaceKeyProvider', () => {
  beforeEach(() => sm.reset());
  const provider = () => new WorkspaceKeyProvider(new SecretStore(new SecretsManagerClient({ region: 'us-east-1' })), 'hopae/key');

  it('reads AWSCURRENT once and keeps it', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: KEY });
    const keys = provider();

    await expect(Promise.all([keys.get(), keys.get()])).resolves.toEqual([KEY, KEY]);
    await expect(keys.get()).resolves.toBe(KEY);

    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: 'hopae/key', VersionStage: 'AWSCURRENT' });
  });

  it('reads again after invalidate()', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'old_key' }).resolves({ SecretString: KEY });
    const keys = provider();

    await keys.get();
    keys.invalidate();

    await expect(keys.get()).resolves.toBe(KEY);
  });

  it('turns a failed read into a ConfigurationError naming the secret, and does not keep the failure', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .resolves({ SecretString: KEY });
    const keys = provider();

    await expect(keys.get()).rejects.toThrow(/Cannot read the Hopae workspace key secret hopae\/key \(AccessDeniedException\)/);
    await expect(keys.get()).resolves.toBe(KEY);
  });
});
