/**
 * Starts moto_server (a real Secrets Manager API, from the Python package moto) on a free loopback
 * port, for the local run and the integration tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { findMotoServer, motoMissingMessage } from './moto-check';

// moto-site/sitecustomize.py, which Python runs at start-up from PYTHONPATH: it reads moto's list of
// its modules once instead of on every request and drops the access log nobody reads (about 30% less
// CPU per call). Its file explains; moto's answers do not change.
const MOTO_SITE_DIR = join(__dirname, 'moto-site');

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  /** moto_server's process id. */
  readonly pid: number;
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

export interface MotoServerOptions {
  readonly readyTimeoutMs?: number;
  /** Picks the port of each attempt; tests use it to lose a port on purpose. */
  readonly pickPort?: () => Promise<number>;
  /** Extra environment for moto, e.g. INITIAL_NO_AUTH_ACTION_COUNT to make it check signatures and IAM. */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  // Jest runs several files at once, each with its own moto: a port can be taken between the check
  // and moto's bind. Then moto exits with "Address already in use", and we try another port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(await (options.pickPort ?? freePort)(), options.readyTimeoutMs ?? 20_000, options.env ?? {});
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

const PORT_ATTEMPTS = 5;

class PortTakenError extends Error {}

async function startOnce(port: number, readyTimeoutMs: number, env: Readonly<Record<string, string>>): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  const [command, ...args] = withParentDeathSignal([findMotoServer() ?? 'moto_server', '-H', '127.0.0.1', '-p', String(port)]);
  const child = spawn(command!, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    // Unbuffered, so the "Running on" line that proves this process holds the port arrives at once.
    env: {
      ...process.env,
      ...env,
      PYTHONUNBUFFERED: '1',
      PYTHONPATH: [MOTO_SITE_DIR, env.PYTHONPATH ?? process.env.PYTHONPATH].filter((entry) => entry !== undefined && entry !== '').join(delimiter),
    },
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000);
  });
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ENOENT' ? new MotoNotInstalledError() : error),
    );
    child.once('exit', (code, signal) => {
      const detail = `moto_server exited early (code ${code}, signal ${signal}): ${stderrTail.trim().slice(-500)}`;
      resolve(/Address already in use|is in use by another program/.test(stderrTail) ? new PortTakenError(detail) : new Error(detail));
    });
  });

  const started = Date.now();
  for (;;) {
    const early = await Promise.race([exited, pause(100).then(() => undefined)]);
    if (early) throw early;
    // Only our own process's answer counts: another test file's moto may answer on a port we lost.
    if (stderrTail.includes(`Running on ${endpoint}`) && (await isReady(endpoint))) break;
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
    pid: child.pid!,
    reset: () => resetMotoServer(endpoint),
    stop: () => stopChild(child),
  };
}

/**
 * Empties a moto_server (moto's POST /moto-api/reset clears every backend). Throws when it does not
 * answer within 10 s or answers with an error: "moto reset failed: <reason>".
 */
export async function resetMotoServer(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(10_000) }).catch((error: Error) => {
    // fetch's own message is "fetch failed"; the reason (ECONNREFUSED, the timeout) is its cause.
    throw new Error(`moto reset failed: ${(error.cause as { message?: string } | undefined)?.message ?? error.message}`);
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
}

// util-linux's setpriv (Essential in Debian) execs moto with PR_SET_PDEATHSIG: the kernel sends it
// SIGTERM when the process that started it dies. A Jest worker killed under load, or a Ctrl-C'd
// demo, then leaves no moto_server behind. Elsewhere moto runs as it is and stop() ends it.
const SETPRIV = '/usr/bin/setpriv';

/** The command line, prefixed so the process ends with its parent where the system allows. */
export function withParentDeathSignal(commandLine: readonly string[], exists: (path: string) => boolean = existsSync): string[] {
  return exists(SETPRIV) ? [SETPRIV, '--pdeathsig', 'TERM', ...commandLine] : [...commandLine];
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

// Below Linux's ephemeral range (32768–60999), so no socket the OS numbers itself (the stand-in's,
// an HTTP client's) lands on the port between the check and moto's bind.
const PORT_RANGE = { from: 20_000, to: 32_000 };

/** A random port in PORT_RANGE that is free now (checked by binding it). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (await canBind(port)) return port;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
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
