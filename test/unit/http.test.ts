import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchTransport, MAX_BODY_BYTES, readBodyCapped, TransportError } from '../../lambda/hopae/http';
import { freeLoopbackPort } from '../support/free-port';

/** A body that never ends, and how much of it was pulled. */
function endlessBody() {
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 16 * 1024;
      controller.enqueue(new Uint8Array(16 * 1024).fill(0x61));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

describe('readBodyCapped', () => {
  it('reads a small UTF-8 body as text', async () => {
    await expect(readBodyCapped(new Response('{"clientSecret":"é"}'), MAX_BODY_BYTES)).resolves.toEqual({ body: '{"clientSecret":"é"}' });
  });

  it('reads a body of exactly the cap, also when its Content-Length says so', async () => {
    const body = 'a'.repeat(MAX_BODY_BYTES);

    await expect(readBodyCapped(new Response(body), MAX_BODY_BYTES)).resolves.toEqual({ body });
    await expect(readBodyCapped(new Response(body, { headers: { 'content-length': String(MAX_BODY_BYTES) } }), MAX_BODY_BYTES)).resolves.toEqual({ body });
  });

  it('stops at the cap and cancels a body that never ends, instead of reading it all', async () => {
    const endless = endlessBody();

    const read = await readBodyCapped(new Response(endless.stream), MAX_BODY_BYTES);

    expect(read).toEqual({ body: '', bodyProblem: `larger than ${MAX_BODY_BYTES} bytes` });
    expect(endless.cancelled()).toBe(true);
    expect(endless.pulled()).toBeLessThanOrEqual(MAX_BODY_BYTES + 3 * 16 * 1024);
  });

  it('refuses a Content-Length over the cap without reading the body', async () => {
    const endless = endlessBody();
    const response = new Response(endless.stream, { headers: { 'content-length': String(MAX_BODY_BYTES + 1) } });

    const read = await readBodyCapped(response, MAX_BODY_BYTES);

    expect(read).toEqual({ body: '', bodyProblem: `larger than ${MAX_BODY_BYTES} bytes (Content-Length ${MAX_BODY_BYTES + 1})` });
    expect(endless.pulled()).toBeLessThanOrEqual(16 * 1024);
  });

  it('refuses bytes that are not UTF-8 instead of replacing them', async () => {
    const bytes = Buffer.concat([Buffer.from('{"clientSecret":"'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('"}')]);

    await expect(readBodyCapped(new Response(bytes), MAX_BODY_BYTES)).resolves.toEqual({ body: '', bodyProblem: 'not valid UTF-8' });
  });

  it('reads an absent body as empty', async () => {
    await expect(readBodyCapped(new Response(null, { status: 204 }), MAX_BODY_BYTES)).resolves.toEqual({ body: '' });
  });
});

describe('fetchTransport', () => {
  let server: Server;
  let base = '';
  const seen: Array<{ method?: string; url?: string; headers: Record<string, unknown> }> = [];
  let answer: (res: ServerResponse) => void = (res) => res.end();

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers });
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it('sends the method and headers, and returns status, headers by any case, and the body', async () => {
    answer = (res) => res.writeHead(201, { 'Idempotency-Replayed': 'true', 'content-type': 'application/json' }).end('{"ok":1}');

    const response = await fetchTransport({ method: 'POST', url: `${base}/x`, headers: { Authorization: 'Bearer k' }, timeoutMs: 5_000 });

    expect(response.status).toBe(201);
    expect(response.header('idempotency-replayed')).toBe('true');
    expect(response.header('X-Absent')).toBeUndefined();
    expect(response.body).toBe('{"ok":1}');
    expect(response.bodyProblem).toBeUndefined();
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/x', headers: expect.objectContaining({ authorization: 'Bearer k' }) });
  });

  it('does not follow a redirect, so the keys never travel elsewhere', async () => {
    answer = (res) => res.writeHead(302, { location: `${base}/elsewhere` }).end();

    const response = await fetchTransport({ method: 'GET', url: `${base}/start`, headers: {}, timeoutMs: 5_000 });

    expect(response.status).toBe(302);
    expect(seen.map((r) => r.url)).toEqual(['/start']);
  });

  it('reports an oversized answer without its body', async () => {
    answer = (res) => res.writeHead(200).end('x'.repeat(MAX_BODY_BYTES + 1));

    const response = await fetchTransport({ method: 'GET', url: `${base}/big`, headers: {}, timeoutMs: 5_000 });

    expect(response).toMatchObject({ status: 200, body: '', bodyProblem: expect.stringMatching(/^larger than 65536 bytes/) });
  });

  it('names a request with no answer in time a timeout', async () => {
    answer = () => undefined; // never answers

    const error = await fetchTransport({ method: 'GET', url: `${base}/slow`, headers: {}, timeoutMs: 50 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ kind: 'timeout', message: 'no complete answer within 50 ms', cause: expect.anything() });
  });

  it('names a request abandoned because the invocation is ending aborted', async () => {
    answer = () => undefined;
    const controller = new AbortController();

    const pending = fetchTransport({ method: 'GET', url: `${base}/slow`, headers: {}, timeoutMs: 5_000, signal: controller.signal });
    controller.abort();

    await expect(pending).rejects.toMatchObject({ kind: 'aborted', message: 'the invocation is ending, request abandoned', cause: expect.anything() });
  });

  it('names a refused connection a network error with its code', async () => {
    const port = await freeLoopbackPort();

    const error = await fetchTransport({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {}, timeoutMs: 5_000 }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'TransportError', kind: 'network', message: 'network error (ECONNREFUSED)', cause: expect.anything() });
  });

  it("names the innermost cause: a proxy's refusal, three levels down, with undici's message rather than its generic code", async () => {
    // As undici's fetch rejects when an egress proxy answers CONNECT with 407 (seen on Node 24)
    const refusal = Object.assign(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), { name: 'AbortError', code: 'UND_ERR_ABORTED' });
    const cancelled = Object.assign(new Error('Request was cancelled.', { cause: refusal }), { code: 0 });
    const fetchFailed = new TypeError('fetch failed', { cause: cancelled });
    const original = global.fetch;
    global.fetch = (() => Promise.reject(fetchFailed)) as typeof fetch;
    try {
      const error = await fetchTransport({ method: 'GET', url: 'https://hopae.test/', headers: {}, timeoutMs: 5_000 }).catch((e: unknown) => e);

      expect(error).toMatchObject({ kind: 'network', message: 'network error (Proxy response (407) !== 200 when HTTP Tunneling)' });
    } finally {
      global.fetch = original;
    }
  });

  it('names a TLS refusal by its code', async () => {
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const original = global.fetch;
    global.fetch = (() => Promise.reject(new TypeError('fetch failed', { cause: tls }))) as typeof fetch;
    try {
      const error = await fetchTransport({ method: 'GET', url: 'https://hopae.test/', headers: {}, timeoutMs: 5_000 }).catch((e: unknown) => e);

      expect(error).toMatchObject({ kind: 'network', message: 'network error (DEPTH_ZERO_SELF_SIGNED_CERT)' });
    } finally {
      global.fetch = original;
    }
  });
});
