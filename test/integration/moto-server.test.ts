import { createServer } from 'node:net';
import { CreateSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type MotoServer, startMotoServer } from '../../local/moto-server';

const client = (endpoint: string) => new SecretsManagerClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

describe('startMotoServer', () => {
  const started: MotoServer[] = [];
  afterAll(async () => {
    await Promise.all(started.map((moto) => moto.stop()));
  });

  it('when its port is taken before moto binds it, starts on another and never borrows the other moto', async () => {
    // GIVEN a moto already on a port (another test file's), holding a secret
    const other = await startMotoServer();
    started.push(other);
    await client(other.endpoint).send(new CreateSecretCommand({ Name: 'belongs-to-the-other-file', SecretString: 'x' }));
    const takenPort = Number(new URL(other.endpoint).port);

    // WHEN a second start is handed that port first (as when it is taken between the check and the bind)
    const ports = [takenPort];
    const ours = await startMotoServer({
      pickPort: async () => ports.shift() ?? (await anyFreePort()),
    });
    started.push(ours);

    // THEN it runs on a port of its own, empty, and resetting it leaves the other moto's state alone
    expect(ours.endpoint).not.toBe(other.endpoint);
    expect((await client(ours.endpoint).send(new ListSecretsCommand({}))).SecretList).toEqual([]);
    await ours.reset();
    expect((await client(other.endpoint).send(new ListSecretsCommand({}))).SecretList?.map((s) => s.Name)).toEqual(['belongs-to-the-other-file']);
  });
});

/** A port the OS says is free now. */
function anyFreePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
