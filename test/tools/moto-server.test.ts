import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type MotoServer, startMotoServer, withParentDeathSignal } from '../../local/moto-server';
import { freeLoopbackPort } from '../support/free-port';

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
      pickPort: async () => ports.shift() ?? (await freeLoopbackPort()),
    });
    started.push(ours);

    // THEN it runs on a port of its own, empty, and resetting it leaves the other moto's state alone
    expect(ours.endpoint).not.toBe(other.endpoint);
    expect((await client(ours.endpoint).send(new ListSecretsCommand({}))).SecretList).toEqual([]);
    await ours.reset();
    expect((await client(other.endpoint).send(new ListSecretsCommand({}))).SecretList?.map((s) => s.Name)).toEqual(['belongs-to-the-other-file']);
  }, 60_000); // three moto_server starts (one refused): past 30 s when the shared machine's load is near 20
});

describe('moto_server ends with the process that started it', () => {
  it('when that process is killed outright (SIGKILL, no stop()), moto_server exits too', async () => {
    // GIVEN a process that started moto_server and holds it
    const owner = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../support/moto-owner-child.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: owner.stdout! }), 'line')) as [string];
    const { pid } = JSON.parse(line) as { pid: number };
    expect(isAlive(pid)).toBe(true);

    // WHEN it is killed without a chance to stop moto
    owner.kill('SIGKILL');
    await once(owner, 'exit');

    // THEN moto_server is gone as well (the kernel signals it; polled up to 15 s)
    const deadline = Date.now() + 15_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isAlive(pid)).toBe(false);
  });

  it('is started through setpriv --pdeathsig where util-linux has it, as it is elsewhere', () => {
    expect(withParentDeathSignal(['moto_server', '-p', '1'], () => true)).toEqual(['/usr/bin/setpriv', '--pdeathsig', 'TERM', 'moto_server', '-p', '1']);
    expect(withParentDeathSignal(['moto_server', '-p', '1'], () => false)).toEqual(['moto_server', '-p', '1']);
  });
});

describe('moto_server lightened by local/moto-site/sitecustomize.py', () => {
  const SITE_DIR = join(__dirname, '..', '..', 'local', 'moto-site');
  let moto: MotoServer;
  let python: string;

  beforeAll(async () => {
    moto = await startMotoServer({ env: { PYTHONPATH: '/callers/own/path' } });
    // moto's own interpreter, as its console script's shebang (or pyenv) started it
    python = readFileSync(`/proc/${moto.pid}/cmdline`, 'utf8').split('\0')[0]!;
  }, 60_000);
  afterAll(() => moto.stop());

  it("is started with the site directory on PYTHONPATH, ahead of the caller's own", () => {
    const environ = readFileSync(`/proc/${moto.pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`PYTHONPATH=${SITE_DIR}:/callers/own/path`);
  });

  it("in moto's Python, lists moto's modules once (the same list as moto's own listing) and writes no access log line", () => {
    const probe = [
      'import io, json, os, sys',
      'import moto.backends as backends, werkzeug.serving as serving',
      'listings = []',
      'real_listdir = os.listdir',
      'os.listdir = lambda path=".": listings.append(path) or real_listdir(path)',
      'first, second = list(backends.list_of_moto_modules()), list(backends.list_of_moto_modules())',
      'sys.stderr = io.StringIO()',
      'serving.WSGIRequestHandler.log_request(None, 200, 10)',
      'print(json.dumps({"listings": len(listings), "same": first == second, "modules": first, "logged": sys.stderr.getvalue()}))',
    ].join('\n');
    const run = spawnSync(python, ['-c', probe], { env: { ...process.env, PYTHONPATH: SITE_DIR }, encoding: 'utf8' });
    // moto's own listing, without the site directory
    const { PYTHONPATH: _callers, ...withoutSite } = process.env;
    const own = spawnSync(python, ['-c', 'import json, moto.backends as b; print(json.dumps(list(b.list_of_moto_modules())))'], { env: withoutSite, encoding: 'utf8' });

    expect(run.stderr).toBe('');
    const modules = JSON.parse(own.stdout) as string[];
    expect(modules).toContain('secretsmanager');
    expect(JSON.parse(run.stdout)).toEqual({ listings: 0, same: true, modules, logged: '' });
  });

  it('runs the sitecustomize it shadows, as Python would have without it', () => {
    const other = mkdtempSync(join(tmpdir(), 'shadowed-site-'));
    try {
      writeFileSync(join(other, 'sitecustomize.py'), 'print("the shadowed sitecustomize ran")\n');
      const run = spawnSync(python, ['-c', 'print("main")'], { env: { ...process.env, PYTHONPATH: `${SITE_DIR}:${other}` }, encoding: 'utf8' });
      expect(run.stdout).toBe('the shadowed sitecustomize ran\nmain\n');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

