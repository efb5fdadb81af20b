import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { RotationHandler } from '../../local/rotation-driver';

/**
 * Runs a bundled handler in its own Node process, like a Lambda execution environment, and returns
 * a handler that invokes it. Its stdout and stderr go to `onOutput`. Its environment is this
 * process's, with `env` on top (an `undefined` value removes a variable): what Node reads at start
 * (NODE_USE_ENV_PROXY, NODE_EXTRA_CA_CERTS) can only be set this way.
 */
export async function startLambdaContainer(
  bundlePath: string,
  onOutput: (text: string) => void,
  env: Record<string, string | undefined> = {},
): Promise<{ handler: RotationHandler; stop: () => Promise<void> }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete childEnv[name];
  const child: ChildProcess = fork(join(__dirname, 'lambda-container-child.js'), [bundlePath], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: childEnv,
  });
  child.stdout?.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`bundled handler exited while loading (code ${code})`)));
  });

  let nextId = 0;
  const handler: RotationHandler = (event, context) => {
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      const onMessage = (message: { id?: number; result?: unknown; error?: { name: string; message: string } }) => {
        if (message.id !== id) return;
        child.off('message', onMessage);
        if (message.error) reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
        else resolve(message.result);
      };
      child.on('message', onMessage);
      child.send({ id, event, timeoutMs: context.getRemainingTimeInMillis() });
    });
  };
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill();
    await exited;
  };
  return { handler, stop };
}
