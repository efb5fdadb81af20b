import { createServer } from 'node:net';

/** A loopback port free now: bound by the OS (port 0), then released. Nothing listens on it afterwards. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
