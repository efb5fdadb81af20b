// `npm run build` (also npm's `prepare`: npm ci, npm pack, and an install from git, which runs only
// `prepare`): compiles the construct with jsii (lib/ → dist/lib/ and the
// assembly .jsii, which the Python package is generated from), the client package with tsc
// (client/ → client/dist/), and bundles the two programs that must run without this package's
// dependencies:
//   dist/function/index.js     the Lambda asset the construct deploys (SDK, middy, Powertools inside)
//   dist/cli/hopae-rotation.cjs the operator CLI, runnable with plain `node`
// Plain JavaScript so that it runs before anything is compiled.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** esbuild options of the Lambda asset; the bench and the tests read the result, never rebuild it. */
export const FUNCTION_BUILD = {
  entryPoints: [join(root, 'lambda', 'index.ts')],
  outfile: join(dist, 'function', 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  // The SDK's ES module builds import only what is used; its CommonJS index files pull whole
  // protocol stacks and nested clients (526 KB → 387 KB, -14 % init CPU, measured).
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // Error classes name themselves (`override readonly name`), so minified class names do not matter.
  keepNames: false,
  // Nothing external: production runs exactly the SDK version the tests ran.
  external: [],
  // The SDK's ES modules load node:http and friends with import(); as require() they load the same
  // built-ins, and the bundle also runs inside Jest's VM (which has no dynamic-import hook).
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
};

const CLI_BUILD = {
  entryPoints: [join(root, 'cli', 'bin.ts')],
  outfile: join(dist, 'cli', 'hopae-rotation.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // engines: Node 22 and 24, where the CLI's tests run (npm run test:node22 / test:node24).
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
};

// As npm's prepare, this runs inside `npm pack --json`, whose stdout must stay JSON: compilers report on stderr.
const OUTPUT_TO_STDERR = ['ignore', 2, 2];

/**
 * The construct through jsii: its JavaScript and declarations in dist/, the assembly in .jsii. Every
 * jsii warning fails the build but JSII6: the peer dependency ranges start at the lowest tested
 * aws-cdk-lib and constructs (the consumer test synthesizes with them), below the devDependencies.
 */
function compileConstruct() {
  execFileSync(process.execPath, [join(root, 'node_modules', 'jsii', 'bin', 'jsii'), '--fail-on-warnings', '--silence-warnings', 'JSII6'], {
    cwd: root,
    stdio: OUTPUT_TO_STDERR,
    // jsii prints a banner on Node 20 (end of life): development here is on 20, where this compile is
    // tested; the package's users are on 22 or 24.
    env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
  });
}

/** The client package (client/package.json): plain TypeScript, to client/dist/. */
function compileClient() {
  rmSync(join(root, 'client', 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'client', 'tsconfig.json')], { stdio: OUTPUT_TO_STDERR });
}

/**
 * `--function`: only the Lambda bundle (a second, for `npm start`); `--bundles`: the function and the
 * CLI (what the tests run; `npm test` type-checks everything else meanwhile); otherwise everything
 * (40 s to a minute here, most of it jsii).
 */
async function main(args) {
  if (args.includes('--function')) return build(FUNCTION_BUILD);
  if (!args.includes('--bundles')) {
    rmSync(dist, { recursive: true, force: true });
    compileConstruct();
    compileClient();
  }
  await build(FUNCTION_BUILD);
  await build(CLI_BUILD);
  chmodSync(CLI_BUILD.outfile, 0o755);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`build failed: ${error.message}`);
    process.exit(1);
  });
}
