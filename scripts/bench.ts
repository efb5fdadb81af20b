/**
 * `npm run bench`: size, cold start, latency, calls per rotation and fleet scale, printed as a
 * table. Figures, not assertions: BENCHMARKS.md keeps the latest with the machine they ran on.
 *
 *   npm run bench                         everything, 1,000 secrets for the scale run
 *   npm run bench -- --secrets 200        a smaller fleet (also --concurrency, --hopae-rate, --rotations, --cold-runs)
 *   npm run bench -- --only size,calls    some sections (size, cold, latency, calls, scale, fleet)
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { buildSync } from 'esbuild';
import { DEFAULT_RETRY, DEFAULT_STORE_RESERVE_MS } from '../lambda/config';
import { HopaeClient } from '../lambda/hopae/client';
import { fetchTransport } from '../lambda/hopae/http';
import type { Log } from '../lambda/logger';
import { HopaeStandIn } from '../local/hopae-stand-in';
import { bundleRotationFunction } from '../local/bundle';
import { type LocalEnvironment, startLocalEnvironment } from '../local/local-environment';
import { beginRotation, type RotationHandler, runSteps, type StepRun } from '../local/rotation-driver';

const ROOT = join(__dirname, '..');
const WORK = join(ROOT, '.bench');

interface Options {
  readonly secrets: number;
  readonly concurrency: number;
  /** Rotations per second the stand-in accepts before answering 429. */
  readonly hopaeRate: number;
  readonly rotations: number;
  readonly coldRuns: number;
  readonly only: ReadonlySet<string>;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string, fallback: number) => {
    const index = argv.indexOf(`--${name}`);
    if (index < 0) return fallback;
    const n = Number(argv[index + 1]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number >= 1`);
    return n;
  };
  const onlyIndex = argv.indexOf('--only');
  const all = ['size', 'cold', 'latency', 'calls', 'scale', 'fleet'];
  const only = new Set(onlyIndex < 0 ? all : argv[onlyIndex + 1]!.split(','));
  for (const section of only) if (!all.includes(section)) throw new Error(`--only takes ${all.join(',')}`);
  return {
    secrets: value('secrets', 1000),
    concurrency: value('concurrency', 50),
    hopaeRate: value('hopae-rate', 25),
    rotations: value('rotations', 30),
    coldRuns: value('cold-runs', 15),
    only,
  };
}

type Row = readonly [section: string, measure: string, value: string];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // The scale run has many invocations in one process (one per container in Lambda), and middy
  // shares one AbortSignal between them: more than 10 abort listeners is expected, not a leak.
  setMaxListeners(options.concurrency * 4);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const rows: Row[] = [];
  console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);

  let bundlePath: string | undefined;
  if (options.only.has('size') || options.only.has('cold')) {
    const bundled = bundleRotationFunction();
    bundlePath = join(bundled.codeDirectory, 'index.js');
    const code = readFileSync(bundlePath);
    rows.push(['size', 'bundle index.js (the CDK asset)', `${kb(code.length)} (${kb(gzipSync(code).length)} gzipped)`]);
  }
  if (options.only.has('cold') && bundlePath) rows.push(...coldStart(bundlePath, options.coldRuns));
  if (['latency', 'calls', 'scale'].some((section) => options.only.has(section))) {
    // One local environment: the handler's clients are built once per process, as in a Lambda container.
    const local = await startLocalEnvironment({ POWERTOOLS_LOG_LEVEL: 'CRITICAL', POWERTOOLS_METRICS_DISABLED: 'true' }, { proxy: true });
    try {
      const handler = await local.loadHandler();
      if (options.only.has('latency') || options.only.has('calls')) rows.push(...(await latencyAndCalls(local, handler, options)));
      if (options.only.has('scale')) rows.push(...(await scale(local, handler, options)));
    } finally {
      await local.stop();
    }
  }

  if (options.only.has('fleet')) rows.push(...(await fleetStartedAtOnce(options)));

  const widths = [8, Math.max(...rows.map((r) => r[1].length)), 0];
  console.log(`${'section'.padEnd(widths[0]!)}  ${'measure'.padEnd(widths[1]!)}  value`);
  for (const [section, measure, value] of rows) console.log(`${section.padEnd(widths[0]!)}  ${measure.padEnd(widths[1]!)}  ${value}`);
}

/** Median time for a fresh Node process to load the bundle, beside a bundle of only the Secrets Manager client. */
function coldStart(bundlePath: string, runs: number): Row[] {
  const baseline = join(WORK, 'baseline.js');
  buildSync({
    stdin: { contents: "exports.SecretsManagerClient = require('@aws-sdk/client-secrets-manager').SecretsManagerClient;", resolveDir: ROOT, loader: 'js' },
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    keepNames: true,
    outfile: baseline,
    logLevel: 'silent',
  });
  const loadMs = (file: string, exported: string) => {
    const script = `const t=process.hrtime.bigint();const m=require(${JSON.stringify(file)});if(typeof m.${exported}!=='function')process.exit(3);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`loading ${file} failed: ${result.stderr}`);
    return { load: Number(result.stdout), process: Number(process.hrtime.bigint() - started) / 1e6 };
  };
  const ours: { load: number; process: number }[] = [];
  const base: { load: number; process: number }[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(loadMs(bundlePath, 'handler'));
    base.push(loadMs(baseline, 'SecretsManagerClient'));
  }
  const oursLoad = median(ours.map((r) => r.load));
  const baseLoad = median(base.map((r) => r.load));
  return [
    ['cold', `load the bundled handler (median of ${runs} fresh processes)`, `${oursLoad.toFixed(1)} ms (whole process ${median(ours.map((r) => r.process)).toFixed(0)} ms)`],
    ['cold', 'load a bundle of only the Secrets Manager client', `${baseLoad.toFixed(1)} ms (whole process ${median(base.map((r) => r.process)).toFixed(0)} ms), ${kb(readFileSync(baseline).length)}`],
    ['cold', 'ratio handler / client alone', `${(oursLoad / baseLoad).toFixed(2)}`],
  ];
}

/** Per-step and whole-rotation latency on loopback, and calls per clean rotation (through a counting proxy). */
async function latencyAndCalls(local: LocalEnvironment, handler: RotationHandler, options: Options): Promise<Row[]> {
  {
    const { arn } = await local.createApp('HqTRDIYH');
    const perStep = new Map<string, number[]>();
    const whole: number[] = [];
    const smCalls: number[] = [];
    const hopaeCalls: number[] = [];
    let first = '';
    for (let i = 0; i < options.rotations; i++) {
      const token = await beginRotation(local.sm, arn);
      local.proxy!.resetCounts();
      const hopaeBefore = local.standIn.requests.length;
      const started = performance.now();
      const runs = await runSteps(handler, arn, token);
      whole.push(performance.now() - started);
      if (runs.some((r) => r.error)) throw new Error(`rotation ${i} failed: ${runs.find((r) => r.error)!.error!.message}`);
      for (const run of runs) perStep.set(run.step, [...(perStep.get(run.step) ?? []), run.durationMs]);
      smCalls.push(local.proxy!.total());
      hopaeCalls.push(local.standIn.requests.length - hopaeBefore);
      if (i === 0) first = [...local.proxy!.counts].map(([op, n]) => `${op} ${n}`).join(', ');
    }
    const rows: Row[] = [];
    if (options.only.has('latency')) {
      for (const [step, ms] of perStep) rows.push(['latency', `${step} (median / p95 of ${ms.length})`, `${median(ms).toFixed(1)} / ${p95(ms).toFixed(1)} ms`]);
      rows.push(['latency', 'whole rotation, 4 steps (median / p95)', `${median(whole).toFixed(1)} / ${p95(whole).toFixed(1)} ms`]);
    }
    if (options.only.has('calls')) {
      rows.push(['calls', 'Secrets Manager calls, first rotation (cold: reads the key)', `${smCalls[0]} (${first})`]);
      rows.push(['calls', 'Secrets Manager calls, later rotations (key cached)', `${median(smCalls.slice(1))}`]);
      rows.push(['calls', 'Hopae calls per rotation (rotate + verify)', `${Math.min(...hopaeCalls)}..${Math.max(...hopaeCalls)}`]);
    }
    return rows;
  }
}

/** N secrets rotated concurrently through the handler's code, with Hopae throttling and slow at times. */
async function scale(local: LocalEnvironment, handler: RotationHandler, options: Options): Promise<Row[]> {
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  {
    const apps: { arn: string; clientId: string }[] = [];
    for (let i = 0; i < options.secrets; i++) {
      const clientId = `App${String(i).padStart(5, '0')}`;
      apps.push({ arn: (await local.createApp(clientId)).arn, clientId });
    }
    const tokens = new Map<string, string>();
    for (const app of apps) tokens.set(app.arn, await beginRotation(local.sm, app.arn));
    local.standIn.resetTraffic();
    local.standIn.setLoadBehaviour({ rotatePerSecond: options.hopaeRate, retryAfterSeconds: 1, slowShare: 0.05, slowMs: 300, random });

    let failures = 0;
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < apps.length) {
        const app = apps[next++]!;
        const runs: StepRun[] = await runSteps(handler, app.arn, tokens.get(app.arn)!);
        if (runs.length !== 4 || runs.some((r) => r.error)) failures += 1;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    local.standIn.setLoadBehaviour({});

    let lost = 0;
    for (const app of apps) {
      const current = JSON.parse((await local.sm.send(new GetSecretValueCommand({ SecretId: app.arn, VersionStage: 'AWSCURRENT' }))).SecretString!) as { clientSecret: string };
      if (!local.standIn.accepts(app.clientId, current.clientSecret)) lost += 1;
    }
    const throttled = local.standIn.requests.filter((r) => r.route === 'rotate' && r.outcome === 429).length;
    const rotateCalls = local.standIn.requests.filter((r) => r.route === 'rotate').length;
    return [
      ['scale', `secrets rotated concurrently (${options.concurrency} at a time)`, `${options.secrets}`],
      ['scale', 'Hopae stand-in', `${options.hopaeRate} rotations/s, then 429 with Retry-After 1 s; 5 % of answers 300 ms late`],
      ['scale', 'total time', `${seconds.toFixed(1)} s`],
      ['scale', 'rotations per second', `${(options.secrets / seconds).toFixed(1)}`],
      ['scale', 'Hopae rotate calls (retries after 429)', `${rotateCalls} (${rotateCalls - options.secrets} retries, ${throttled} throttled)`],
      ['scale', 'failed rotations', `${failures}`],
      ['scale', 'secrets lost (AWSCURRENT not accepted by Hopae)', `${lost}`],
    ];
  }
}

/**
 * Every secret's rotation started in the same instant (a fleet sharing one schedule), with Hopae
 * rate-limiting rotate calls: how many rotate calls each secret costs, with and without a
 * Retry-After on the 429s. Each secret gets the Hopae client of its own Lambda container, the
 * default retry settings and the time budget of the default 60 s timeout; Secrets Manager is left
 * out, so what is measured is how the client waits, not how fast moto answers 1,000 callers.
 */
async function fleetStartedAtOnce(options: Options): Promise<Row[]> {
  const rows: Row[] = [];
  const quiet: Log = new Logger({ logLevel: 'CRITICAL' });
  for (const omitRetryAfter of [true, false]) {
    const standIn = new HopaeStandIn();
    const baseUrl = await standIn.start();
    try {
      const apiKey = standIn.addWorkspace();
      const clientIds = Array.from({ length: options.secrets }, (_, i) => `Fleet${String(i).padStart(5, '0')}`);
      for (const clientId of clientIds) standIn.addApp(clientId);
      standIn.setLoadBehaviour({ rotatePerSecond: options.hopaeRate, retryAfterSeconds: 1, omitRetryAfter });
      const started = performance.now();
      const deadline = Date.now() + 60_000 - DEFAULT_STORE_RESERVE_MS;
      const results = await Promise.allSettled(
        clientIds.map((clientId) =>
          new HopaeClient({ baseUrl, transport: fetchTransport, retry: DEFAULT_RETRY, logger: quiet }).rotateClientSecret({
            clientId,
            apiKey,
            idempotencyKey: randomUUID(),
            deadline,
          }),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      const failed = results.filter((r) => r.status === 'rejected').length;
      const rotateCalls = standIn.count('rotate');
      const label = omitRetryAfter ? '429 without Retry-After' : '429 with Retry-After 1 s';
      rows.push(
        ['fleet', `${options.secrets} secrets started at once, ${options.hopaeRate} rotations/s, ${label}: rotate calls per secret`, `${(rotateCalls / options.secrets).toFixed(2)} (${rotateCalls} calls)`],
        ['fleet', '  same run: time / createSecret invocations out of time (Secrets Manager retries them)', `${seconds.toFixed(1)} s / ${failed}`],
      );
    } finally {
      await standIn.stop();
    }
  }
  return rows;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function p95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? 0;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

main().then(
  () => {
    writeFileSync(join(WORK, '.done'), '');
    process.exit(0);
  },
  (error: Error) => {
    console.error(`bench failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
