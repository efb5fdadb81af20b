import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface LoopbackProxy {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** What went through it so far: `CONNECT host:port` for a tunnel, `GET http://...` for a forwarded request. */
  readonly seen: string[];
  stop(): Promise<void>;
}

/**
 * Starts a real HTTP CONNECT proxy (npm `proxy`) on a free loopback port, in its own process.
 * `resolve` maps host names only the proxy knows to addresses; `deny` makes it refuse everything (407).
 */
export async function startLoopbackProxy(resolve: Record<string, string> = {}, options: { deny?: boolean } = {}): Promise<LoopbackProxy> {
  const args = [...Object.entries(resolve).flatMap(([name, address]) => ['--resolve', `${name}=${address}`]), ...(options.deny ? ['--deny'] : [])];
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'loopback-proxy-child.mjs'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const seen: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the loopback proxy exited while starting (code ${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { port?: number; connect?: string; forward?: string };
      if (message.port !== undefined) resolve(message.port);
      if (message.connect !== undefined) seen.push(`CONNECT ${message.connect}`);
      if (message.forward !== undefined) seen.push(`FORWARD ${message.forward}`);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
