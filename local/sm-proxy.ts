/**
 * A proxy in front of moto_server that counts Secrets Manager calls by operation and, when asked,
 * injects faults: an error before moto sees the call, a dropped connection after moto committed
 * it, or a delay. Point AWS_ENDPOINT_URL_SECRETS_MANAGER at it.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { LoopbackServer } from './loopback-server';

/** What happens to one call. */
export type ProxyAction =
  | { readonly type: 'pass' }
  /** Answer 500 InternalServiceError without forwarding: nothing happened. */
  | { readonly type: 'error-before' }
  /** Forward (moto commits), then drop the connection: the caller cannot tell it happened. */
  | { readonly type: 'drop-after' }
  /** Wait, then forward. */
  | { readonly type: 'delay'; readonly ms: number };

/** Decides each call's fate from its operation (e.g. "PutSecretValue") and the SecretId it names. */
export type FaultDecider = (operation: string, secretId: string | undefined) => ProxyAction;

export class SecretsManagerProxy {
  private readonly http = new LoopbackServer((req, res) => void this.handle(req, res));
  /** Calls seen, by operation. */
  readonly counts = new Map<string, number>();
  decide: FaultDecider = () => ({ type: 'pass' });
  /** Answers a call itself instead of moto (the playground's emulated rotation service); undefined forwards it. */
  intercept: (operation: string, body: Buffer) => Promise<{ status: number; body: string } | undefined> = async () => undefined;
  /**
   * Give each version the CreatedDate it was first seen with, as AWS does. moto 5.2.1 answers
   * ListSecretVersionIds with the time of the call as every version's CreatedDate, so no rotation
   * ever ages past the in-flight threshold (the playground's stopped rotation would stay "in
   * flight" forever). A version is seen when a response names its VersionId or lists it.
   */
  stableVersionDates = false;
  private readonly versionDates = new Map<string, number>();

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    return `http://127.0.0.1:${await this.http.start()}`;
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  resetCounts(): void {
    this.counts.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : target || 'other';
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    const answer = await this.intercept(operation, body);
    if (answer) {
      if (this.stableVersionDates) this.dateVersions(operation, Buffer.from(answer.body));
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(answer.body);
      return;
    }
    const action = this.decide(operation, secretIdOf(body));
    if (action.type === 'error-before') {
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InternalServiceError', message: 'injected fault before the call' }));
      return;
    }
    if (action.type === 'delay') await this.http.wait(action.ms);
    if (res.destroyed) return;
    const upstream = await this.forward(req, body).catch(() => undefined);
    if (!upstream) {
      res.destroy();
      return;
    }
    if (action.type === 'drop-after') {
      res.socket?.destroy();
      return;
    }
    const answered = this.stableVersionDates && upstream.status === 200 ? this.dateVersions(operation, upstream.body) : upstream.body;
    res.writeHead(upstream.status, { ...upstream.headers, 'content-length': String(answered.length) });
    res.end(answered);
  }

  /** Records the versions a response names; returns ListSecretVersionIds' answer with their first-seen dates. */
  private dateVersions(operation: string, body: Buffer): Buffer {
    let parsed: { VersionId?: unknown; Versions?: { VersionId?: unknown; CreatedDate?: unknown }[] };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      return body;
    }
    const seenNow = Date.now() / 1000;
    if (typeof parsed.VersionId === 'string' && !this.versionDates.has(parsed.VersionId)) this.versionDates.set(parsed.VersionId, seenNow);
    if (operation !== 'ListSecretVersionIds' || !Array.isArray(parsed.Versions)) return body;
    for (const version of parsed.Versions) {
      if (typeof version.VersionId !== 'string') continue;
      if (!this.versionDates.has(version.VersionId)) this.versionDates.set(version.VersionId, typeof version.CreatedDate === 'number' ? version.CreatedDate : seenNow);
      version.CreatedDate = this.versionDates.get(version.VersionId);
    }
    return Buffer.from(JSON.stringify(parsed));
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const url = new URL(req.url ?? '/', this.upstream);
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        url,
        { method: req.method, headers: { ...req.headers, host: url.host, 'content-length': String(body.length) } },
        (response) => {
          readBody(response).then(
            (data) => {
              const headers: Record<string, string> = {};
              for (const [name, value] of Object.entries(response.headers)) {
                if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection') headers[name] = String(value);
              }
              headers['content-length'] = String(data.length);
              resolve({ status: response.statusCode ?? 502, headers, body: data });
            },
            reject,
          );
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

}

function secretIdOf(body: Buffer): string | undefined {
  try {
    const id = (JSON.parse(body.toString('utf8')) as { SecretId?: unknown }).SecretId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
