/**
 * A faithful stand-in for the parts of Hopae's Connect API that rotation touches, written from
 * ../shared/docs/hopae-api.md: rotate (Bearer, Idempotency-Key replay for 24 hours, old secret
 * dead at once), providers (Basic), workspace and app lookups, both error body shapes, and fault
 * hooks for tests. It keeps all state in memory and prints nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { LoopbackServer, type TlsIdentity } from './loopback-server';

export type StandInRoute = 'rotate' | 'providers' | 'workspace' | 'app' | 'apps';

/** What a fault does to a matching request. */
export type FaultAction =
  /** Answer this status with an error body (the route's own shape unless `shape` says otherwise). */
  | { readonly type: 'status'; readonly status: number; readonly code?: string; readonly shape?: 'workspace' | 'problem' | 'empty' | 'html'; readonly retryAfter?: string }
  /** Close the connection without an answer. */
  | { readonly type: 'drop' }
  /** Answer with exactly this body. */
  | { readonly type: 'raw'; readonly status: number; readonly body: string | Buffer; readonly contentType?: string; readonly gzip?: boolean }
  /** Wait, then go on as normal (before the commit: the request is "in progress" meanwhile). */
  | { readonly type: 'delay'; readonly ms: number };

export interface Fault {
  readonly route: StandInRoute;
  /**
   * before-commit: the request fails before Hopae's logic runs (nothing is rotated);
   * after-commit: the logic ran (a rotation committed or was replayed) and the answer is replaced.
   */
  readonly phase: 'before-commit' | 'after-commit';
  readonly action: FaultAction;
  /** Only requests for this app. */
  readonly clientId?: string;
  /** How many matching requests it hits; default 1. */
  readonly times?: number;
}

export interface RequestRecord {
  readonly route: StandInRoute | 'unknown';
  readonly method: string;
  readonly clientId?: string;
  readonly idempotencyKey?: string;
  /** The status sent, or 'dropped'. */
  readonly outcome: number | 'dropped';
  readonly replayed?: boolean;
  readonly faulted?: boolean;
}

interface App {
  readonly clientId: string;
  readonly workspaceId: string;
  readonly name: string;
  secret: string | undefined;
  rotations: number;
  /** When the current secret was committed, on the stand-in's clock. */
  committedAt: number | undefined;
}

interface IdempotencyRecord {
  readonly path: string;
  readonly createdAt: number;
  response?: { status: number; body: string };
}

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const BASE_PATH = '/connect/v1';

export interface HopaeStandInOptions {
  /** The stand-in's clock, e.g. to step past the 24-hour idempotency window. Defaults to Date.now. */
  readonly clock?: () => number;
  /** Serve HTTPS with this certificate, at https://<its hostname>:<port> (the server listens on 127.0.0.1). */
  readonly tls?: TlsIdentity;
}

/** Load behaviour for benchmarks: a rate limit on rotate, and slow answers at random. */
export interface LoadBehaviour {
  /** Rotate calls accepted per second; beyond that, 429 with Retry-After. */
  readonly rotatePerSecond?: number;
  readonly retryAfterSeconds?: number;
  /** Answer 429 without a Retry-After header (Hopae does not promise one). */
  readonly omitRetryAfter?: boolean;
  /** Share of requests (0..1) answered after `slowMs`. */
  readonly slowShare?: number;
  readonly slowMs?: number;
  /** Random numbers in [0, 1); seed it for repeatable runs. */
  readonly random?: () => number;
}

export class HopaeStandIn {
  private readonly workspaceKeys = new Map<string, string>();
  private readonly apps = new Map<string, App>();
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  private readonly faults: Array<Fault & { remaining: number }> = [];
  private readonly listeners: Array<(clientId: string, at: number) => void> = [];
  private clockOffsetMs = 0;
  private load: LoadBehaviour = {};
  private rateWindow = { second: 0, count: 0 };
  private readonly http: LoopbackServer;
  readonly requests: RequestRecord[] = [];
  /** Every secret the stand-in ever issued or was seeded with, for log scans. */
  readonly issuedSecrets: string[] = [];

  constructor(private readonly options: HopaeStandInOptions = {}) {
    this.http = new LoopbackServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    }, options.tls);
  }

  /** Starts listening on a free loopback port; returns the API base URL (with /connect/v1). */
  async start(port = 0): Promise<string> {
    await this.http.start(port);
    return this.baseUrl;
  }

  get baseUrl(): string {
    return this.options.tls ? `https://${this.options.tls.hostname}:${this.http.port}${BASE_PATH}` : `http://127.0.0.1:${this.http.port}${BASE_PATH}`;
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  /** Registers a workspace API key; returns it. */
  addWorkspace(workspaceId = 'ws_local', apiKey = `sk_workspace_test_${randomBytes(16).toString('hex')}`): string {
    this.workspaceKeys.set(apiKey, workspaceId);
    return apiKey;
  }

  /** Revokes a workspace API key, as deleting it in Hopae's console would. */
  revokeWorkspaceKey(apiKey: string): void {
    this.workspaceKeys.delete(apiKey);
  }

  /** Registers an app. With `withSecret`, it already has a secret (returned); otherwise it has none yet. */
  addApp(clientId: string, workspaceId = 'ws_local', withSecret = true): string | undefined {
    const secret = withSecret ? newSecret() : undefined;
    if (secret) this.issuedSecrets.push(secret);
    this.apps.set(clientId, { clientId, workspaceId, name: `App ${clientId}`, secret, rotations: 0, committedAt: undefined });
    return secret;
  }

  /** Whether Basic clientId:clientSecret would be accepted now. */
  accepts(clientId: string, clientSecret: string | undefined): boolean {
    const app = this.apps.get(clientId);
    return clientSecret !== undefined && app?.secret !== undefined && app.secret === clientSecret;
  }

  /** The secret Hopae accepts for an app now (for invariant checks; never printed). */
  currentSecret(clientId: string): string | undefined {
    return this.apps.get(clientId)?.secret;
  }

  /** Real rotations committed for an app (replays do not count). */
  rotations(clientId: string): number {
    return this.apps.get(clientId)?.rotations ?? 0;
  }

  /** Called at each real commit, with the stand-in clock's time. */
  onCommit(listener: (clientId: string, at: number) => void): void {
    this.listeners.push(listener);
  }

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  setLoadBehaviour(load: LoadBehaviour): void {
    this.load = load;
  }

  /** Whether a retry with this Idempotency-Key would be replayed (a commit Hopae still remembers). */
  replayable(idempotencyKey: string, workspaceId = 'ws_local'): boolean {
    const record = this.idempotency.get(`${workspaceId}:${idempotencyKey}`);
    return record?.response !== undefined && this.now() - record.createdAt < IDEMPOTENCY_TTL_MS;
  }

  /** Moves the stand-in's clock forward, e.g. past the 24-hour idempotency window. */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  /** Forgets requests, faults and idempotency records; apps and keys stay. */
  resetTraffic(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.idempotency.clear();
  }

  count(route: StandInRoute, clientId?: string): number {
    return this.requests.filter((r) => r.route === route && (clientId === undefined || r.clientId === clientId)).length;
  }


  /** A fixed one-second window: true when this request is over the limit. */
  private overRate(perSecond: number): boolean {
    const second = Math.floor(Date.now() / 1000);
    if (this.rateWindow.second !== second) this.rateWindow = { second, count: 0 };
    this.rateWindow.count += 1;
    return this.rateWindow.count > perSecond;
  }

  private now(): number {
    return (this.options.clock ?? Date.now)() + this.clockOffsetMs;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await drain(req);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const rotate = /^\/connect\/v1\/apps\/([^/]+)\/rotate-client-secret$/.exec(path);
    const app = /^\/connect\/v1\/apps\/([^/]+)$/.exec(path);
    let route: StandInRoute | undefined;
    let clientId: string | undefined;
    if (rotate && method === 'POST') [route, clientId] = ['rotate', decodeURIComponent(rotate[1]!)];
    else if (path === `${BASE_PATH}/providers` && method === 'GET') route = 'providers';
    else if (path === `${BASE_PATH}/workspace` && method === 'GET') route = 'workspace';
    else if (path === `${BASE_PATH}/apps` && method === 'GET') route = 'apps';
    else if (app && method === 'GET') [route, clientId] = ['app', decodeURIComponent(app[1]!)];

    if (!route) {
      this.requests.push({ route: 'unknown', method, outcome: 404 });
      return sendWorkspaceError(res, 404, 'RESOURCE_NOT_FOUND', 'No such endpoint');
    }
    if (route === 'providers') clientId = basicClientId(req.headers.authorization);
    const idempotencyKey = headerValue(req.headers['idempotency-key']);
    const record = (outcome: number | 'dropped', extra: Partial<RequestRecord> = {}) =>
      this.requests.push({ route: route!, method, clientId, idempotencyKey, outcome, ...extra });

    const random = this.load.random ?? Math.random;
    if (this.load.slowShare && random() < this.load.slowShare) await this.http.wait(this.load.slowMs ?? 200);
    if (route === 'rotate' && this.load.rotatePerSecond && this.overRate(this.load.rotatePerSecond)) {
      record(429, { faulted: true });
      const answer = workspaceError(429, 'RATE_LIMITED', 'Too many requests');
      const retryAfter = this.load.omitRetryAfter ? {} : { 'retry-after': String(this.load.retryAfterSeconds ?? 1) };
      res.writeHead(429, { 'content-type': 'application/json', ...retryAfter }).end(answer.body);
      return;
    }

    // A delay before the commit of a rotation is spent "in progress", after its Idempotency-Key is taken.
    let processingDelayMs = 0;
    const before = this.takeFault(route, 'before-commit', clientId);
    if (before?.type === 'delay') {
      if (route === 'rotate') processingDelayMs = before.ms;
      else await this.http.wait(before.ms);
    } else if (before) {
      return this.applyFault(res, route, before, record);
    }

    const answer = await this.answer(route, req, clientId, url, processingDelayMs);
    return this.finish(res, route, clientId, answer, record);
  }

  private async finish(
    res: ServerResponse,
    route: StandInRoute,
    clientId: string | undefined,
    answer: Answer,
    record: (outcome: number | 'dropped', extra?: Partial<RequestRecord>) => void,
  ): Promise<void> {
    const after = this.takeFault(route, 'after-commit', clientId);
    if (after) {
      if (after.type === 'delay') await this.http.wait(after.ms);
      else return this.applyFault(res, route, after, record);
    }
    record(answer.status, answer.replayed ? { replayed: true } : {});
    res.writeHead(answer.status, { 'content-type': 'application/json', 'x-request-id': randomUUID(), ...answer.headers });
    res.end(answer.body);
  }

  private async answer(
    route: StandInRoute,
    req: IncomingMessage,
    clientId: string | undefined,
    url: URL,
    processingDelayMs: number,
  ): Promise<Answer> {
    if (route === 'providers') return this.providers(req.headers.authorization);
    const workspaceId = this.workspaceKeys.get(bearer(req.headers.authorization) ?? '');
    if (!workspaceId) return workspaceError(401, 'AUTH_INVALID_CREDENTIALS', 'Invalid or missing API key');
    if (route === 'workspace') return json(200, { id: workspaceId, name: `Workspace ${workspaceId}` });
    if (route === 'apps') {
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(offset) || offset < 0) {
        return workspaceError(400, 'VALIDATION_INVALID_PARAMETER', 'limit must be 1..100 and offset >= 0');
      }
      const all = [...this.apps.values()].filter((a) => a.workspaceId === workspaceId);
      return json(200, { data: all.slice(offset, offset + limit).map(appView), total: all.length, limit, offset });
    }
    const app = this.apps.get(clientId ?? '');
    if (!app || app.workspaceId !== workspaceId) return workspaceError(404, 'RESOURCE_NOT_FOUND', 'App not found');
    if (route === 'app') return json(200, appView(app));
    return this.rotate(app, workspaceId, headerValue(req.headers['idempotency-key']), url.pathname, processingDelayMs);
  }

  private async rotate(
    app: App,
    workspaceId: string,
    idempotencyKey: string | undefined,
    path: string,
    processingDelayMs: number,
  ): Promise<Answer> {
    if (idempotencyKey !== undefined) {
      if (idempotencyKey.length === 0 || idempotencyKey.length > 255) {
        return workspaceError(400, 'VALIDATION_INVALID_PARAMETER', 'Idempotency-Key must be 1 to 255 characters');
      }
      const slot = `${workspaceId}:${idempotencyKey}`;
      const existing = this.idempotency.get(slot);
      if (existing && this.now() - existing.createdAt < IDEMPOTENCY_TTL_MS) {
        if (existing.path !== path) return workspaceError(409, 'IDEMPOTENCY_KEY_CONFLICT', 'Idempotency-Key was used for a different request');
        if (!existing.response) return workspaceError(409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS', 'A request with this Idempotency-Key is in progress');
        return { ...existing.response, headers: { 'idempotency-replayed': 'true' }, replayed: true };
      }
      const entry: IdempotencyRecord = { path, createdAt: this.now() };
      this.idempotency.set(slot, entry);
      if (processingDelayMs > 0) await this.http.wait(processingDelayMs);
      // The clock jumped past the 24-hour window while this request was in progress (tests move
      // the clock; real requests do not last a day): it expired with its record, uncommitted.
      if (this.idempotency.get(slot) !== entry) return workspaceError(500, 'SYSTEM_INTERNAL_ERROR', 'The request expired');
      const answer = this.commit(app);
      entry.response = { status: answer.status, body: answer.body };
      return answer;
    }
    if (processingDelayMs > 0) await this.http.wait(processingDelayMs);
    return this.commit(app);
  }

  private commit(app: App): Answer {
    app.secret = newSecret();
    this.issuedSecrets.push(app.secret);
    app.rotations += 1;
    app.committedAt = this.now();
    for (const listener of this.listeners) listener(app.clientId, app.committedAt);
    return json(201, { clientSecret: app.secret });
  }

  private providers(authorization: string | undefined): Answer {
    const pair = basicPair(authorization);
    if (!pair || !this.accepts(pair.clientId, pair.clientSecret)) {
      return problem(401, 'AUTH.INVALID_CREDENTIALS', 100001, 'Invalid client credentials. Credentials have been rotated or are wrong.');
    }
    return json(200, [
      { id: 'bankidse', name: 'BankID Sweden' },
      { id: 'itsme', name: 'itsme' },
    ]);
  }

  private takeFault(route: StandInRoute, phase: Fault['phase'], clientId: string | undefined): FaultAction | undefined {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && f.route === route && f.phase === phase && (f.clientId === undefined || f.clientId === clientId),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    return fault.action;
  }

  private applyFault(
    res: ServerResponse,
    route: StandInRoute,
    action: Exclude<FaultAction, { type: 'delay' }>,
    record: (outcome: number | 'dropped', extra?: Partial<RequestRecord>) => void,
  ): void {
    if (action.type === 'drop') {
      record('dropped', { faulted: true });
      res.socket?.destroy();
      return;
    }
    if (action.type === 'raw') {
      record(action.status, { faulted: true });
      const encoding = action.gzip ? { 'content-encoding': 'gzip' } : {};
      res.writeHead(action.status, { 'content-type': action.contentType ?? 'application/json', ...encoding }).end(action.gzip ? gzipSync(action.body) : action.body);
      return;
    }
    record(action.status, { faulted: true });
    const shape = action.shape ?? (route === 'providers' ? 'problem' : 'workspace');
    const headers: Record<string, string> = action.retryAfter ? { 'retry-after': action.retryAfter } : {};
    const code = action.code ?? defaultCode(action.status);
    let answer: Answer;
    if (shape === 'workspace') answer = workspaceError(action.status, code, 'Injected fault');
    else if (shape === 'problem') answer = problem(action.status, code, action.status, 'Injected fault');
    else if (shape === 'html') answer = { status: action.status, body: '<html><body><h1>Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } };
    else answer = { status: action.status, body: '' };
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers, ...headers }).end(answer.body);
  }
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
  readonly replayed?: boolean;
}

function newSecret(): string {
  return randomBytes(32).toString('hex');
}

function json(status: number, value: unknown): Answer {
  return { status, body: JSON.stringify(value) };
}

function workspaceError(status: number, code: string, message: string): Answer {
  return json(status, { error: { code, message, details: {} }, request_id: `req_${randomBytes(6).toString('hex')}` });
}

function problem(status: number, title: string, code: number, detail: string): Answer {
  return {
    status,
    body: JSON.stringify({ type: `urn:org:hopae:problem-type:client/${code}`, title, status, code, detail }),
    headers: { 'content-type': 'application/problem+json' },
  };
}

function sendWorkspaceError(res: ServerResponse, status: number, code: string, message: string): void {
  const answer = workspaceError(status, code, message);
  res.writeHead(status, { 'content-type': 'application/json' }).end(answer.body);
}

function defaultCode(status: number): string {
  if (status === 401) return 'AUTH_INVALID_CREDENTIALS';
  if (status === 403) return 'AUTH_FORBIDDEN';
  if (status === 404) return 'RESOURCE_NOT_FOUND';
  if (status === 409) return 'RESOURCE_CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'SYSTEM_INTERNAL_ERROR';
  return 'VALIDATION_INVALID_PARAMETER';
}

function appView(app: App): Record<string, unknown> {
  return { clientId: app.clientId, name: app.name };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function bearer(authorization: string | undefined): string | undefined {
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  return match?.[1];
}

function basicPair(authorization: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic (.+)$/.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

function basicClientId(authorization: string | undefined): string | undefined {
  return basicPair(authorization)?.clientId;
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.resume();
    req.on('end', resolve);
    req.on('error', () => resolve());
  });
}

