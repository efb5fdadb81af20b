import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The repository's root: the working directory of the processes below. */
export const ROOT = join(__dirname, '..', '..');

export interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node <args>` from the repository's root, without this run's AWS_* and HOPAE_* variables (as
 * a user's shell would); with `closeStdout` the reader of its stdout goes away at once, as `| head -0` would.
 */
export function runNode(args: string[], options: { closeStdout?: boolean } = {}): Promise<Exit> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_') || name.startsWith('HOPAE_')) delete env[name];
  const child = spawn(process.execPath, args, { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  if (options.closeStdout) child.stdout.destroy();
  else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
