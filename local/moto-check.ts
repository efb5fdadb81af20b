/**
 * Where moto_server is, and what to say when it is nowhere: checked once before the tests (jest
 * globalSetup) and by every start of moto_server, so a missing install is one clear message,
 * not one failure per test file.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The project-local virtualenv `.ci/run` creates when moto_server is not on PATH. */
export const MOTO_VENV = '.venv-moto';
export const MOTO_REQUIREMENT = 'moto[server]==5.2.1';

const ROOT = join(__dirname, '..');

/** moto_server's path: on PATH first, else in the project's virtualenv; undefined when in neither. */
export function findMotoServer(env: NodeJS.ProcessEnv = process.env, root = ROOT, exists: (path: string) => boolean = existsSync): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && exists(join(dir, 'moto_server'))) return join(dir, 'moto_server');
  }
  const local = join(root, MOTO_VENV, 'bin', 'moto_server');
  return exists(local) ? local : undefined;
}

export function motoMissingMessage(): string {
  return [
    `moto_server (the Secrets Manager API the integration tests and npm start run against) is not on PATH or in ${MOTO_VENV}/.`,
    'Install it with Python 3, then run the command again:',
    `  python3 -m venv ${MOTO_VENV} && ${MOTO_VENV}/bin/pip install '${MOTO_REQUIREMENT}'`,
    `or, into your own Python: python3 -m pip install '${MOTO_REQUIREMENT}'.`,
    'The unit and template tests need no moto: npm run test:unit.',
  ].join('\n');
}

/**
 * Whether a jest run needs moto_server: unless every path pattern names the tests that never
 * start it (test/unit, test/cdk, test/jsii, test/fleet: `npx jest test/unit/...`), it may. A bare
 * name (`npx jest rotation`) may match an integration file, so it counts as needing moto.
 */
export function runNeedsMoto(testPathPatterns: readonly string[]): boolean {
  return testPathPatterns.length === 0 || !testPathPatterns.every((pattern) => MOTO_FREE_TESTS.test(pattern));
}

const MOTO_FREE_TESTS = /(^|\/)test\/(unit|cdk|jsii|fleet)(\/|$)/;
