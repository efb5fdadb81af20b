/** `npm start`: the local demo shows what AWS shows, and no raw log lines unless --logs. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function demo(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_') || name.startsWith('HOPAE_') || name.startsWith('POWERTOOLS_')) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'local', 'demo.ts'), ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

it('a fault run (Hopae commits, the connection drops) prints no raw log line, and AWSPENDING is gone from the finished version', async () => {
  const { code, stdout, stderr } = await demo('--fault', 'drop-after-commit');

  expect(code).toBe(0);
  expect(stdout).toMatch(/Rotation succeeded/);
  expect((stdout + stderr).split('\n').filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
  const finalStages = stdout.slice(stdout.indexOf('\n', stdout.indexOf('Final stages')));
  expect(finalStages).toMatch(/AWSCURRENT {3}\(this rotation\)/);
  expect(finalStages).not.toMatch(/AWSPENDING/);
});

it('--logs shows the function\'s structured log lines', async () => {
  const { code, stdout } = await demo('--logs');

  expect(code).toBe(0);
  expect(stdout).toMatch(/^\{"level":"INFO","message":"Rotation step succeeded"/m);
});
