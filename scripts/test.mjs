// `npm test`: builds the two bundles the tests run (the function and the CLI, esbuild: seconds), then
// runs Jest and the type-check side by side: the type-check (one core, 20–40 s) overlaps Jest's
// integration files, which mostly wait on moto_server and the stand-in. The compiled construct and
// client (`npm run build`'s tsc step) are not needed by the tests: `npm ci` and the consumer test build them.
// The type-check's output is held back and printed after Jest's, so the two do not interleave.
// Arguments go to Jest.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a command; resolves to its exit code (1 when killed by a signal) and, when `capture`, its output. */
function run(command, args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const bin = (name) => join(root, 'node_modules', '.bin', name);

const build = await run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--bundles']);
if (build.code !== 0) {
  console.error('npm test: building the function and CLI bundles failed (scripts/build.mjs --bundles, above); nothing was tested.');
  process.exit(1);
}
// Incremental: the type-check keeps what it learnt in node_modules/.cache (ignored, gone on npm ci), so a
// rerun re-reads only what changed: about 22 s of CPU instead of 39 on the 2-core machine.
const typecheckArgs = ['--noEmit', '--incremental', '--tsBuildInfoFile', join(root, 'node_modules', '.cache', 'hopae-typecheck.tsbuildinfo')];
const [typecheck, jest] = await Promise.all([run(bin('tsc'), typecheckArgs, { capture: true }), run(bin('jest'), process.argv.slice(2))]);
if (typecheck.code !== 0) {
  process.stderr.write(typecheck.output);
  console.error('npm test: the type-check failed (tsc --noEmit --incremental, above).');
} else {
  console.log('npm test: type-check passed (tsc --noEmit --incremental).');
}
process.exit(typecheck.code !== 0 || jest.code !== 0 ? 1 : 0);
