import type { HopaeCredentials, HopaeCredentialsProvider } from './credentials-provider';

/** What one call produced: a result or a thrown error. */
export type CallOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export interface CallHopaeOptions<T> {
  /**
   * Whether an outcome means Hopae refused the credentials.
   *
   * @default a result with `status === 401` (a fetch Response), or an error whose `status`,
   * `statusCode`, `response.status` or `$metadata.httpStatusCode` is 401
   */
  readonly isUnauthorized?: (outcome: CallOutcome<T>) => boolean;
}

/**
 * Calls Hopae with the current pair; on a 401, asks the provider for a fresher pair (one refresh
 * for a burst of 401s) and calls once more with it. Every other outcome, and the second call's,
 * passes through untouched. `call` runs at most twice, so build the request inside it.
 */
export async function callHopae<T>(
  provider: HopaeCredentialsProvider,
  call: (credentials: HopaeCredentials) => Promise<T>,
  options: CallHopaeOptions<T> = {},
): Promise<T> {
  const isUnauthorized = options.isUnauthorized ?? isUnauthorizedByDefault;
  const credentials = await provider.get();
  const first = await settle(call(credentials));
  if (!isUnauthorized(first)) return unwrap(first);
  const fresher = await provider.refreshAfterRejection(credentials);
  if (!fresher) return unwrap(first);
  return call(fresher);
}

/** `fetch` for Hopae with Basic auth from the provider and the retry of {@link callHopae}. */
export function createHopaeFetch(
  provider: HopaeCredentialsProvider,
  fetchImpl: typeof fetch = fetch,
): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return (url, init = {}) =>
    callHopae(provider, async (credentials) => {
      const headers = new Headers(init.headers);
      headers.set('Authorization', basicAuthorization(credentials));
      const response = await fetchImpl(url, { ...init, headers });
      // A 401 is retried: drop its body so the connection is freed.
      if (response.status === 401) await response.body?.cancel();
      return response;
    });
}

/** `Basic base64(clientId:clientSecret)` */
export function basicAuthorization(credentials: HopaeCredentials): string {
  return `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`, 'utf8').toString('base64')}`;
}

function isUnauthorizedByDefault(outcome: CallOutcome<unknown>): boolean {
  const source = (outcome.ok ? outcome.value : outcome.error) as Record<string, unknown> | null | undefined;
  if (typeof source !== 'object' || source === null) return false;
  const response = source.response as { status?: unknown } | undefined;
  const metadata = source.$metadata as { httpStatusCode?: unknown } | undefined;
  return [source.status, source.statusCode, response?.status, metadata?.httpStatusCode].includes(401);
}

async function settle<T>(promise: Promise<T>): Promise<CallOutcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

function unwrap<T>(outcome: CallOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}
