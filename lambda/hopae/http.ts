/** The one HTTP call shape the Hopae client needs; injected so tests need no real network. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Aborted when the invocation is about to time out. */
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  /** Header value by case-insensitive name, or undefined. */
  header(name: string): string | undefined;
  readonly body: string;
}

export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** A request that got no HTTP answer. `kind` says whether retrying can help. */
export class TransportError extends Error {
  override readonly name = 'TransportError';

  constructor(
    readonly kind: 'timeout' | 'network' | 'aborted',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Node's fetch, with a per-request timeout and no redirects (a redirect must not carry our keys). */
export const fetchTransport: HttpTransport = async (request) => {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      redirect: 'manual',
      signal,
    });
    const body = await response.text();
    return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, body };
  } catch (error) {
    if (request.signal?.aborted) {
      throw new TransportError('aborted', 'the invocation is ending, request abandoned', { cause: error });
    }
    if (timeout.aborted) {
      throw new TransportError('timeout', `no complete answer within ${request.timeoutMs} ms`, { cause: error });
    }
    throw new TransportError('network', `network error (${networkReason(error)})`, { cause: error });
  }
};

/** undici hides the socket error in `cause`: surface its code (ECONNRESET, ECONNREFUSED...). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message.slice(0, 80);
  return error instanceof Error ? error.message.slice(0, 80) : 'unknown';
}
