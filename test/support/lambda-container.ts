import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { RotationHandler } from '../../local/rotation-driver';

/**
 * Runs a bundled handler in its own Node process, like a Lambda execution environment, and returns
 * a handler that invokes it. Its stdout and stderr go to `onOutput`.
 */
export async function startLambdaContainer(
  bundlePath: string,
  onOutput: (text: string) => void,
): Promise<{ handler: RotationHandler; stop: () => Promise<void> }> {
  const child: ChildProcess = fork(join(__dirname, 'lambda-container-child.js'), [bundlePath], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: process.env,
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
