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
  /** The body as text; empty when it could not be read safely (see `bodyProblem`). */
  readonly body: string;
  /** Why the body was not read: larger than MAX_BODY_BYTES, or not UTF-8. Never the body itself. */
  readonly bodyProblem?: string;
}

/** Hopae's answers are a few hundred bytes; more than this is not an answer worth reading. */
export const MAX_BODY_BYTES = 64 * 1024;

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
    const read = await readBodyCapped(response, MAX_BODY_BYTES);
    return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, ...read };
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

/**
 * Reads at most `maxBytes` of the body, as fetch hands it over (already decompressed), and decodes
 * it as strict UTF-8. A Content-Length (the size on the wire, compressed or not) over the cap stops
 * before reading; a decompressed stream over the cap is cancelled at the cap, so a small gzip
 * answer cannot grow into hundreds of megabytes in memory.
 */
export async function readBodyCapped(response: Response, maxBytes: number): Promise<{ body: string; bodyProblem?: string }> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    return { body: '', bodyProblem: `larger than ${maxBytes} bytes (Content-Length ${declared})` };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return { body: '', bodyProblem: `larger than ${maxBytes} bytes` };
      }
      chunks.push(value);
    }
  }
  try {
    return { body: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch {
    return { body: '', bodyProblem: 'not valid UTF-8' };
  }
}

type Cause = { code?: unknown; message?: unknown; cause?: Cause } | undefined;

/**
 * undici hides the reason in `cause`, sometimes levels down (a proxy refusing the tunnel: "fetch
 * failed" → "Request was cancelled." → "Proxy response (407) !== 200 when HTTP Tunneling"). The
 * innermost cause's code names it (ECONNRESET, ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT...),
 * except undici's own generic UND_ERR_* codes, where its message says more.
 */
function networkReason(error: unknown): string {
  let cause = (error as Cause)?.cause;
  for (let depth = 0; depth < 5 && cause?.cause; depth++) cause = cause.cause;
  if (typeof cause?.code === 'string' && !cause.code.startsWith('UND_ERR_')) return cause.code;
  if (typeof cause?.message === 'string') return cause.message.slice(0, 80);
  return error instanceof Error ? error.message.slice(0, 80) : 'unknown';
}
