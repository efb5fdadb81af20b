/**
 * The HTTP server under the local stand-ins (Hopae, the Secrets Manager proxy): listens on
 * loopback, and on stop cancels the delays it injected and cuts open connections, so nothing
 * outlives it. With `tls` it speaks HTTPS (the egress-proxy test's Hopae).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** A certificate and its private key, PEM, and the host name the certificate is for. */
export interface TlsIdentity {
  readonly cert: string;
  readonly key: string;
  readonly hostname: string;
}

export class LoopbackServer {
  private server: Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly handle: (req: IncomingMessage, res: ServerResponse) => void,
    private readonly tls?: TlsIdentity,
  ) {}

  /** Listens on 127.0.0.1 (a free port by default); returns the port. */
  async start(port = 0): Promise<number> {
    const server: Server = this.tls ? createTlsServer({ cert: this.tls.cert, key: this.tls.key }, this.handle) : createServer(this.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.port;
  }

  get port(): number {
    if (!this.server) throw new Error('The server is not started');
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A delay injected into an answer; stop() cancels it. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
