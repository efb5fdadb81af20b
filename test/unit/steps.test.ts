import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_RETRY } from '../../lambda/config';
import {
  HopaeRejectedError,
  MalformedSecretError,
  PendingNotStoredError,
  RotationStateError,
} from '../../lambda/errors';
import type { RotationStep } from '../../lambda/event';
import { HopaeClient } from '../../lambda/hopae/client';
import { SecretStore } from '../../lambda/secret-store';
import { runRotationStep, type StepDependencies } from '../../lambda/steps';
import { WorkspaceKeyProvider } from '../../lambda/workspace-key';
import { HEX_SECRET, ScriptedTransport, VirtualClock, type Scripted } from '../support/fake-http';
import { MetricsRecorder } from '../support/metrics-recorder';
import { MemoryLogger } from '../support/silent-logger';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hopae/apps/HqTRDIYH-AbCdEf';
const KEY_SECRET = 'hopae/workspace-key';
const API_KEY = 'sk_workspace_test_0123456789abcdef';
const TOKEN = '6f1c0c1e-0000-4000-8000-000000000001';
const OLD_VERSION = '0b7f0e2d-0000-4000-8000-000000000000';
const ROTATION_TOKEN = 'rotation-token-secret-value';
const OLD_SECRET = 'b'.repeat(64);
const CURRENT = { clientId: 'HqTRDIYH', clientSecret: OLD_SECRET, team: 'kyc' };

const sm = mockClient(SecretsManagerClient);

interface Setup {
  stages?: Record<string, string[]>;
  rotationEnabled?: boolean | undefined;
  current?: string;
  pending?: string;
  /** The pending version holds SecretBinary instead of a SecretString. */
  pendingBinary?: boolean;
  /** Reading the pending version fails with this error instead. */
  pendingError?: Error;
}

function arrange(setup: Setup, ...hopae: Scripted[]) {
  sm.reset();
  sm.on(DescribeSecretCommand).resolves({
    ARN,
    Name: 'hopae/apps/HqTRDIYH',
    ...('rotationEnabled' in setup ? { RotationEnabled: setup.rotationEnabled } : { RotationEnabled: true }),
    VersionIdsToStages: setup.stages ?? { [OLD_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] },
  });
  sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSCURRENT' }).resolves({
    SecretString: setup.current ?? JSON.stringify(CURRENT),
  });
  const pending = sm.on(GetSecretValueCommand, { SecretId: ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' });
  if (setup.pendingError) {
    pending.rejects(setup.pendingError);
  } else if (setup.pendingBinary) {
    pending.resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
  } else if (setup.pending === undefined) {
    pending.rejects(new ResourceNotFoundException({ message: "can't find the specified secret value", $metadata: {} }));
  } else {
    pending.resolves({ SecretString: setup.pending });
  }
  sm.on(GetSecretValueCommand, { SecretId: KEY_SECRET, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: API_KEY });
  sm.on(PutSecretValueCommand).resolves({ ARN, VersionId: TOKEN });
  sm.on(UpdateSecretVersionStageCommand).resolves({ ARN });

  const http = new ScriptedTransport(...hopae);
  const clock = new VirtualClock();
  const logger = new MemoryLogger();
  const metrics = new MetricsRecorder();
  const store = new SecretStore(new SecretsManagerClient({ region: 'us-east-1' }));
  const deps: StepDependencies = {
    store,
    hopae: new HopaeClient({ baseUrl: 'https://hopae.test/connect/v1', transport: http.transport, retry: DEFAULT_RETRY, logger, sleep: clock.sleep, now: clock.now, onRetry: metrics.hopaeRetry }),
    workspaceKey: new WorkspaceKeyProvider(store, KEY_SECRET),
    logger,
    metrics,
  };
  // null: an event without RotationToken
  const run = (step: RotationStep, rotationToken: string | null = ROTATION_TOKEN) =>
    runRotationStep(deps, {
      request: { step, secretId: ARN, token: TOKEN, rotationToken: rotationToken ?? undefined },
      hopaeDeadline: clock.nowMs + 30_000,
    });
  return { http, logger, metrics, deps, run };
}

const rotated: Scripted = { status: 201, body: { clientSecret: HEX_SECRET } };
const providersOk: Scripted = { status: 200, body: [{ id: 'bankidse' }] };
const providersRejected: Scripted = { status: 401, body: { type: 'urn:x', title: 'AUTH.INVALID_CREDENTIALS', status: 401, code: 100001 } };

function calls<T>(command: new (input: T) => unknown) {
  return sm.commandCalls(command as never).map((call) => call.args[0].input as Record<string, unknown>);
}

describe('pre-checks before every step', () => {
  const steps: RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

  it.each(steps)('%s fails when rotation is disabled, before anything else', async (step) => {
    const { http, run } = arrange({ rotationEnabled: false }, rotated, providersOk);

    await expect(run(step)).rejects.toThrow(RotationStateError);
    await expect(run(step)).rejects.toThrow(/Rotation is not enabled for secret arn:aws/);
    expect(http.requests).toHaveLength(0);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  it('treats an absent RotationEnabled (a secret never rotated) as disabled', async () => {
    const { run } = arrange({ rotationEnabled: undefined });

    await expect(run('createSecret')).rejects.toThrow(/Rotation is not enabled/);
  });

  it.each(steps)('%s fails when the token is not a version of the secret', async (step) => {
    const { http, run } = arrange({ stages: { [OLD_VERSION]: ['AWSCURRENT'] } }, rotated, providersOk);

    await expect(run(step)).rejects.toThrow(new RegExp(`has no version ${TOKEN}`));
    expect(http.requests).toHaveLength(0);
  });

  it.each(steps)('%s succeeds without acting when the token is already AWSCURRENT', async (step) => {
    const { http, run } = arrange({ stages: { [OLD_VERSION]: ['AWSPREVIOUS'], [TOKEN]: ['AWSCURRENT', 'AWSPENDING'] } }, rotated, providersOk);

    await expect(run(step)).resolves.toBe('already-current');
    expect(http.requests).toHaveLength(0);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  it.each(steps)('%s fails when the token version lost AWSPENDING (abandoned rotation), pointing to the runbook', async (step) => {
    const { http, run } = arrange({ stages: { [OLD_VERSION]: ['AWSCURRENT'], [TOKEN]: [] } }, rotated, providersOk);

    await expect(run(step)).rejects.toThrow(/neither AWSCURRENT nor AWSPENDING.*may hold the only valid clientSecret.*runbook/);
    expect(http.requests).toHaveLength(0);
  });
});

describe('a rotation begun without Secrets Manager (the CLI\'s --local)', () => {
  const noToken = { stages: { [OLD_VERSION]: ['AWSCURRENT'] } };

  it('lets createSecret create the token version itself', async () => {
    const { deps, run } = arrange(noToken, rotated);

    await expect(
      runRotationStep(deps, { request: { step: 'createSecret', secretId: ARN, token: TOKEN, rotationToken: undefined }, hopaeDeadline: Date.now() + 30_000 }, { beganWithoutSecretsManager: true }),
    ).resolves.toBe('created');
    expect(calls(PutSecretValueCommand)[0]).toMatchObject({ ClientRequestToken: TOKEN, VersionStages: ['AWSPENDING'] });
    // Without the option the same state is refused.
    await expect(run('createSecret')).rejects.toThrow(RotationStateError);
  });

  it.each<RotationStep>(['setSecret', 'testSecret', 'finishSecret'])('still refuses %s for a token that is not a version', async (step) => {
    const { deps } = arrange(noToken);

    await expect(
      runRotationStep(deps, { request: { step, secretId: ARN, token: TOKEN, rotationToken: undefined }, hopaeDeadline: Date.now() + 30_000 }, { beganWithoutSecretsManager: true }),
    ).rejects.toThrow(/has no version/);
  });

  it('still refuses a secret whose rotation is disabled', async () => {
    const { deps } = arrange({ ...noToken, rotationEnabled: false });

    await expect(
      runRotationStep(deps, { request: { step: 'createSecret', secretId: ARN, token: TOKEN, rotationToken: undefined }, hopaeDeadline: Date.now() + 30_000 }, { beganWithoutSecretsManager: true }),
    ).rejects.toThrow(/Rotation is not enabled/);
  });
});

describe('createSecret', () => {
  it('rotates at Hopae with the token as Idempotency-Key and stores the new pair as AWSPENDING', async () => {
    const { http, run } = arrange({}, rotated);

    await expect(run('createSecret')).resolves.toBe('created');

    expect(http.requests).toHaveLength(1);
    expect(http.requests[0]!.headers).toMatchObject({ Authorization: `Bearer ${API_KEY}`, 'Idempotency-Key': TOKEN });
    expect(calls(PutSecretValueCommand)).toEqual([
      {
        SecretId: ARN,
        ClientRequestToken: TOKEN,
        VersionStages: ['AWSPENDING'],
        SecretString: JSON.stringify({ ...CURRENT, clientSecret: HEX_SECRET }),
        RotationToken: ROTATION_TOKEN,
      },
    ]);
  });

  it('omits RotationToken when the event has none', async () => {
    const { run } = arrange({}, rotated);

    await run('createSecret', null);

    expect(calls(PutSecretValueCommand)[0]).not.toHaveProperty('RotationToken');
  });

  it('mints the first clientSecret for a secret that only names its app', async () => {
    const { run } = arrange({ current: '{"clientId":"HqTRDIYH"}' }, rotated);

    await run('createSecret');

    expect(JSON.parse(String(calls(PutSecretValueCommand)[0]!.SecretString))).toEqual({ clientId: 'HqTRDIYH', clientSecret: HEX_SECRET });
  });

  it('does nothing when the pending version already has a value (a retried step)', async () => {
    const { http, run } = arrange({ pending: JSON.stringify({ ...CURRENT, clientSecret: HEX_SECRET }) }, rotated);

    await expect(run('createSecret')).resolves.toBe('already-created');
    expect(http.requests).toHaveLength(0);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it.each([
    ['not JSON', 'clientId=HqTRDIYH', /AWSCURRENT of secret arn:.* is not valid JSON/],
    ['without clientId', '{"clientSecret":"x"}', /AWSCURRENT of secret arn:.* has no clientId/],
    ['a JSON array', '["HqTRDIYH"]', /not an object/],
  ])('refuses a current value %s before any call to Hopae or the key', async (_name, current, message) => {
    const { http, run } = arrange({ current }, rotated);

    const error = await run('createSecret').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MalformedSecretError);
    expect((error as Error).message).toMatch(message);
    expect(http.requests).toHaveLength(0);
    expect(calls(GetSecretValueCommand).some((input) => input.SecretId === KEY_SECRET)).toBe(false);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('stores nothing when Hopae does not know the app', async () => {
    const { run } = arrange({}, { status: 404, body: { error: { code: 'RESOURCE_NOT_FOUND' } } });

    await expect(run('createSecret')).rejects.toThrow(HopaeRejectedError);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('stores nothing when Hopae keeps answering garbage', async () => {
    const garbage = Array.from({ length: DEFAULT_RETRY.rotateMaxAttempts }, () => ({ status: 200, body: '{"clientSecret":""}' }));
    const { run } = arrange({}, ...garbage);

    await expect(run('createSecret')).rejects.toThrow(/no usable clientSecret/);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('reads the workspace key once per container', async () => {
    const { run } = arrange({}, rotated, rotated);

    await run('createSecret');
    await run('createSecret');

    expect(calls(GetSecretValueCommand).filter((input) => input.SecretId === KEY_SECRET)).toHaveLength(1);
  });

  it('reads the workspace key again after Hopae refused it, so a key fixed later takes effect on the next invocation', async () => {
    const refused = { status: 401, body: { error: { code: 'AUTH_INVALID_CREDENTIALS' } } };
    const { http, run } = arrange({}, refused, rotated);

    // The stored key is the refused one: no second call with it.
    await expect(run('createSecret')).rejects.toThrow(/401 AUTH_INVALID_CREDENTIALS/);
    expect(http.requests).toHaveLength(1);
    await expect(run('createSecret')).resolves.toBe('created');

    // Read, read again after the 401 (unchanged), read on the next invocation.
    expect(calls(GetSecretValueCommand).filter((input) => input.SecretId === KEY_SECRET)).toHaveLength(3);
  });

  it('retries at once with the key its secret holds now when a warm container\'s cached key is refused (an operator replaced it)', async () => {
    const refused = { status: 401, body: { error: { code: 'AUTH_INVALID_CREDENTIALS' } } };
    const NEW_KEY = 'sk_workspace_test_fedcba9876543210';
    const { http, logger, run } = arrange({}, rotated, refused, rotated);
    await expect(run('createSecret')).resolves.toBe('created');
    // The operator stores a new key; the warm container still holds the old one.
    sm.on(GetSecretValueCommand, { SecretId: KEY_SECRET, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: NEW_KEY });

    await expect(run('createSecret')).resolves.toBe('created');

    const keys = http.requests.map((r) => r.headers.Authorization);
    expect(keys.slice(1)).toEqual([keys[0], expect.stringContaining(NEW_KEY)]);
    // One idempotency key for both calls: a replay, never a second rotation.
    expect(new Set(http.requests.map((r) => r.headers['Idempotency-Key']))).toEqual(new Set([TOKEN]));
    expect(JSON.stringify(logger.lines)).not.toContain(NEW_KEY);
    expect(JSON.stringify(logger.lines)).not.toContain(API_KEY);
  });

  it('does not retry a refusal of the fresh key: the error reaches Secrets Manager', async () => {
    const refused = { status: 401, body: { error: { code: 'AUTH_INVALID_CREDENTIALS' } } };
    const { http, run } = arrange({}, rotated, refused, refused, rotated);
    await expect(run('createSecret')).resolves.toBe('created');
    sm.on(GetSecretValueCommand, { SecretId: KEY_SECRET, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'sk_workspace_test_fedcba9876543210' });

    await expect(run('createSecret')).rejects.toThrow(/401 AUTH_INVALID_CREDENTIALS/);
    expect(http.requests).toHaveLength(3);
  });

  it.each<[string, Scripted[]]>([
    ['a 403 refusal', [{ status: 403, body: { error: { code: 'AUTH_FORBIDDEN' } } }]],
    ['a 404 refusal', [{ status: 404, body: { error: { code: 'RESOURCE_NOT_FOUND' } } }]],
    ['Hopae unavailable', Array.from({ length: DEFAULT_RETRY.rotateMaxAttempts }, () => ({ status: 503 }))],
  ])('keeps the cached workspace key after %s: only a 401 says the key itself is wrong', async (_name, failure) => {
    const { run } = arrange({}, rotated, ...failure, rotated);

    // The pending version stays empty in this fake, so each run calls Hopae.
    await expect(run('createSecret')).resolves.toBe('created');
    await expect(run('createSecret')).rejects.toThrow();
    await expect(run('createSecret')).resolves.toBe('created');

    expect(calls(GetSecretValueCommand).filter((input) => input.SecretId === KEY_SECRET)).toHaveLength(1);
  });

  it('counts no replay for a first answer', async () => {
    const { metrics, run } = arrange({}, rotated);

    await run('createSecret');

    expect(metrics.calls).not.toContain('replay');
  });

  it('logs no warning for a secret of 64 hex characters', async () => {
    const { logger, run } = arrange({}, rotated);

    await run('createSecret');

    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('says plainly that a retry recovers the secret when storing fails after Hopae rotated', async () => {
    const { run } = arrange({}, rotated);
    sm.on(PutSecretValueCommand).rejects(new InternalServiceError({ message: 'boom', $metadata: {} }));

    const error = (await run('createSecret').catch((e: unknown) => e)) as PendingNotStoredError;

    expect(error).toBeInstanceOf(PendingNotStoredError);
    expect(error.message).toMatch(/Hopae rotated the clientSecret of app HqTRDIYH.*old secret no longer works.*InternalServiceError.*within 24 hours/);
    expect(error.message).not.toContain(HEX_SECRET);
    expect(error.cause).toBeInstanceOf(InternalServiceError);
  });

  it('warns with a fingerprint, and still stores, when the new secret is not 64 hex characters', async () => {
    const { logger, run } = arrange({}, { status: 201, body: { clientSecret: 'short-secret' } });

    await expect(run('createSecret')).resolves.toBe('created');
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', attributes: [expect.objectContaining({ secretFingerprint: expect.stringMatching(/^[0-9a-f]{8}$/) })] }),
    );
    expect(logger.text()).not.toContain('short-secret');
  });

  it('logs and counts a replay and the retry before it, and never logs the secret, the key or the RotationToken', async () => {
    const { logger, metrics, run } = arrange({}, { status: 503 }, { ...rotated, headers: { 'Idempotency-Replayed': 'true' } });

    await run('createSecret');

    expect(logger.lines).toContainEqual(expect.objectContaining({ attributes: [{ idempotencyReplayed: true }] }));
    expect(metrics.calls).toEqual(['retry:rotate', 'replay']);
    for (const secret of [HEX_SECRET, OLD_SECRET, API_KEY, ROTATION_TOKEN]) expect(logger.text()).not.toContain(secret);
    expect(logger.keys).toMatchObject({ secretArn: ARN, clientId: 'HqTRDIYH' });
  });

  it('counts a retry after Hopae throttled (429) as a throttle too, for the dashboard', async () => {
    const { metrics, run } = arrange({}, { status: 429, headers: { 'Retry-After': '1' } }, rotated);

    await run('createSecret');

    expect(metrics.calls).toEqual(['retry:rotate:throttled']);
  });
});

describe('setSecret', () => {
  it('has nothing to apply', async () => {
    const { http, run } = arrange({});

    await expect(run('setSecret')).resolves.toBe('nothing-to-set');
    expect(http.requests).toHaveLength(0);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});

describe('testSecret', () => {
  const pending = JSON.stringify({ ...CURRENT, clientSecret: HEX_SECRET });

  it('checks the pending pair with a read-only call', async () => {
    const { http, run } = arrange({ pending }, providersOk);

    await expect(run('testSecret')).resolves.toBe('pending-verified');
    expect(http.requests).toHaveLength(1);
    expect(http.requests[0]!.method).toBe('GET');
    expect(http.requests[0]!.headers.Authorization).toBe(`Basic ${Buffer.from(`HqTRDIYH:${HEX_SECRET}`).toString('base64')}`);
  });

  it('fails, and changes nothing, when Hopae rejects the pending pair', async () => {
    const { run } = arrange({ pending }, providersRejected, providersRejected, providersRejected, providersRejected);

    await expect(run('testSecret')).rejects.toThrow(/pending secret was rejected by Hopae/);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('run alone with no pending value, checks the current pair and never rotates', async () => {
    const { http, run } = arrange({}, providersOk);

    await expect(run('testSecret')).resolves.toBe('current-verified');
    expect(http.requests.map((r) => [r.method, r.headers.Authorization])).toEqual([
      ['GET', `Basic ${Buffer.from(`HqTRDIYH:${OLD_SECRET}`).toString('base64')}`],
    ]);
  });

  it('run alone before the first rotation has nothing to verify', async () => {
    const { http, run } = arrange({ current: '{"clientId":"HqTRDIYH"}' });

    await expect(run('testSecret')).resolves.toBe('nothing-to-verify');
    expect(http.requests).toHaveLength(0);
  });

  it('names the version in its errors: the pending one, or the current one when run alone', async () => {
    const pending = arrange({ pending: 'not json' });
    await expect(pending.run('testSecret')).rejects.toThrow(`AWSPENDING version ${TOKEN} of secret ${ARN} is not valid JSON`);

    const withoutSecret = arrange({ pending: '{"clientId":"HqTRDIYH"}' });
    await expect(withoutSecret.run('testSecret')).rejects.toThrow(`AWSPENDING version ${TOKEN} of secret ${ARN} has no clientSecret to test`);

    const current = arrange({ current: 'not json' });
    await expect(current.run('testSecret')).rejects.toThrow(`AWSCURRENT of secret ${ARN} is not valid JSON`);
  });

  it('run alone, names the current secret when Hopae refuses it', async () => {
    const { run } = arrange({}, { status: 403, body: '' });

    await expect(run('testSecret')).rejects.toThrow(/check of the current secret of app HqTRDIYH/);
  });

  it('refuses a pending value without clientSecret', async () => {
    const { http, run } = arrange({ pending: '{"clientId":"HqTRDIYH"}' });

    await expect(run('testSecret')).rejects.toThrow(MalformedSecretError);
    expect(http.requests).toHaveLength(0);
  });
});

describe('finishSecret', () => {
  const PENDING = JSON.stringify({ ...CURRENT, clientSecret: HEX_SECRET });

  it('moves AWSCURRENT from the current version to the token', async () => {
    const { http, run } = arrange({ pending: PENDING });

    await expect(run('finishSecret')).resolves.toBe('finished');
    expect(calls(UpdateSecretVersionStageCommand)).toEqual([
      { SecretId: ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: OLD_VERSION },
    ]);
    expect(http.requests).toHaveLength(0);
  });

  it('promotes without removing AWSCURRENT from anywhere when no version holds it', async () => {
    const { run } = arrange({ pending: PENDING, stages: { [TOKEN]: ['AWSPENDING'] } });

    await expect(run('finishSecret')).resolves.toBe('finished');
    expect(calls(UpdateSecretVersionStageCommand)).toEqual([{ SecretId: ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN }]);
  });

  it('refuses to promote a pending version with no value (testSecret ran alone), leaving AWSCURRENT where it is', async () => {
    const { run } = arrange({});

    const error = await run('finishSecret').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RotationStateError);
    expect((error as Error).message).toBe(
      `AWSPENDING version ${TOKEN} of secret ${ARN} has no value: no clientSecret from Hopae was stored in it, so there is nothing to promote. AWSCURRENT was not moved. Rotate the secret again ("Rotate secret immediately" or hopae-rotation rotate): createSecret stores the new clientSecret first.`,
    );
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  it.each([
    ['without clientSecret', '{"clientId":"HqTRDIYH"}', /AWSPENDING version .* has no clientSecret: AWSCURRENT was not moved/],
    ['that is not JSON', 'clientSecret=x', /AWSPENDING version .* is not valid JSON/],
    ['without clientId', JSON.stringify({ clientSecret: HEX_SECRET }), /AWSPENDING version .* has no clientId/],
  ])('refuses to promote a pending value %s', async (_name, pending, message) => {
    const { run } = arrange({ pending });

    await expect(run('finishSecret')).rejects.toThrow(MalformedSecretError);
    await expect(run('finishSecret')).rejects.toThrow(message);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  it('refuses to promote a pending version holding SecretBinary', async () => {
    const { run } = arrange({ pendingBinary: true });

    await expect(run('finishSecret')).rejects.toThrow(/holds SecretBinary, not a SecretString/);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });
});

describe('values the function cannot handle are refused before Hopae is called', () => {
  it.each<RotationStep>(['createSecret', 'testSecret'])('%s refuses a pending version holding SecretBinary, with no Hopae call', async (step) => {
    const { http, run } = arrange({ pendingBinary: true }, rotated, providersOk);

    const error = await run(step).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MalformedSecretError);
    expect((error as Error).message).toBe(
      `Version ${TOKEN} of secret ${ARN} holds SecretBinary, not a SecretString: this function rotates JSON in SecretString only. Nothing was sent to Hopae. Remove that version's AWSPENDING label, then rotate again.`,
    );
    expect(http.requests).toHaveLength(0);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it.each<RotationStep>(['createSecret', 'testSecret', 'finishSecret'])(
    '%s fails on an error reading the pending version, instead of taking it for "no value"',
    async (step) => {
      const { http, run } = arrange({ pendingError: new InternalServiceError({ message: 'boom', $metadata: {} }) }, rotated, providersOk);

      await expect(run(step)).rejects.toBeInstanceOf(InternalServiceError);
      expect(http.requests).toHaveLength(0);
      expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
      expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    },
  );

  it('createSecret refuses a secret whose next version could exceed 65,536 bytes, before reading the key or calling Hopae', async () => {
    // 65,000 bytes of other fields: with a 512-character secret, escaped, over the limit.
    const current = JSON.stringify({ ...CURRENT, notes: 'n'.repeat(65_000) });
    const { http, run } = arrange({ current }, rotated);

    const error = await run('createSecret').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MalformedSecretError);
    expect((error as Error).message).toMatch(
      new RegExp(`^AWSCURRENT of secret ${ARN} is too large to rotate: with a new clientSecret the next version could take (\\d+) bytes, over Secrets Manager's limit of 65536, and Hopae's answer could not be stored. Nothing was sent to Hopae. Move at least (\\d+) bytes of other fields out of this secret, then rotate again.$`),
    );
    const [, largest, excess] = /take (\d+) bytes.*at least (\d+) bytes/.exec((error as Error).message)!;
    expect(Number(largest) - Number(excess)).toBe(65_536);
    expect(http.requests).toHaveLength(0);
    expect(calls(GetSecretValueCommand).some((input) => input.SecretId === KEY_SECRET)).toBe(false);
  });

  it('createSecret rotates a secret whose next version fits exactly', async () => {
    const base = { ...CURRENT, notes: '' };
    // Fill "notes" so that the next version with the largest accepted secret is exactly 65,536 bytes.
    const withLargest = JSON.stringify({ ...base, clientSecret: '"'.repeat(512) });
    const current = JSON.stringify({ ...base, notes: 'n'.repeat(65_536 - Buffer.byteLength(withLargest)) });
    const { run } = arrange({ current }, rotated);

    await expect(run('createSecret')).resolves.toBe('created');
  });
});
