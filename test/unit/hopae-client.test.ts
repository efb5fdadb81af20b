import { DEFAULT_RETRY, type RetrySettings } from '../../lambda/config';
import { HopaeProtocolError, HopaeRejectedError, HopaeUnavailableError } from '../../lambda/errors';
import { HopaeClient } from '../../lambda/hopae/client';
import type { HttpTransport } from '../../lambda/hopae/http';
import { HEX_SECRET, ScriptedTransport, VirtualClock, type Scripted } from '../support/fake-http';
import { MemoryLogger } from '../support/silent-logger';

const BASE = 'https://sandbox.api.hopae.com/connect/v1';
const KEY = 'sk_workspace_test_abc123';
const TOKEN = '11111111-2222-3333-4444-555555555555';

function setup(...script: Scripted[]) {
  return setupWith({}, ...script);
}

interface SetupOptions {
  readonly random?: () => number;
  readonly retry?: Partial<RetrySettings>;
  /** The invocation's signal, passed to every call. */
  readonly signal?: AbortSignal;
  /** Replaces the virtual clock's sleep (which it may still call). */
  readonly sleep?: (clock: VirtualClock) => (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly transport?: HttpTransport;
  readonly onRetry?: (operation: string) => void;
}

function setupWith(options: SetupOptions, ...script: Scripted[]) {
  const http = new ScriptedTransport(...script);
  const clock = new VirtualClock();
  const logger = new MemoryLogger();
  const client = new HopaeClient({
    baseUrl: BASE,
    transport: options.transport ?? http.transport,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    logger,
    sleep: options.sleep?.(clock) ?? clock.sleep,
    now: clock.now,
    random: options.random ?? (() => 1), // the full backoff step, so delays are predictable
    onRetry: options.onRetry,
  });
  const { signal } = options;
  const rotate = (clientId = 'HqTRDIYH', deadlineMs = 50_000) =>
    client.rotateClientSecret({ clientId, apiKey: KEY, idempotencyKey: TOKEN, deadline: clock.nowMs + deadlineMs, signal });
  const check = (label = 'pending', deadlineMs = 50_000) =>
    client.checkCredentials({ clientId: 'HqTRDIYH', clientSecret: HEX_SECRET, label, deadline: clock.nowMs + deadlineMs, signal });
  return { http, clock, logger, client, rotate, check };
}

const ok = { status: 201, body: { clientSecret: HEX_SECRET } };
const workspaceError = (status: number, code: string) => ({
  status,
  body: { error: { code, message: 'x', details: {} }, request_id: 'req_1' },
});

describe('HopaeClient.rotateClientSecret: the request', () => {
  it('POSTs to the app path with Bearer key, the token as Idempotency-Key and no body', async () => {
    const { http, rotate } = setup(ok);

    const result = await rotate();

    expect(result).toEqual({ clientSecret: HEX_SECRET, replayed: false, attempts: 1 });
    expect(http.requests).toHaveLength(1);
    const [request] = http.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe(`${BASE}/apps/HqTRDIYH/rotate-client-secret`);
    expect(request!.headers).toMatchObject({ Authorization: `Bearer ${KEY}`, 'Idempotency-Key': TOKEN });
    expect(request).not.toHaveProperty('body');
  });

  it('URL-encodes the clientId as one path segment', async () => {
    const { http, rotate } = setup(ok);

    await rotate('a/b?c#d e');

    expect(http.requests[0]!.url).toBe(`${BASE}/apps/a%2Fb%3Fc%23d%20e/rotate-client-secret`);
  });

  it.each([200, 201, 202])('accepts any 2xx (%i) with a non-empty clientSecret', async (status) => {
    const { rotate } = setup({ status, body: { clientSecret: 'not-hex-but-fine' } });

    await expect(rotate()).resolves.toMatchObject({ clientSecret: 'not-hex-but-fine' });
  });

  it('reports Idempotency-Replayed: true', async () => {
    const { rotate } = setup({ ...ok, headers: { 'Idempotency-Replayed': 'true' } });

    await expect(rotate()).resolves.toMatchObject({ replayed: true });
  });
});

describe('HopaeClient.rotateClientSecret: retries with the same Idempotency-Key', () => {
  it.each<[string, Scripted]>([
    ['a network error', { error: 'network' }],
    ['a timeout', { error: 'timeout' }],
    ['500', workspaceError(500, 'SYSTEM_INTERNAL_ERROR')],
    ['502 with an HTML body', { status: 502, body: '<html>Bad Gateway</html>' }],
    ['503 with an empty body', { status: 503, body: '' }],
    ['429', { status: 429, body: '' }],
    ['409 IDEMPOTENCY_REQUEST_IN_PROGRESS', workspaceError(409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS')],
    ['200 with HTML', { status: 200, body: '<!DOCTYPE html><html></html>' }],
    ['201 with an empty body', { status: 201, body: '' }],
    ['201 without clientSecret', { status: 201, body: { id: 'x' } }],
    ['201 with an empty clientSecret', { status: 201, body: { clientSecret: '' } }],
    ['201 with a numeric clientSecret', { status: 201, body: { clientSecret: 42 } }],
    ['201 with a JSON array', { status: 201, body: [] }],
  ])('retries after %s and returns the replayed secret', async (_name, first) => {
    const { http, rotate } = setup(first, { ...ok, headers: { 'idempotency-replayed': 'true' } });

    const result = await rotate();

    expect(result).toEqual({ clientSecret: HEX_SECRET, replayed: true, attempts: 2 });
    expect(http.requests.map((r) => r.headers['Idempotency-Key'])).toEqual([TOKEN, TOKEN]);
  });

  it('backs off exponentially, capped by maxDelayMs', async () => {
    const failures = Array.from({ length: 7 }, () => ({ status: 503 }));
    const { clock, rotate } = setup(...failures, ok);

    await rotate('HqTRDIYH', 120_000);

    expect(clock.sleeps).toEqual([200, 400, 800, 1600, 3200, 4000, 4000]);
  });

  it('honours Retry-After in seconds, beyond the backoff cap, and adds jitter so a fleet does not retry in lock-step', async () => {
    const early = setupWith({ random: () => 0 }, { status: 429, headers: { 'Retry-After': '7' } }, ok);
    const late = setupWith({ random: () => 0.5 }, { status: 429, headers: { 'Retry-After': '7' } }, ok);

    await early.rotate();
    await late.rotate();

    expect(early.clock.sleeps).toEqual([7000]);
    // Throttling jitter starts at 4 × maxDelayMs: half of 16 s on top of the 7 s asked for.
    expect(late.clock.sleeps).toEqual([15000]);
  });

  it('a Retry-After longer than the invocation has left ends the attempts naming how long Hopae asked for', async () => {
    const { http, clock, rotate } = setup({ status: 429, headers: { 'Retry-After': '3600' } }, ok);

    const error = await rotate('HqTRDIYH', 50_000).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HopaeUnavailableError);
    expect((error as Error).message).toMatch(/\(last: 429 \(empty body\); Hopae asked to retry after 3600 s \(Retry-After\), more than the 50 s this invocation has left\)/);
    expect((error as Error).message).not.toMatch(/no time left/);
    expect(http.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('honours Retry-After as an HTTP date, with the failure backoff as jitter on top', async () => {
    const retryAt = new Date(new VirtualClock().nowMs + 3000).toUTCString();
    const { clock, rotate } = setup({ status: 503, headers: { 'Retry-After': retryAt } }, ok);

    await rotate();

    expect(clock.sleeps).toEqual([3000 + DEFAULT_RETRY.baseDelayMs]);
  });

  it.each<[string, Scripted]>([
    ['429 without Retry-After', { status: 429, body: '' }],
    ['409 IDEMPOTENCY_REQUEST_IN_PROGRESS', workspaceError(409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS')],
  ])('backs off exponentially on %s, from 4 × maxDelayMs and beyond it, bounded by the time left', async (_name, answer) => {
    const { clock, rotate } = setupWith({ random: () => 0.5 }, ...Array.from({ length: 5 }, () => answer), ok);

    await rotate('HqTRDIYH', 600_000);

    expect(clock.sleeps).toEqual([8000, 16000, 32000, 64000, 128000]);
  });

  it.each<[string, Scripted]>([
    ['429 without Retry-After', { status: 429, body: '' }],
    ['429 with Retry-After: 1', { status: 429, headers: { 'Retry-After': '1' } }],
    ['409 IDEMPOTENCY_REQUEST_IN_PROGRESS', workspaceError(409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS')],
  ])('polls a Hopae that keeps answering %s a handful of times in a whole invocation, not hundreds', async (_name, answer) => {
    const { http, rotate } = setupWith({ random: () => 0.5 }, ...Array.from({ length: 600 }, () => answer));

    await expect(rotate('HqTRDIYH', 55_000)).rejects.toBeInstanceOf(HopaeUnavailableError);

    expect(http.requests.length).toBeGreaterThanOrEqual(4);
    expect(http.requests.length).toBeLessThanOrEqual(7);
  });

  it('draws the throttling wait over the time left once the step outgrows it, and makes that attempt the last', async () => {
    const answered = setupWith({ random: () => 1 }, { status: 429 }, { status: 429 }, ok);
    const refused = setupWith({ random: () => 1 }, { status: 429 }, { status: 429 }, { status: 429 }, ok);

    await expect(answered.rotate('HqTRDIYH', 30_000)).resolves.toMatchObject({ attempts: 3 });
    const error = await refused.rotate('HqTRDIYH', 30_000).catch((e: unknown) => e);

    // 16 s, then the 32 s step cut to what is left before the deadline minus one attempt's minimum.
    expect(answered.clock.sleeps).toEqual([16000, 13900]);
    expect(error).toBeInstanceOf(HopaeUnavailableError);
    expect((error as Error).message).toMatch(/after 3 attempts \(last: 429.*no time left/);
    expect(refused.http.remaining).toBe(1);
  });

  it('keeps waiting out 429s beyond rotateMaxAttempts while the invocation has time: throttling is not failure', async () => {
    const throttled = Array.from({ length: 3 }, () => ({ status: 429 }));
    const { http, rotate } = setupWith({ random: () => 0.001, retry: { rotateMaxAttempts: 2 } }, ...throttled, ok);

    await expect(rotate('HqTRDIYH', 50_000)).resolves.toMatchObject({ attempts: 4 });
    expect(http.requests).toHaveLength(4);
  });

  it('keeps waiting while Hopae says the same rotation is still in progress', async () => {
    const inProgress = Array.from({ length: 3 }, () => workspaceError(409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS'));
    const { rotate } = setupWith({ random: () => 0.001, retry: { rotateMaxAttempts: 2 } }, ...inProgress, { ...ok, headers: { 'idempotency-replayed': 'true' } });

    await expect(rotate('HqTRDIYH', 50_000)).resolves.toMatchObject({ replayed: true, attempts: 4 });
  });

  it('ends throttling at the deadline, never in a busy loop on Retry-After: 0', async () => {
    const throttled = Array.from({ length: 500 }, () => ({ status: 429, headers: { 'Retry-After': '0' } }));
    const { http, clock, rotate } = setupWith({ random: () => 0 }, ...throttled);

    const error = await rotate('HqTRDIYH', 10_000).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HopaeUnavailableError);
    expect((error as Error).message).toMatch(/429/);
    expect(Math.min(...clock.sleeps)).toBe(DEFAULT_RETRY.baseDelayMs);
    expect(http.requests.length).toBeLessThanOrEqual(10_000 / DEFAULT_RETRY.baseDelayMs + 1);
  });

  it('still stops after rotateMaxAttempts real failures, however many 429s came between', async () => {
    const mixed = Array.from({ length: 3 }, () => [{ status: 429, headers: { 'Retry-After': '0' } }, { status: 503 }]).flat() as Scripted[];
    const { http, rotate } = setupWith({ random: () => 0.001, retry: { rotateMaxAttempts: 3 } }, ...mixed, ok);

    await expect(rotate('HqTRDIYH', 600_000)).rejects.toBeInstanceOf(HopaeUnavailableError);
    expect(http.requests).toHaveLength(6);
  });

  it('gives up when Retry-After asks for more time than the invocation has, naming the last problem', async () => {
    const { http, rotate } = setup({ status: 429, headers: { 'Retry-After': '120' } }, ok);

    const error = await rotate('HqTRDIYH', 20_000).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HopaeUnavailableError);
    expect((error as Error).message).toMatch(/429 \(empty body\); Hopae asked to retry after 120 s \(Retry-After\), more than the 20 s this invocation has left/);
    expect(http.requests).toHaveLength(1);
  });

  it('stops after rotateMaxAttempts and says the same rotation can be retried within 24 hours', async () => {
    const failures = Array.from({ length: DEFAULT_RETRY.rotateMaxAttempts }, () => ({ error: 'network' as const }));
    const { http, rotate } = setup(...failures);

    const error = (await rotate('HqTRDIYH', 600_000).catch((e: unknown) => e)) as HopaeUnavailableError;

    expect(error).toBeInstanceOf(HopaeUnavailableError);
    expect(error.attempts).toBe(DEFAULT_RETRY.rotateMaxAttempts);
    expect(error.message).toMatch(/after 8 attempts.*network error.*within 24 hours/);
    expect(http.requests).toHaveLength(DEFAULT_RETRY.rotateMaxAttempts);
  });

  it('never starts an attempt after the deadline', async () => {
    const { http, rotate } = setup({ status: 503 }, { status: 503 }, { status: 503 }, ok);

    await expect(rotate('HqTRDIYH', 700)).rejects.toBeInstanceOf(HopaeUnavailableError);
    // 200 ms then 400 ms of backoff fit in 700 ms; a third wait would not.
    expect(http.requests.length).toBeLessThanOrEqual(3);
    expect(http.requests[http.requests.length - 1]!.timeoutMs).toBeLessThanOrEqual(700);
  });

  it('says no request was sent, and what to change, when the deadline has already passed', async () => {
    const { http, rotate } = setup(ok);

    const error = await rotate('HqTRDIYH', 50).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HopaeUnavailableError);
    expect((error as Error).message).toBe(
      "No request to rotate app HqTRDIYH was sent: no time left to call Hopae in this invocation. Nothing was rotated by it; the rotation is retried. If this repeats, raise the function's timeout or lower ROTATION_STORE_RESERVE_MS.",
    );
    expect((error as Error).message).not.toMatch(/may or may not have rotated/);
    expect(http.requests).toHaveLength(0);
  });

  it('caps each request timeout by the time left', async () => {
    const { http, rotate } = setup(ok);

    await rotate('HqTRDIYH', 3000);

    expect(http.requests[0]!.timeoutMs).toBe(3000);
  });

  it('ends as a protocol violation when every answer is a 2xx without a usable secret', async () => {
    const garbage = Array.from({ length: DEFAULT_RETRY.rotateMaxAttempts }, () => ({ status: 200, body: '<html>ok</html>' }));
    const { rotate } = setup(...garbage);

    const error = await rotate('HqTRDIYH', 600_000).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HopaeProtocolError);
    expect((error as Error).message).toMatch(/no usable clientSecret.*HTML body/);
  });

  it('logs each retry without the response body or key', async () => {
    const { logger, rotate } = setup({ status: 200, body: { clientSecret: '' , echo: KEY } }, ok);

    await rotate();

    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', message: 'Hopae call failed, retrying' }),
    ]);
    expect(logger.text()).not.toContain(KEY);
    expect(logger.text()).not.toContain(HEX_SECRET);
  });

  it('stops retrying when the invocation ends during the wait', async () => {
    const controller = new AbortController();
    const abortingSleep = () => async () => {
      controller.abort();
      throw new Error('aborted');
    };
    const { http, rotate } = setupWith({ signal: controller.signal, sleep: abortingSleep }, { status: 503 }, ok);

    const error = await rotate('A', 10_000).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HopaeUnavailableError);
    expect((error as Error).message).toMatch(/503.*invocation ended/);
    expect(http.requests).toHaveLength(1);
  });
});

describe('HopaeClient.rotateClientSecret: a 2xx answer that Hopae could not have meant is garbled, retried, never returned', () => {
  it.each<[string, Scripted, RegExp]>([
    ['a body over the size cap', { status: 201, bodyProblem: 'larger than 65536 bytes' }, /201 with a body larger than 65536 bytes/],
    ['a body that is not UTF-8', { status: 201, bodyProblem: 'not valid UTF-8' }, /201 with a body not valid UTF-8/],
    ['a clientSecret with a control character', { status: 201, body: { clientSecret: `${HEX_SECRET.slice(0, 10)}\u0000${HEX_SECRET.slice(11)}` } }, /control, whitespace or invisible characters/],
    ['a clientSecret with a newline', { status: 201, body: { clientSecret: `${HEX_SECRET}\n` } }, /control, whitespace or invisible characters/],
    ['a clientSecret with a space', { status: 201, body: { clientSecret: 'abc def' } }, /control, whitespace or invisible characters/],
    ['a clientSecret with a zero-width space', { status: 201, body: { clientSecret: `${HEX_SECRET.slice(0, 32)}\u200b${HEX_SECRET.slice(32)}` } }, /control, whitespace or invisible characters/],
    ['a clientSecret with a byte order mark', { status: 201, body: { clientSecret: `\ufeff${HEX_SECRET}` } }, /control, whitespace or invisible characters/],
    ['a clientSecret with a soft hyphen', { status: 201, body: { clientSecret: `${HEX_SECRET.slice(0, 32)}\u00ad${HEX_SECRET.slice(32)}` } }, /control, whitespace or invisible characters/],
    ['a clientSecret with a lone surrogate', { status: 201, body: `{"clientSecret":"${HEX_SECRET.slice(1)}\\ud800"}` }, /control, whitespace or invisible characters/],
    ['a clientSecret of 513 characters', { status: 201, body: { clientSecret: 'a'.repeat(513) } }, /longer than 512 characters \(513\)/],
    ['another app\'s clientId', { status: 201, body: { clientId: 'OtherApp', clientSecret: HEX_SECRET } }, /clientId that is not this app's/],
    ['a body of null', { status: 201, body: 'null' }, /JSON that is not an object/],
  ])('%s: retried with the same Idempotency-Key, the replay is returned', async (_name, garbled, problem) => {
    const { http, logger, rotate } = setup(garbled, { ...ok, headers: { 'Idempotency-Replayed': 'true' } });

    await expect(rotate()).resolves.toEqual({ clientSecret: HEX_SECRET, replayed: true, attempts: 2 });

    expect(new Set(http.requests.map((r) => r.headers['Idempotency-Key']))).toEqual(new Set([TOKEN]));
    expect(logger.text()).toMatch(problem);
  });

  it('accepts a clientSecret of exactly 512 printable characters and an answer naming this app', async () => {
    const long = 'A'.repeat(512);
    const { rotate } = setup({ status: 201, body: { clientId: 'HqTRDIYH', clientSecret: long } });

    await expect(rotate()).resolves.toMatchObject({ clientSecret: long, attempts: 1 });
  });

  it('ends as a protocol violation, naming the problem, when every answer is garbled', async () => {
    const garbled = Array.from({ length: DEFAULT_RETRY.rotateMaxAttempts }, () => ({ status: 201, body: { clientSecret: 'x\ty' } }));
    const { rotate } = setup(...garbled);

    const error = await rotate('HqTRDIYH', 600_000).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HopaeProtocolError);
    expect((error as Error).message).toMatch(/no usable clientSecret after 8 attempts \(last: 201 with a clientSecret with control, whitespace or invisible characters/);
    expect((error as Error).message).not.toContain('x\ty');
  });

  it('names an unreadable error body as such, not as empty', async () => {
    const { rotate } = setup({ status: 403, bodyProblem: 'larger than 65536 bytes' });

    await expect(rotate()).rejects.toThrow(/\(403 \(body larger than 65536 bytes\)\)/);
  });
});

describe('HopaeClient.rotateClientSecret: fails at once on a definite refusal', () => {
  it.each<[number, Scripted, RegExp]>([
    [400, workspaceError(400, 'VALIDATION_INVALID_PARAMETER'), /400 VALIDATION_INVALID_PARAMETER/],
    [401, workspaceError(401, 'AUTH_INVALID_CREDENTIALS'), /401 AUTH_INVALID_CREDENTIALS.*workspace API key is invalid/],
    [403, workspaceError(403, 'AUTH_FORBIDDEN'), /403 AUTH_FORBIDDEN/],
    [404, workspaceError(404, 'RESOURCE_NOT_FOUND'), /404 RESOURCE_NOT_FOUND.*not in this workspace/],
    [409, workspaceError(409, 'IDEMPOTENCY_KEY_CONFLICT'), /409 IDEMPOTENCY_KEY_CONFLICT.*different request/],
    [401, { status: 401, body: { type: 'urn:org:hopae:problem-type:client/100001', title: 'AUTH.INVALID_CREDENTIALS', status: 401, code: 100001 } }, /401 AUTH.INVALID_CREDENTIALS/],
    [404, { status: 404, body: '' }, /404 \(empty body\)/],
    [403, { status: 403, body: '<html>Forbidden</html>' }, /403 \(html body\)/],
    [400, { status: 400, body: 'plain words' }, /400 \(non-JSON body\)/],
    [302, { status: 302, body: '', headers: { location: 'https://evil.example' } }, /redirect/],
  ])('%i: %j', async (status, answer, message) => {
    const { http, rotate } = setup(answer, ok);

    const error = (await rotate().catch((e: unknown) => e)) as HopaeRejectedError;

    expect(error).toBeInstanceOf(HopaeRejectedError);
    expect(error.status).toBe(status);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('HqTRDIYH');
    expect(http.requests).toHaveLength(1);
  });

  it('names the request_id and never echoes an error body', async () => {
    const { rotate } = setup({ status: 404, body: { error: { code: 'RESOURCE_NOT_FOUND', message: `no app; key ${KEY}` }, request_id: 'req_42' } });

    const error = (await rotate().catch((e: unknown) => e)) as Error;

    expect(error.message).toContain('req_42');
    expect(error.message).not.toContain(KEY);
  });
});

describe('HopaeClient.checkCredentials', () => {
  it('GETs /providers with Basic clientId:clientSecret and passes on 200 with a JSON array', async () => {
    const { http, check } = setup({ status: 200, body: [{ id: 'bankidse' }] });

    await expect(check()).resolves.toEqual({ attempts: 1 });

    const [request] = http.requests;
    expect(request!.method).toBe('GET');
    expect(request!.url).toBe(`${BASE}/providers`);
    expect(request!.headers.Authorization).toBe(`Basic ${Buffer.from(`HqTRDIYH:${HEX_SECRET}`).toString('base64')}`);
  });

  it('fails with "pending secret was rejected by Hopae" when 401 persists through the short re-check', async () => {
    const rejected = { status: 401, body: { type: 'urn:x', title: 'AUTH.INVALID_CREDENTIALS', status: 401, code: 100001 } };
    const { http, check } = setup(rejected, rejected, rejected, rejected);

    const error = (await check().catch((e: unknown) => e)) as HopaeRejectedError;

    expect(error).toBeInstanceOf(HopaeRejectedError);
    expect(error.message).toMatch(/pending secret was rejected by Hopae.*401 AUTH.INVALID_CREDENTIALS/);
    expect(http.requests).toHaveLength(DEFAULT_RETRY.verifyMaxAttempts);
  });

  it('passes when a 401 turns into 200 (the new secret propagated)', async () => {
    const { check } = setup({ status: 401, body: '' }, { status: 200, body: [] });

    await expect(check()).resolves.toEqual({ attempts: 2 });
  });

  it.each<[string, Scripted]>([
    ['503', { status: 503 }],
    ['429', { status: 429, headers: { 'retry-after': '1' } }],
    ['a timeout', { error: 'timeout' }],
    ['200 with HTML', { status: 200, body: '<html></html>' }],
  ])('retries briefly after %s', async (_name, first) => {
    const { check } = setup(first, { status: 200, body: [] });

    await expect(check()).resolves.toEqual({ attempts: 2 });
  });

  it('gives up as unavailable after verifyMaxAttempts', async () => {
    const { check } = setup({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });

    await expect(check()).rejects.toBeInstanceOf(HopaeUnavailableError);
  });

  it('fails at once on 403', async () => {
    const { http, check } = setup({ status: 403, body: '' }, { status: 200, body: [] });

    await expect(check('current')).rejects.toThrow(/current secret of app HqTRDIYH \(403/);
    expect(http.requests).toHaveLength(1);
  });

  it('never calls rotate', async () => {
    const { http, check } = setup({ status: 200, body: [] });

    await check();

    expect(http.requests.every((r) => r.method === 'GET' && !r.url.includes('rotate'))).toBe(true);
  });
});

describe('HopaeClient: the edges that decide between one more attempt and giving up', () => {
  it('sends exactly the headers rotate needs, and passes the invocation signal to the request and to the wait', async () => {
    const controller = new AbortController();
    const sleepSignals: Array<AbortSignal | undefined> = [];
    const recordingSleep = (clock: VirtualClock) => async (ms: number, signal?: AbortSignal) => {
      sleepSignals.push(signal);
      await clock.sleep(ms);
    };
    const { http, rotate } = setupWith({ signal: controller.signal, sleep: recordingSleep }, { status: 503 }, ok);

    await rotate();

    expect(http.requests[0]!.headers).toEqual({ Authorization: `Bearer ${KEY}`, 'Idempotency-Key': TOKEN, Accept: 'application/json' });
    expect(http.requests.map((r) => r.signal)).toEqual([controller.signal, controller.signal]);
    expect(sleepSignals).toEqual([controller.signal]);
  });

  it('sends exactly the headers verify needs, and passes the invocation signal', async () => {
    const controller = new AbortController();
    const { http, check } = setupWith({ signal: controller.signal }, { status: 200, body: [] });

    await check();

    expect(http.requests[0]!.headers).toEqual({ Authorization: `Basic ${Buffer.from(`HqTRDIYH:${HEX_SECRET}`).toString('base64')}`, Accept: 'application/json' });
    expect(http.requests[0]!.signal).toBe(controller.signal);
  });

  it('makes an attempt with exactly 100 ms left, and none with 99 ms', async () => {
    const enough = setup(ok);
    const tooLittle = setup(ok);

    await expect(enough.rotate('HqTRDIYH', 100)).resolves.toMatchObject({ attempts: 1 });
    await expect(tooLittle.rotate('HqTRDIYH', 99)).rejects.toBeInstanceOf(HopaeUnavailableError);
    expect(tooLittle.http.requests).toHaveLength(0);
  });

  it('gives each request the full request timeout when the invocation has more time than that', async () => {
    const { http, rotate } = setup(ok);

    await rotate('HqTRDIYH', 50_000);

    expect(http.requests[0]!.timeoutMs).toBe(DEFAULT_RETRY.requestTimeoutMs);
  });

  it('retries a failure only when the backoff and one more attempt fit before the deadline', async () => {
    // random 1: the first backoff step is 200 ms; an attempt needs 100 ms.
    const fits = setup({ status: 503 }, ok);
    const doesNot = setup({ status: 503 }, ok);

    await expect(fits.rotate('HqTRDIYH', 300)).resolves.toMatchObject({ attempts: 2 });
    const error = await doesNot.rotate('HqTRDIYH', 299).catch((e: unknown) => e);

    expect(fits.clock.sleeps).toEqual([200]);
    expect(error).toBeInstanceOf(HopaeUnavailableError);
    expect((error as Error).message).toMatch(/after 1 attempt \(last: 503 \(empty body\); no time left for another attempt within the invocation \(0 s left\)\)/);
    expect(doesNot.http.requests).toHaveLength(1);
    expect(doesNot.clock.sleeps).toEqual([]);
  });

  it('makes the attempt after a throttling wait that filled exactly the time left the last one', async () => {
    // 16,100 ms: 16,000 ms of room after one attempt's minimum, exactly the first throttling step.
    const { http, clock, rotate } = setup({ status: 429 }, { status: 429 }, { status: 429 }, ok);

    const error = await rotate('HqTRDIYH', 16_100).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HopaeUnavailableError);
    expect(clock.sleeps).toEqual([16_000]);
    expect(http.requests).toHaveLength(2);
  });

  it('never waits below baseDelayMs for a small Retry-After, on a failure or on throttling', async () => {
    const failure = setupWith({ random: () => 0 }, { status: 503, headers: { 'Retry-After': '0.1' } }, ok);
    const throttled = setupWith({ random: () => 0 }, { status: 429, headers: { 'Retry-After': '0.05' } }, ok);

    await failure.rotate();
    await throttled.rotate();

    expect(failure.clock.sleeps).toEqual([DEFAULT_RETRY.baseDelayMs]);
    expect(throttled.clock.sleeps).toEqual([DEFAULT_RETRY.baseDelayMs]);
  });

  it('does not wait, count or log a retry after the last allowed attempt', async () => {
    const retries: string[] = [];
    const failures = Array.from({ length: DEFAULT_RETRY.rotateMaxAttempts }, () => ({ status: 503 }));
    const { clock, logger, rotate } = setupWith({ onRetry: (op) => retries.push(op) }, ...failures);

    const error = await rotate('A', 600_000).catch((e: unknown) => e);

    expect((error as Error).message).toMatch(/after 8 attempts/);
    expect(clock.sleeps).toHaveLength(DEFAULT_RETRY.rotateMaxAttempts - 1);
    expect(retries).toEqual(Array.from({ length: DEFAULT_RETRY.rotateMaxAttempts - 1 }, () => 'rotate'));
    expect(logger.lines).toHaveLength(DEFAULT_RETRY.rotateMaxAttempts - 1);
  });

  it('counts verify retries as verify', async () => {
    const retries: string[] = [];
    const { check } = setupWith({ onRetry: (op) => retries.push(op) }, { status: 503 }, { status: 200, body: [] });

    await check();

    expect(retries).toEqual(['verify']);
  });

  it('lets an error that is not a transport failure through at once, without retrying', async () => {
    let calls = 0;
    const buggy: HttpTransport = async () => {
      calls += 1;
      throw new TypeError('a bug, not the network');
    };
    const { rotate } = setupWith({ transport: buggy });

    await expect(rotate()).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });

  it('names the transport problem in the final error', async () => {
    const { rotate } = setupWith({ retry: { rotateMaxAttempts: 1 } }, { error: 'network' });

    await expect(rotate()).rejects.toThrow(
      'Hopae did not complete the rotation of app HqTRDIYH after 1 attempt (last: network error (ECONNRESET)). Hopae may or may not have rotated the secret. Retry this rotation within 24 hours: the same Idempotency-Key makes Hopae return the same secret instead of rotating again.',
    );
  });

  it.each<[string, Scripted]>([
    ['408', { status: 408 }],
    ['599', { status: 599 }],
    ['201 with JSON null', { status: 201, body: 'null' }],
  ])('rotate retries after %s', async (_name, first) => {
    const { rotate } = setup(first, ok);

    await expect(rotate()).resolves.toMatchObject({ attempts: 2 });
  });

  it.each([
    [300, /HqTRDIYH \(300 \(empty body\)\): unexpected redirect; check HOPAE_API_BASE_URL\.$/],
    [399, /: unexpected redirect; check HOPAE_API_BASE_URL\.$/],
    [409, /\(409 CONFLICT_OTHER, request_id req_1\): Hopae reports a conflict\.$/],
    [422, /^Hopae refused to rotate the clientSecret of app HqTRDIYH \(422 UNPROCESSABLE, request_id req_1\)$/],
  ])('rotate refuses %i at once with its own message', async (status, message) => {
    const answer = status === 409 ? workspaceError(409, 'CONFLICT_OTHER') : status === 422 ? workspaceError(422, 'UNPROCESSABLE') : { status, body: '' };
    const { http, rotate } = setup(answer, ok);

    const error = (await rotate().catch((e: unknown) => e)) as HopaeRejectedError;

    expect(error).toBeInstanceOf(HopaeRejectedError);
    expect(error.message).toMatch(message);
    expect(http.requests).toHaveLength(1);
  });

  it.each([
    [' True ', true],
    ['false', false],
    [undefined, false],
  ])('reads Idempotency-Replayed %j as %s', async (value, replayed) => {
    const { rotate } = setup({ ...ok, headers: value === undefined ? {} : { 'Idempotency-Replayed': value } });

    await expect(rotate()).resolves.toMatchObject({ replayed });
  });

  it.each<[string, Scripted]>([
    ['500', { status: 500 }],
    ['502', { status: 502, body: '<html></html>' }],
    ['408', { status: 408 }],
    ['429 without Retry-After', { status: 429 }],
    ['a network error', { error: 'network' }],
    ['200 with JSON null', { status: 200, body: 'null' }],
    ['200 with an object', { status: 200, body: { providers: [] } }],
    ['200 with a body over the cap', { status: 200, bodyProblem: 'larger than 65536 bytes' }],
  ])('verify retries after %s instead of failing for good', async (_name, first) => {
    const { http, check } = setup(first, { status: 200, body: [] });

    await expect(check()).resolves.toEqual({ attempts: 2 });
    expect(http.requests).toHaveLength(2);
  });

  it('verify ends as a protocol violation when every 200 is not the providers list', async () => {
    const { check } = setup(...Array.from({ length: DEFAULT_RETRY.verifyMaxAttempts }, () => ({ status: 200, body: 'null' })));

    const error = await check('pending', 600_000).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HopaeProtocolError);
    expect((error as Error).message).toBe(
      "Hopae's check of the pending secret of app HqTRDIYH gave no valid answer after 4 attempts (last: 200 with JSON that is not an object instead of the providers list)",
    );
  });

  it('verify ends as unavailable naming the attempts and the last problem', async () => {
    const { check } = setupWith({ retry: { verifyMaxAttempts: 1 } }, { status: 503 });

    await expect(check()).rejects.toThrow('Hopae could not check the pending secret of app HqTRDIYH after 1 attempt (last: 503 (empty body))');
  });

  it('verify keeps the status and code of a lasting 401', async () => {
    const rejected = { status: 401, body: { type: 'urn:x', title: 'AUTH.INVALID_CREDENTIALS', status: 401 } };
    const { check } = setupWith({ retry: { verifyMaxAttempts: 2 } }, rejected, rejected);

    const error = (await check().catch((e: unknown) => e)) as HopaeRejectedError;

    expect(error.message).toBe(
      'The pending secret was rejected by Hopae for app HqTRDIYH (401 AUTH.INVALID_CREDENTIALS, 2 attempts): the app was rotated again elsewhere after this rotation stored its secret, or Hopae has not taken the new secret everywhere yet. The workspace key is not involved. Run `hopae-rotation recover <secret>`: it asks Hopae which stored pair works and names the way out.',
    );
    expect(error.message).not.toMatch(/HOPAE_API_KEY_SECRET_ID|sk_workspace/);
    expect(error.status).toBe(401);
    expect(error.hopaeCode).toBe('AUTH.INVALID_CREDENTIALS');
  });

  it.each([
    [404, 'Hopae refused the check of the current secret of app HqTRDIYH (404 (empty body)): check HOPAE_API_BASE_URL'],
    [403, 'Hopae refused the check of the current secret of app HqTRDIYH (403 (empty body))'],
  ])('verify refuses %i at once with its own message', async (status, message) => {
    const { check } = setup({ status, body: '' }, { status: 200, body: [] });

    const error = (await check('current').catch((e: unknown) => e)) as HopaeRejectedError;

    expect(error.message).toBe(message);
    expect(error.status).toBe(status);
  });
});

describe('HopaeClient: survivors of the mutation run, killed', () => {
  it('waits out a Retry-After that takes exactly the time left, then tries once more', async () => {
    // 10,100 ms: 10,000 ms of room after one attempt's minimum, exactly the 10 s asked for.
    const { clock, rotate } = setupWith({ random: () => 0 }, { status: 429, headers: { 'Retry-After': '10' } }, ok);

    await expect(rotate('HqTRDIYH', 10_100)).resolves.toMatchObject({ attempts: 2 });
    expect(clock.sleeps).toEqual([10_000]);
  });

  it('draws the throttling jitter only over the room left after the Retry-After', async () => {
    const { clock, rotate } = setupWith({ random: () => 1 }, { status: 429, headers: { 'Retry-After': '7' } }, ok);

    await rotate('HqTRDIYH', 20_000);

    // 7 s asked for, plus all of the 12.9 s left of the 19.9 s room (less than the 16 s step).
    expect(clock.sleeps).toEqual([19_900]);
  });

  it('refuses a status below 200 instead of reading it as a success', async () => {
    const { rotate } = setup({ status: 199, body: { clientSecret: HEX_SECRET } });

    await expect(rotate()).rejects.toBeInstanceOf(HopaeRejectedError);
  });

  it('takes IDEMPOTENCY_REQUEST_IN_PROGRESS for "in progress" only on a 409', async () => {
    const { http, rotate } = setup(workspaceError(400, 'IDEMPOTENCY_REQUEST_IN_PROGRESS'), ok);

    await expect(rotate()).rejects.toThrow(/400 IDEMPOTENCY_REQUEST_IN_PROGRESS/);
    expect(http.requests).toHaveLength(1);
  });

  it('says Hopae is still processing when "in progress" outlasts the invocation', async () => {
    const { rotate } = setupWith({ random: () => 1 }, ...Array.from({ length: 10 }, () => workspaceError(409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS')));

    await expect(rotate('HqTRDIYH', 30_000)).rejects.toThrow(/409 IDEMPOTENCY_REQUEST_IN_PROGRESS, request_id req_1: Hopae is still processing this rotation; no time left/);
  });

  it.each([
    [403, "the workspace API key may not manage this app. Use a key of the app's workspace. Nothing was rotated."],
    [400, 'Hopae considers the request invalid. Check "clientId" in the secret.'],
  ])('names what to do about a %i', async (status, advice) => {
    const { rotate } = setup(workspaceError(status, 'X'));

    await expect(rotate()).rejects.toThrow(`Hopae refused to rotate the clientSecret of app HqTRDIYH (${status} X, request_id req_1): ${advice}`);
  });

  it('honours a Retry-After on the check as well', async () => {
    const { clock, check } = setupWith({ random: () => 0 }, { status: 503, headers: { 'Retry-After': '7' } }, { status: 200, body: [] });

    await check();

    expect(clock.sleeps).toEqual([7_000]);
  });

  it('keeps checking through 429s beyond verifyMaxAttempts: throttling is not failure there either', async () => {
    const { check } = setupWith({ random: () => 0.001, retry: { verifyMaxAttempts: 1 } }, { status: 429 }, { status: 429 }, { status: 200, body: [] });

    await expect(check()).resolves.toEqual({ attempts: 3 });
  });
});
