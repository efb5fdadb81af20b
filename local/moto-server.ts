/**
 * Starts moto_server (a real Secrets Manager API, from the Python package moto) on a free loopback
 * port, for the local run and the integration tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { findMotoServer, motoMissingMessage } from './moto-check';

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  /** Clears every secret. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export class MotoNotInstalledError extends Error {
  override readonly name = 'MotoNotInstalledError';

  constructor() {
    super(motoMissingMessage());
  }
}

export async function startMotoServer(options: { readyTimeoutMs?: number } = {}): Promise<MotoServer> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(findMotoServer() ?? 'moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000);
  });
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ENOENT' ? new MotoNotInstalledError() : error),
    );
    child.once('exit', (code, signal) =>
      resolve(new Error(`moto_server exited early (code ${code}, signal ${signal}): ${stderrTail.trim().slice(-500)}`)),
    );
  });

  const started = Date.now();
  for (;;) {
    const early = await Promise.race([exited, pause(100).then(() => undefined)]);
    if (early) throw early;
    if (await isReady(endpoint)) break;
    if (Date.now() - started > readyTimeoutMs) {
      await stopChild(child);
      throw new Error(`moto_server did not answer on ${endpoint} within ${readyTimeoutMs} ms`);
    }
  }
  // Keep the process from holding the event loop open after tests forget it.
  child.stderr?.removeAllListeners('data');
  child.stderr?.resume();

  return {
    endpoint,
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    stop: () => stopChild(child),
  };
}

async function isReady(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // A pending timer would keep the caller's process alive: clear it once moto is gone.
  let timer: NodeJS.Timeout | undefined;
  const killed = await Promise.race([
    done.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 3000);
    }),
  ]);
  clearTimeout(timer);
  if (!killed) {
    child.kill('SIGKILL');
    await done;
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
