/**
 * `npm run bench`: size, cold start, latency, calls per rotation and fleet scale, printed as a
 * table. Figures, not assertions: BENCHMARKS.md keeps the latest with the machine they ran on.
 *
 *   npm run bench                         everything, 1,000 secrets for the scale run
 *   npm run bench -- --secrets 200        a smaller fleet (also --concurrency, --hopae-rate, --rotations, --cold-runs)
 *   npm run bench -- --only size,calls    some sections (size, cold, latency, calls, scale, fleet, at-once, fleet-deploy)
 *
 * `fleet` compares a fleet whose secrets all start together (one schedule for all) with the spread
 * the construct gives by default (lib/schedule-spread.ts): calls to Hopae per secret and time to finish.
 * `at-once` measures the Hopae client alone: 1,000 rotate calls started in the same instant against
 * the rate-limited stand-in, 429 without and with Retry-After: rotate calls per secret.
 * `fleet-deploy` synthesizes the example app for fleets of 1, 65, 500 and 5,000 apps (4 existing
 * to 1 created), without refreshOnRotation and with every app refreshing 2 ECS services: stacks,
 * most resources in one stack, largest IAM policy, synth time and peak memory, and any deploy
 * quota broken (test/support/quotas.ts); then the audit over 10,000 secrets
 * (and 1,000 of other uses) in moto_server: its Secrets Manager calls and seconds. Not part of the
 * default run (about 15 minutes).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateSecretCommand, GetSecretValueCommand, ResourceNotFoundException, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { build, type BuildOptions, buildSync } from 'esbuild';
import { DEFAULT_RETRY, DEFAULT_STORE_RESERVE_MS } from '../lambda/config';
import { HopaeClient } from '../lambda/hopae/client';
import { fetchTransport } from '../lambda/hopae/http';
import type { Log } from '../lambda/logger';
import { builtFunctionPath, loadBuiltAuditHandler } from '../local/built-function';
import { localLambdaContext } from '../local/lambda-context';
import { startMotoServer } from '../local/moto-server';
import { HopaeStandIn } from '../local/hopae-stand-in';
import { type LocalEnvironment, startLocalEnvironment } from '../local/local-environment';
import { beginRotation, type RotationHandler, runSteps, type StepRun } from '../local/rotation-driver';
import { SPREAD_WINDOW, spreadScheduleForKey } from '../lib/schedule-spread';
import { parseScriptArgs, wholeNumber } from '../local/script-args';

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

const SECTIONS = ['size', 'cold', 'latency', 'calls', 'scale', 'fleet', 'at-once'];
/** Sections run only when named: minutes each. */
const EXTRA_SECTIONS = ['fleet-deploy'];

const USAGE = `Usage: npm run bench -- [options]

Figures, not assertions: bundle size, cold start, step latency, calls per rotation, fleet scale.
Starts moto_server and the Hopae stand-in; takes minutes with every section.

Options:
  --only LIST         some sections, comma-separated: ${[...SECTIONS, ...EXTRA_SECTIONS].join(',')}
                      (default: all but ${EXTRA_SECTIONS.join(',')})
  --secrets N         secrets in the scale run (default 1000)
  --concurrency N     rotations at once in the scale run (default 50)
  --hopae-rate N      rotations per second the stand-in accepts before answering 429 (default 25)
  --rotations N       rotations for the latency figures (default 30)
  --cold-runs N       fresh processes for the cold-start figure (default 15)
  --help              print this help`;

function parseOptions(argv: string[]): Options {
  const values = parseScriptArgs(
    'bench',
    USAGE,
    {
      only: { type: 'string' },
      secrets: { type: 'string' },
      concurrency: { type: 'string' },
      'hopae-rate': { type: 'string' },
      rotations: { type: 'string' },
      'cold-runs': { type: 'string' },
    },
    argv,
  );
  const only = new Set(values.only === undefined ? SECTIONS : String(values.only).split(','));
  for (const section of only) {
    if (![...SECTIONS, ...EXTRA_SECTIONS].includes(section)) {
      process.stderr.write(`--only takes ${[...SECTIONS, ...EXTRA_SECTIONS].join(',')}; got ${section}\n\n${USAGE}\n`);
      process.exit(2);
    }
  }
  return {
    secrets: wholeNumber('secrets', USAGE, values.secrets, 1000),
    concurrency: wholeNumber('concurrency', USAGE, values.concurrency, 50),
    hopaeRate: wholeNumber('hopae-rate', USAGE, values['hopae-rate'], 25),
    rotations: wholeNumber('rotations', USAGE, values.rotations, 30),
    coldRuns: wholeNumber('cold-runs', USAGE, values['cold-runs'], 15),
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

  // The build's own esbuild options, so the breakdown and the baseline are built the way the asset is.
  const { FUNCTION_BUILD } = (await import(join(ROOT, 'scripts', 'build.mjs') as string)) as { FUNCTION_BUILD: BuildOptions };
  const bundlePath = builtFunctionPath();
  if (options.only.has('size')) {
    const code = readFileSync(bundlePath);
    rows.push(['size', 'dist/function/index.js (the CDK asset, as built)', `${kb(code.length)} (${kb(gzipSync(code).length)} gzipped)`]);
    rows.push(...(await bundleBreakdown(FUNCTION_BUILD)));
  }
  if (options.only.has('cold')) rows.push(...coldStart(bundlePath, FUNCTION_BUILD, options.coldRuns));
  if (['latency', 'calls', 'scale', 'fleet'].some((section) => options.only.has(section))) {
    // One local environment: the handler's clients are built once per process, as in a Lambda container.
    const local = await startLocalEnvironment({ POWERTOOLS_LOG_LEVEL: 'CRITICAL', POWERTOOLS_METRICS_DISABLED: 'true' }, { proxy: true });
    try {
      const handler = await local.loadHandler();
      if (options.only.has('latency') || options.only.has('calls')) rows.push(...(await latencyAndCalls(local, handler, options)));
      if (options.only.has('scale')) rows.push(...(await scale(local, handler, options)));
      if (options.only.has('fleet')) rows.push(...(await fleet(local, handler, options)));
    } finally {
      await local.stop();
    }
  }

  if (options.only.has('at-once')) rows.push(...(await fleetStartedAtOnce(options)));
  if (options.only.has('fleet-deploy')) rows.push(...fleetDeploy(), ...(await auditAtScale(10_000)));

  const widths = [8, Math.max(...rows.map((r) => r[1].length)), 0];
  console.log(`${'section'.padEnd(widths[0]!)}  ${'measure'.padEnd(widths[1]!)}  value`);
  for (const [section, measure, value] of rows) console.log(`${section.padEnd(widths[0]!)}  ${measure.padEnd(widths[1]!)}  ${value}`);
}

/** The example app's synth for growing fleets: what a deploy would meet (one process per fleet, for its peak memory). */
function fleetDeploy(): Row[] {
  const rows: Row[] = [];
  for (const [apps, servicesPerApp] of [1, 65, 500, 5000].flatMap((apps) => [[apps, 0], [apps, 2]] as const)) {
    const created = apps === 1 ? 1 : Math.round(apps / 5);
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bench-fleet-synth.ts'), String(apps - created), String(created), String(servicesPerApp)], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`fleet synth of ${apps} apps failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
      stacks: number; mostResources: number; largestPolicyChars: number; largestTemplateKiB: number; violations: number; seconds: number; peakMiB: number;
    };
    rows.push([
      'deploy',
      `${apps} apps (${apps - created} existing, ${created} created)${servicesPerApp > 0 ? `, each refreshing ${servicesPerApp} ECS services` : ''}`,
      `${r.stacks} stacks, most resources in one ${r.mostResources}, largest policy ${r.largestPolicyChars} chars, largest template ${r.largestTemplateKiB.toFixed(0)} KiB, ` +
        `synth ${r.seconds.toFixed(1)} s, peak ${r.peakMiB.toFixed(0)} MiB, quota violations ${r.violations}`,
    ]);
  }
  return rows;
}

/**
 * The audit over a fleet in moto_server: `secrets` attached to the rotation function (every 100th
 * with a rotation pending), plus as many secrets of other uses it must skip. Its own calls and time.
 */
async function auditAtScale(secrets: number): Promise<Row[]> {
  const functionArn = 'arn:aws:lambda:us-east-1:123456789012:function:hopae-rotation-bench';
  const moto = await startMotoServer();
  const saved = { ...process.env };
  try {
    const sm = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    const setupStarted = Date.now();
    // moto_server sometimes answers a burst with an HTML error page: such a call is tried again.
    let htmlAnswers = 0;
    const tolerant = async <T>(call: () => Promise<T>, accept: (error: unknown) => T | undefined): Promise<T> => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await call();
        } catch (error) {
          const accepted = accept(error);
          if (accepted !== undefined) return accepted;
          if (!String((error as Error).message).includes('<!doctype') && !String((error as Error).message).includes('Deserialization')) throw error;
          htmlAnswers += 1;
          if (attempt >= 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
    };
    const attach = async (i: number) => {
      const name = `hopae/apps/Bench${String(i).padStart(6, '0')}`;
      // Every 100th has a value, so moto's RotateSecret leaves a pending version beside AWSCURRENT.
      await tolerant(
        () => sm.send(new CreateSecretCommand({ Name: name, ...(i % 100 === 0 ? { SecretString: '{}' } : {}) })),
        (error) => ((error as Error).name === 'ResourceExistsException' ? {} : undefined),
      );
      // moto builds the rotation state, then fails to find the function: expected.
      await tolerant(
        () => sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: 30 } })),
        (error) => (error instanceof ResourceNotFoundException ? {} : undefined),
      );
      // One secret of another use in ten, which the audit must skip.
      if (i % 10 === 0) {
        await tolerant(
          () => sm.send(new CreateSecretCommand({ Name: `other/service-${String(i).padStart(6, '0')}`, SecretString: 'x' })),
          (error) => ((error as Error).name === 'ResourceExistsException' ? {} : undefined),
        );
      }
    };
    // One call at a time: moto_server answers bursts with HTML error pages.
    for (let i = 0; i < secrets; i += 1) await attach(i);
    const setupSeconds = (Date.now() - setupStarted) / 1000;

    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AUDIT_ROTATION_FUNCTION_ARN: functionArn,
      AUDIT_ATTACHED_SECRETS: String(secrets),
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const timeoutMs = 5 * 60_000;
    const started = Date.now();
    const summary = (await loadBuiltAuditHandler()({}, localLambdaContext(timeoutMs, 'hopae-rotation-audit-bench'))) as {
      audited: number; listSecretsCalls: number; listSecretVersionIdsCalls: number;
    };
    const seconds = (Date.now() - started) / 1000;
    return [
      [
        'audit',
        `${secrets} attached secrets + ${secrets / 10} others in moto_server (set up in ${setupSeconds.toFixed(0)} s, ${htmlAnswers} calls retried)`,
        `${summary.audited} audited in ${seconds.toFixed(1)} s of its ${timeoutMs / 60_000}-minute timeout: ${summary.listSecretsCalls} ListSecrets + ${summary.listSecretVersionIdsCalls} ListSecretVersionIds calls`,
      ],
    ];
  } finally {
    process.env = saved;
    await moto.stop();
  }
}

/** Where the bundle's bytes come from, by package (largest first): the place to look for dead weight. */
async function bundleBreakdown(functionBuild: BuildOptions): Promise<Row[]> {
  const result = await build({ ...functionBuild, outfile: join(WORK, 'breakdown.js'), write: false, metafile: true });
  const bytesByPackage = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = match ? match[1]! : 'this project';
      bytesByPackage.set(name, (bytesByPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...bytesByPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([name, bytes]) => ['size', `  of which ${name}`, kb(bytes)] as const);
}

/** Median time for a fresh Node process to load the bundle, beside a bundle of only the Secrets Manager client built the same way. */
function coldStart(bundlePath: string, functionBuild: BuildOptions, runs: number): Row[] {
  const baseline = join(WORK, 'baseline.js');
  buildSync({
    ...functionBuild,
    entryPoints: undefined,
    stdin: { contents: "exports.SecretsManagerClient = require('@aws-sdk/client-secrets-manager').SecretsManagerClient;", resolveDir: ROOT, loader: 'js' },
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
        ['at-once', `${options.secrets} secrets started at once, ${options.hopaeRate} rotations/s, ${label}: rotate calls per secret`, `${(rotateCalls / options.secrets).toFixed(2)} (${rotateCalls} calls)`],
        ['at-once', '  same run: time / createSecret invocations out of time (Secrets Manager retries them)', `${seconds.toFixed(1)} s / ${failed}`],
      );
    } finally {
      await standIn.stop();
    }
  }
  return rows;
}

/** What one batch of rotations started at the same instant cost and took. */
interface BatchResult {
  readonly secrets: number;
  readonly seconds: number;
  readonly rotateCalls: number;
  readonly throttled: number;
  readonly failures: number;
  /** The longest single createSecret invocation: what must fit in the function's timeout. */
  readonly longestCreateSecretMs: number;
}

/**
 * Creates `clientIds`' apps, begins every rotation, then runs them all at once through the handler
 * (at most `concurrency` in flight, as Lambda concurrency would allow) against a throttling Hopae.
 */
async function rotateBatch(local: LocalEnvironment, handler: RotationHandler, clientIds: readonly string[], options: Options): Promise<BatchResult> {
  let seed = 4242;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const arns: string[] = [];
  for (const clientId of clientIds) arns.push((await local.createApp(clientId)).arn);
  const tokens: string[] = [];
  for (const arn of arns) tokens.push(await beginRotation(local.sm, arn));
  local.standIn.resetTraffic();
  local.standIn.setLoadBehaviour({ rotatePerSecond: options.hopaeRate, retryAfterSeconds: 1, slowShare: 0.05, slowMs: 300, random });
  let failures = 0;
  let longestCreateSecretMs = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < arns.length; i = next++) {
      const runs = await runSteps(handler, arns[i]!, tokens[i]!);
      if (runs.length !== 4 || runs.some((r) => r.error)) failures += 1;
      longestCreateSecretMs = Math.max(longestCreateSecretMs, runs[0]?.durationMs ?? 0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, arns.length) }, worker));
  const seconds = (performance.now() - started) / 1000;
  local.standIn.setLoadBehaviour({});
  const rotates = local.standIn.requests.filter((r) => r.route === 'rotate');
  return { secrets: arns.length, seconds, rotateCalls: rotates.length, throttled: rotates.filter((r) => r.outcome === 429).length, failures, longestCreateSecretMs };
}

/** The busiest hour of a spread fleet: the secrets whose 2-hour window covers it (they may all be in flight then). */
function busiestSpreadHour(clientIds: readonly string[]): { day: number; hour: number; clientIds: string[]; distinctStarts: number } {
  const slots = clientIds.map((clientId) => ({ clientId, ...spreadScheduleForKey(`hopae/apps/${clientId}`) }));
  const windowHours = SPREAD_WINDOW.toHours();
  let busiest = { day: 1, hour: 0, clientIds: [] as string[] };
  for (let day = 1; day <= 28; day++) {
    for (let hour = 0; hour < 24; hour++) {
      const covering = slots.filter((s) => s.day === day && s.hour <= hour && hour < s.hour + windowHours).map((s) => s.clientId);
      if (covering.length > busiest.clientIds.length) busiest = { day, hour, clientIds: covering };
    }
  }
  return { ...busiest, distinctStarts: new Set(slots.map((s) => `${s.day} ${s.hour}`)).size };
}

/** Fleet scenarios: every secret on one schedule (all start together) against the construct's spread schedules. */
async function fleet(local: LocalEnvironment, handler: RotationHandler, options: Options): Promise<Row[]> {
  const clientIds = Array.from({ length: options.secrets }, (_, i) => `Fleet${String(i).padStart(5, '0')}`);
  const perSecret = (batch: BatchResult) => (batch.rotateCalls / batch.secrets).toFixed(2);
  const describe = (batch: BatchResult) =>
    `${batch.seconds.toFixed(1)} s; Hopae rotate calls ${batch.rotateCalls} (${perSecret(batch)} per secret, ${batch.throttled} throttled); ` +
    `longest createSecret ${(batch.longestCreateSecretMs / 1000).toFixed(1)} s; failed ${batch.failures}`;

  const together = await rotateBatch(local, handler, clientIds, options);
  const busiest = busiestSpreadHour(clientIds);
  // Worst case for the spread: every secret whose window covers the busiest hour starts at the same instant
  // (fresh secrets, "s" appended: the first batch's are rotated already; the count is what matters).
  const spread = await rotateBatch(local, handler, busiest.clientIds.map((id) => `${id}s`), options);
  return [
    ['fleet', `all at once: ${options.secrets} secrets on one schedule (${options.concurrency} in flight, Hopae ${options.hopaeRate} rotations/s)`, describe(together)],
    ['fleet', `spread: distinct start times (day × hour) of ${options.secrets} secrets`, `${busiest.distinctStarts} of ${28 * (25 - SPREAD_WINDOW.toHours())}`],
    ['fleet', 'spread: most secrets whose window covers one hour', `${busiest.clientIds.length} (day ${busiest.day}, ${busiest.hour}:00 UTC)`],
    ['fleet', 'spread: those all started at the same instant (worst case)', describe(spread)],
  ];
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
