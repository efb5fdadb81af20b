import { type HttpRequest, type HttpResponse, type HttpTransport, TransportError } from '../../lambda/hopae/http';

export type Scripted =
  | { status: number; body?: unknown; headers?: Record<string, string>; bodyProblem?: string }
  | { error: 'timeout' | 'network' | 'aborted' };

// The messages fetchTransport gives.
const TRANSPORT_MESSAGES = {
  timeout: 'no complete answer within 8000 ms',
  network: 'network error (ECONNRESET)',
  aborted: 'the invocation is ending, request abandoned',
} as const;

/** An HttpTransport that answers from a script, one entry per request, and records what it was asked. */
export class ScriptedTransport {
  readonly requests: HttpRequest[] = [];
  private readonly script: Scripted[];

  constructor(...script: Scripted[]) {
    this.script = script;
  }

  readonly transport: HttpTransport = async (request) => {
    this.requests.push(request);
    const next = this.script.shift();
    if (!next) throw new Error(`No scripted answer left for ${request.method} ${request.url}`);
    if ('error' in next) throw new TransportError(next.error, TRANSPORT_MESSAGES[next.error]);
    return { ...response(next.status, next.body, next.headers), ...(next.bodyProblem ? { body: '', bodyProblem: next.bodyProblem } : {}) };
  };

  get remaining(): number {
    return this.script.length;
  }
}

export function response(status: number, body: unknown = '', headers: Record<string, string> = {}): HttpResponse {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    status,
    header: (name) => lower[name.toLowerCase()],
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** A virtual clock whose sleep advances time instantly and records each delay. */
export class VirtualClock {
  nowMs = 1_700_000_000_000;
  readonly sleeps: number[] = [];
  readonly now = () => this.nowMs;
  readonly sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.nowMs += ms;
  };
}

export const HEX_SECRET = 'a3f2c1e4b8d7f6a9c2e5b1d4f7a0c3e6b9d2f5a8c1e4b7d0f3a6c9e2b5d8f1a4';
