import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { basicAuthorization, callHopae, createHopaeFetch, HopaeCredentialsProvider, isCurrentLabelUpdate, type HopaeCredentials } from '../../client/index';

const SECRET_ID = 'hopae/apps/HqTRDIYH';
const OLD = { clientId: 'HqTRDIYH', clientSecret: 'a'.repeat(64) };
const NEW = { clientId: 'HqTRDIYH', clientSecret: 'b'.repeat(64) };
const sm = mockClient(SecretsManagerClient);

function stages(current: HopaeCredentials | string, pending?: HopaeCredentials) {
  sm.reset();
  sm.on(GetSecretValueCommand, { SecretId: SECRET_ID, VersionStage: 'AWSCURRENT' }).resolves({
    SecretString: typeof current === 'string' ? current : JSON.stringify({ ...current, team: 'kyc' }),
  });
  const pendingCall = sm.on(GetSecretValueCommand, { SecretId: SECRET_ID, VersionStage: 'AWSPENDING' });
  if (pending) pendingCall.resolves({ SecretString: JSON.stringify(pending) });
  else pendingCall.rejects(new ResourceNotFoundException({ message: 'no value', $metadata: {} }));
}

function reads(stage: string): number {
  return sm.commandCalls(GetSecretValueCommand).filter((c) => c.args[0].input.VersionStage === stage).length;
}

const pauses: number[] = [];
function provider(ttlMs = 60_000, clock = { t: 0 }) {
  pauses.length = 0;
  return new HopaeCredentialsProvider({
    secretId: SECRET_ID,
    client: new SecretsManagerClient({ region: 'us-east-1' }),
    ttlMs,
    now: () => clock.t,
    sleep: async (ms) => void pauses.push(ms),
  });
}

describe('HopaeCredentialsProvider.get', () => {
  it('reads AWSCURRENT once for concurrent callers and reuses it within the TTL', async () => {
    stages(OLD);
    const clock = { t: 0 };
    const credentials = provider(1000, clock);

    await expect(Promise.all([credentials.get(), credentials.get(), credentials.get()])).resolves.toEqual([OLD, OLD, OLD]);
    clock.t = 999;
    await credentials.get();

    expect(reads('AWSCURRENT')).toBe(1);
  });

  it('reads again once the TTL has passed, and after invalidate()', async () => {
    stages(OLD);
    const clock = { t: 0 };
    const credentials = provider(1000, clock);

    await credentials.get();
    clock.t = 1000;
    await credentials.get();
    credentials.invalidate();
    await credentials.get();

    expect(reads('AWSCURRENT')).toBe(3);
  });

  it('fails with a message naming the secret, not its value, when AWSCURRENT is not a pair', async () => {
    stages(`{"clientId": "HqTRDIYH", "clientSecret": "${OLD.clientSecret}"`);

    const error = (await provider().get().catch((e: unknown) => e)) as Error;

    expect(error.message).toBe(
      `AWSCURRENT of ${SECRET_ID} is not JSON with a non-empty clientId and clientSecret: \`hopae-rotation doctor ${SECRET_ID}\` tells what is wrong and the fix`,
    );
    expect(error.message).not.toContain(OLD.clientSecret);
  });

  it('says to rotate a secret that has no clientSecret before its first rotation', async () => {
    // A secret the construct created for clientIds holds only the clientId until its first rotation.
    stages('{"clientId": "HqTRDIYH"}');

    const error = (await provider().get().catch((e: unknown) => e)) as Error;

    expect(error.message).toBe(
      `AWSCURRENT of ${SECRET_ID} has a clientId but no clientSecret yet: its first rotation mints it. ` +
        `Run \`hopae-rotation rotate ${SECRET_ID} --wait\` (or wait for its schedule); \`hopae-rotation doctor ${SECRET_ID}\` tells what blocks it`,
    );
  });

  it('refuses a negative TTL', () => {
    expect(() => provider(-1)).toThrow(/ttlMs must be zero or more/);
  });
});

describe('HopaeCredentialsProvider.refreshAfterRejection', () => {
  it('returns a newer AWSCURRENT', async () => {
    stages(OLD);
    const credentials = provider();
    await credentials.get();
    stages(NEW);

    await expect(credentials.refreshAfterRejection(OLD)).resolves.toEqual(NEW);
    expect(reads('AWSPENDING')).toBe(0);
    await expect(credentials.get()).resolves.toEqual(NEW);
  });

  it('looks in AWSPENDING when AWSCURRENT still holds the rejected pair (mid-rotation)', async () => {
    stages(OLD, NEW);
    const credentials = provider();
    await credentials.get();

    await expect(credentials.refreshAfterRejection(OLD)).resolves.toEqual(NEW);
    await expect(credentials.get()).resolves.toEqual(NEW);
  });

  it('looks again, with growing pauses up to maxRefreshWaitMs, then returns undefined when nothing newer exists', async () => {
    stages(OLD);
    const credentials = provider();

    await expect(credentials.refreshAfterRejection(OLD)).resolves.toBeUndefined();
    expect(pauses).toEqual([100, 200, 400, 800, 500]);
    expect(reads('AWSPENDING')).toBe(6);
  });

  it('finds the new secret once createSecret has stored it (the gap after Hopae committed)', async () => {
    stages(OLD);
    const credentials = new HopaeCredentialsProvider({
      secretId: SECRET_ID,
      client: new SecretsManagerClient({ region: 'us-east-1' }),
      // The pending value appears during the second pause.
      sleep: async () => {
        if (reads('AWSPENDING') === 2) stages(OLD, NEW);
      },
    });

    await expect(credentials.refreshAfterRejection(OLD)).resolves.toEqual(NEW);
  });

  it('serves a burst of 401s for one pair with one refresh, and later callers from the cache', async () => {
    stages(OLD, NEW);
    const credentials = provider();
    await credentials.get();
    sm.resetHistory();

    const results = await Promise.all(Array.from({ length: 25 }, () => credentials.refreshAfterRejection(OLD)));
    const late = await credentials.refreshAfterRejection(OLD);

    expect(new Set(results.map((r) => r?.clientSecret))).toEqual(new Set([NEW.clientSecret]));
    expect(late).toEqual(NEW);
    expect(reads('AWSCURRENT')).toBe(1);
    expect(reads('AWSPENDING')).toBe(1);
  });
});

describe('callHopae', () => {
  const response = (status: number) => ({ status });

  it('calls once with the current pair when Hopae accepts it', async () => {
    stages(OLD, NEW);
    const seen: string[] = [];

    const result = await callHopae(provider(), async (c) => (seen.push(c.clientSecret), response(200)));

    expect(result).toEqual({ status: 200 });
    expect(seen).toEqual([OLD.clientSecret]);
    expect(reads('AWSPENDING')).toBe(0);
  });

  it('on a 401, retries once with the fresher pair', async () => {
    stages(OLD, NEW);
    const seen: string[] = [];

    const result = await callHopae(provider(), async (c) => (seen.push(c.clientSecret), response(c.clientSecret === NEW.clientSecret ? 200 : 401)));

    expect(result).toEqual({ status: 200 });
    expect(seen).toEqual([OLD.clientSecret, NEW.clientSecret]);
  });

  it('on a thrown 401 (statusCode, response.status or $metadata), retries too', async () => {
    for (const error of [{ statusCode: 401 }, { response: { status: 401 } }, { $metadata: { httpStatusCode: 401 } }]) {
      stages(OLD, NEW);
      let calls = 0;
      await expect(
        callHopae(provider(), async (c) => {
          calls += 1;
          if (c.clientSecret === OLD.clientSecret) throw Object.assign(new Error('unauthorized'), error);
          return 'ok';
        }),
      ).resolves.toBe('ok');
      expect(calls).toBe(2);
    }
  });

  it('returns the 401 untouched, without a second call, when no fresher pair turns up', async () => {
    stages(OLD);
    let calls = 0;

    const result = await callHopae(provider(), async () => (calls++, response(401)));

    expect(result).toEqual({ status: 401 });
    expect(calls).toBe(1);
  });

  it('passes other errors and statuses through untouched, without reading Secrets Manager again', async () => {
    stages(OLD, NEW);
    const failure = Object.assign(new Error('boom'), { status: 503 });
    const credentials = provider();

    await expect(callHopae(credentials, async () => response(404))).resolves.toEqual({ status: 404 });
    await expect(callHopae(credentials, async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(reads('AWSPENDING')).toBe(0);
    expect(reads('AWSCURRENT')).toBe(1);
  });

  it('returns the second outcome as it is, even a second 401', async () => {
    stages(OLD, NEW);
    let calls = 0;

    await expect(callHopae(provider(), async () => (calls++, response(401)))).resolves.toEqual({ status: 401 });
    expect(calls).toBe(2);
  });

  it('takes a custom isUnauthorized', async () => {
    stages(OLD, NEW);
    const seen: string[] = [];

    await callHopae(provider(), async (c) => (seen.push(c.clientSecret), { code: c.clientSecret === OLD.clientSecret ? 'AUTH.INVALID_CREDENTIALS' : 'OK' }), {
      isUnauthorized: (outcome) => outcome.ok && outcome.value.code === 'AUTH.INVALID_CREDENTIALS',
    });

    expect(seen).toEqual([OLD.clientSecret, NEW.clientSecret]);
  });
});

describe('createHopaeFetch', () => {
  it('sends Basic auth and retries a 401 with the fresher pair', async () => {
    stages(OLD, NEW);
    const authorizations: (string | null)[] = [];
    const fakeFetch = (async (_url: string | URL | Request, init?: RequestInit) => {
      const authorization = new Headers(init?.headers).get('Authorization');
      authorizations.push(authorization);
      return new Response('[]', { status: authorization === basicAuthorization(NEW) ? 200 : 401 });
    }) as typeof fetch;

    const response = await createHopaeFetch(provider(), fakeFetch)('https://api.hopae.com/connect/v1/providers', { headers: { Accept: 'application/json' } });

    expect(response.status).toBe(200);
    expect(authorizations).toEqual([basicAuthorization(OLD), basicAuthorization(NEW)]);
    expect(basicAuthorization(OLD)).toBe(`Basic ${Buffer.from(`HqTRDIYH:${OLD.clientSecret}`).toString('base64')}`);
  });
});

describe('isCurrentLabelUpdate', () => {
  const event = {
    source: 'aws.secretsmanager',
    'detail-type': 'Secret Label Updated',
    resources: ['arn:aws:secretsmanager:eu-central-1:123456789012:secret:hopae/apps/HqTRDIYH-a1b2c3'],
    detail: { name: 'hopae/apps/HqTRDIYH', labelUpdated: 'AWSCURRENT', versionId: 'v2' },
  };

  it('matches AWSCURRENT moving on this secret, by name or ARN', () => {
    expect(isCurrentLabelUpdate(event, 'hopae/apps/HqTRDIYH')).toBe(true);
    expect(isCurrentLabelUpdate(event, event.resources[0]!)).toBe(true);
  });

  it.each([
    ['another secret', { ...event, detail: { ...event.detail, name: 'other' }, resources: ['arn:x'] }],
    ['another label', { ...event, detail: { ...event.detail, labelUpdated: 'MYLABEL' } }],
    ['another event', { ...event, 'detail-type': 'AWS API Call via CloudTrail' }],
  ])('ignores %s', (_name, other) => {
    expect(isCurrentLabelUpdate(other, 'hopae/apps/HqTRDIYH')).toBe(false);
  });
});
