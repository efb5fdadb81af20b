/**
 * `npm run playground` as a new user runs it: start it, read the environment it prints, run a CLI
 * command against it in that environment, stop it with Ctrl-C (SIGINT).
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { defaultDeps } from '../../cli/context';
import { run } from '../../cli/main';

const ROOT = join(__dirname, '..', '..');
let child: ChildProcessWithoutNullStreams | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** Starts the playground; resolves with everything it printed up to "Ready.". */
function startPlayground(): Promise<string> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_') || name.startsWith('HOPAE_')) delete env[name];
  child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'local', 'playground.ts')], { cwd: ROOT, env });
  let printed = '';
  return new Promise((resolve, reject) => {
    child!.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
      if (printed.includes('Ready. Ctrl-C stops everything.')) resolve(printed);
    });
    child!.once('exit', (code) => reject(new Error(`the playground exited early (${code}): ${printed}`)));
  });
}

it('starts, prints the environment to export, serves a CLI rotation, and stops on Ctrl-C', async () => {
  const printed = await startPlayground();
  const exported = Object.fromEntries([...printed.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  expect(Object.keys(exported)).toEqual(expect.arrayContaining(['AWS_REGION', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_LAMBDA', 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS']));
  Object.assign(process.env, exported);

  // The Python helper's boto3 (and the AWS CLI the runbook quotes) work in that environment alone.
  const shellEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') || name in exported));
  const python = spawnSync('python3', ['-c', "import boto3; print(boto3.client('secretsmanager').describe_secret(SecretId='hopae/apps/HqTRDIYH')['Name'])"], { env: shellEnv, encoding: 'utf8' });
  expect(python.stderr).toBe('');
  expect(python.stdout.trim()).toBe('hopae/apps/HqTRDIYH');

  // consumers, as the playground suggests it, reads ECS and Lambda there.
  let consumers = '';
  await run(['consumers', 'hopae/apps/HqTRDIYH', '--no-cloudtrail', '--json'], { ...defaultDeps(), env: { ...process.env }, stdout: { write: (text: string) => (consumers += text) }, stderr: { write: () => true } });
  expect(JSON.parse(consumers)).toMatchObject({ lookedAt: ['ECS task definitions', 'Lambda functions'], notLookedAt: [] });

  let stdout = '';
  const code = await run(['rotate', 'hopae/apps/HqTRDIYH', '--wait', '--json'], {
    ...defaultDeps(),
    env: { ...process.env },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: () => true },
    pollIntervalMs: 100,
  });

  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ secret: 'hopae/apps/HqTRDIYH', outcome: 'rotated' });

  // It says what it cannot show, and its stuck sample is in flight at first, stuck a minute later.
  expect(printed).toMatch(/What it cannot show: long spans of time\./);
  const recoverAt = async (offsetMs: number) => {
    let out = '';
    await run(['recover', 'hopae/apps/StuckRot', '--json'], { ...defaultDeps(), env: { ...process.env }, stdout: { write: (text: string) => (out += text) }, stderr: { write: () => true }, now: () => Date.now() + offsetMs });
    return (JSON.parse(out) as { state: string }).state;
  };
  expect(await recoverAt(0)).toBe('rotation-in-flight');
  expect(await recoverAt(61_000)).toBe('pending-empty-current-accepted');
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (exitCode) => resolve(exitCode)));
  child!.kill('SIGINT');
  expect(await exited).toBe(0);
}, 60_000); // a whole local stack in a child process, and five CLI runs against it
