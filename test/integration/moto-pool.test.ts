import { CreateSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { freeLoopbackPort } from '../support/free-port';
import { takeWorkerMoto } from '../support/moto-pool';

// The run's globalSetup started one moto_server per Jest worker (test/support/moto-pool.ts).
const client = (endpoint: string) => new SecretsManagerClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

describe('the moto_server pool', () => {
  test("gives a test file its worker's server, emptied of what the previous file left", async () => {
    const first = await takeWorkerMoto();
    expect(first?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await client(first!.endpoint).send(new CreateSecretCommand({ Name: 'left/by-a-previous-file', SecretString: '{}' }));

    const next = await takeWorkerMoto();

    expect(next).toEqual(first);
    expect((await client(next!.endpoint).send(new ListSecretsCommand({}))).SecretList).toEqual([]);
  });

  test('picks the server by JEST_WORKER_ID, counted from 1', async () => {
    const real = (await takeWorkerMoto())!.endpoint;
    const gone = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const env = { HOPAE_TEST_MOTO_ENDPOINTS: `${gone},${real}`, JEST_WORKER_ID: '2' };

    await expect(takeWorkerMoto(env)).resolves.toEqual({ endpoint: real });
    await expect(takeWorkerMoto({ ...env, JEST_WORKER_ID: '1' })).rejects.toThrow(
      new RegExp(`^Could not empty this Jest worker's moto_server \\(${gone}, started by the globalSetup\\): moto reset failed: .*ECONNREFUSED.*\\. Rerun the tests`),
    );
  });

  test('gives nothing when the run has no server for this worker (no pool, or fewer servers than workers): the harness then starts its own', async () => {
    await expect(takeWorkerMoto({})).resolves.toBeUndefined();
    await expect(takeWorkerMoto({ HOPAE_TEST_MOTO_ENDPOINTS: 'http://127.0.0.1:20000', JEST_WORKER_ID: '2' })).resolves.toBeUndefined();
  });
});

