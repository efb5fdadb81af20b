/**
 * The local Secrets Manager proxy's version dates: moto 5.2.1 answers ListSecretVersionIds with the
 * time of the call as every version's CreatedDate, so a rotation never ages there; the playground's
 * proxy keeps the date each version was first seen with, as AWS keeps its creation time.
 */
import { LoopbackServer } from '../../local/loopback-server';
import { SecretsManagerProxy } from '../../local/sm-proxy';

/** An upstream that dates every listed version with a clock that advances one second per call, as moto does. */
function motoLike() {
  let clock = 1_790_000_000;
  const server = new LoopbackServer((req, res) => {
    const operation = String(req.headers['x-amz-target']).replace('secretsmanager.', '');
    req.resume();
    req.on('end', () => {
      clock += 1;
      const body =
        operation === 'ListSecretVersionIds'
          ? { Versions: ['v1', 'v2'].map((VersionId) => ({ VersionId, CreatedDate: clock, VersionStages: [] })) }
          : { ARN: 'arn', Name: 'n', VersionId: 'v2' };
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    });
  });
  return server;
}

async function call(endpoint: string, operation: string): Promise<{ Versions?: { VersionId: string; CreatedDate: number }[] }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'x-amz-target': `secretsmanager.${operation}`, 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ SecretId: 'n' }),
  });
  return (await response.json()) as { Versions?: { VersionId: string; CreatedDate: number }[] };
}

describe('SecretsManagerProxy version dates', () => {
  const upstream = motoLike();
  let proxy: SecretsManagerProxy;
  let endpoint: string;

  beforeEach(async () => {
    const port = await upstream.start();
    proxy = new SecretsManagerProxy(`http://127.0.0.1:${port}`);
    endpoint = await proxy.start();
  });
  afterEach(async () => {
    await proxy.stop();
    await upstream.stop();
  });

  it('keeps the date each version was first seen with, so a version ages between reads', async () => {
    proxy.stableVersionDates = true;

    const first = await call(endpoint, 'ListSecretVersionIds');
    const later = await call(endpoint, 'ListSecretVersionIds');

    expect(later.Versions!.map((v) => v.CreatedDate)).toEqual(first.Versions!.map((v) => v.CreatedDate));
  });

  it('dates a version from the response that first named it', async () => {
    proxy.stableVersionDates = true;
    const before = Date.now() / 1000;

    await call(endpoint, 'PutSecretValue'); // names v2
    const after = Date.now() / 1000;
    const listed = await call(endpoint, 'ListSecretVersionIds');

    const v2 = listed.Versions!.find((v) => v.VersionId === 'v2')!.CreatedDate;
    expect(v2).toBeGreaterThanOrEqual(before);
    expect(v2).toBeLessThanOrEqual(after);
  });

  it('passes moto\'s dates through unless asked (the fault and counting runs)', async () => {
    const first = await call(endpoint, 'ListSecretVersionIds');
    const later = await call(endpoint, 'ListSecretVersionIds');

    expect(later.Versions![0]!.CreatedDate).toBe(first.Versions![0]!.CreatedDate + 1);
  });
});
