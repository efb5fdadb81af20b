/**
 * One moto_server per Jest worker for the whole run, instead of one per integration test file.
 * Each start costs about 1 s of CPU, and each server then imports the moto backends its file
 * touches (ECS pulls in EC2: about 2 s more); ten integration files paid that ten times. A worker
 * runs one test file at a time, so its server is that file's alone; the file's harness resets it
 * (moto's POST /moto-api/reset clears every backend) before its first test.
 *
 * The globalSetup (require-moto.ts) starts the pool when the run may include integration tests
 * (test/unit, test/cdk and the like alone need none; configs can opt out), and hands the endpoints
 * to the workers in HOPAE_TEST_MOTO_ENDPOINTS (workers inherit its environment); the globalTeardown
 * stops them. A harness in a run without the pool (test:tools, test:chaos, a script) gets no
 * endpoint and starts a moto_server of its own.
 */
import { type MotoServer, resetMotoServer, startMotoServer } from '../../local/moto-server';

const ENDPOINTS_ENV = 'HOPAE_TEST_MOTO_ENDPOINTS';
// Jest documents globalThis as the way from globalSetup to globalTeardown.
const POOL_KEY = Symbol.for('hopae.test.motoPool');

/** globalSetup: starts `workers` moto_servers (one per Jest worker) and publishes their endpoints. */
export async function startMotoPool(workers: number): Promise<void> {
  const servers = await Promise.all(Array.from({ length: Math.max(1, workers) }, () => startMotoServer()));
  (globalThis as Record<symbol, unknown>)[POOL_KEY] = servers;
  process.env[ENDPOINTS_ENV] = servers.map((server) => server.endpoint).join(',');
}

/** globalTeardown: stops the pool's servers (pdeathsig ends them too if Jest is killed). */
export async function stopMotoPool(): Promise<void> {
  const servers = ((globalThis as Record<symbol, unknown>)[POOL_KEY] ?? []) as MotoServer[];
  await Promise.all(servers.map((server) => server.stop()));
}

/**
 * This worker's pooled moto_server, emptied for the calling test file; undefined when the run has
 * no pool. JEST_WORKER_ID counts workers from 1 (a run in band is worker 1).
 */
export async function takeWorkerMoto(env: NodeJS.ProcessEnv = process.env): Promise<{ endpoint: string } | undefined> {
  const endpoints = (env[ENDPOINTS_ENV] ?? '').split(',').filter((endpoint) => endpoint !== '');
  const endpoint = endpoints[Number(env.JEST_WORKER_ID ?? '1') - 1];
  if (endpoint === undefined) return undefined;
  await resetMotoServer(endpoint).catch((error: Error) => {
    throw new Error(
      `Could not empty this Jest worker's moto_server (${endpoint}, started by the globalSetup): ${error.message}. Rerun the tests; if it repeats, look for a moto_server that exited (out of memory?).`,
    );
  });
  return { endpoint };
}
