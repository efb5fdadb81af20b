// `npm test`: builds the two bundles the tests run (the function and the CLI, esbuild: seconds), then
// runs Jest; the type-check runs alongside both, at the lowest CPU priority. It is TypeScript 7's native compiler
// (scripts/typecheck.mjs: the same checks as TypeScript 6, about 7 s of CPU and 4 s of wall time instead
// of 20 s of CPU on the 2-core machine); the build and mutation testing stay on TypeScript 6 (README).
// The compiled construct and client (`npm run build`) are not needed by the tests: `npm ci` and the
// consumer test build them. The type-check's output is held back and printed after Jest's, so the two
// do not interleave. Arguments go to Jest.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { typecheckCommand } from './typecheck.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a command; resolves to its exit code (1 when killed by a signal) and, when `capture`, its output. */
function run(command, args, { capture = false, background = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (background && child.pid !== undefined) lowerPriority(child.pid);
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Lowest CPU priority (nice 19) for a process nothing waits on until the end; Linux-only, so best effort. */
function lowerPriority(pid) {
  try {
    setPriority(pid, 19);
  } catch {
    // Not permitted or not supported: it runs at normal priority.
  }
}

// The type-check needs no bundle, so it starts with the build. It runs at the lowest priority: the
// suite is CPU-bound, and nothing waits on the type-check until Jest ends, so it takes the cores only
// when the build, Jest's start-up and the tests leave them idle (measured in docs/development.md).
let typecheckArgs;
try {
  typecheckArgs = typecheckCommand();
} catch (error) {
  console.error(`npm test: ${error.message}`);
  process.exit(1);
}
const typechecked = run(typecheckArgs[0], typecheckArgs.slice(1), { capture: true, background: true });
const build = await run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--bundles']);
if (build.code !== 0) {
  // A type error often explains a failed build: wait for the type-check and show what it found.
  const typecheck = await typechecked;
  if (typecheck.code !== 0) process.stderr.write(typecheck.output);
  console.error('npm test: building the function and CLI bundles failed (scripts/build.mjs --bundles, above); nothing was tested.');
  process.exit(1);
}
const [typecheck, jest] = await Promise.all([typechecked, run(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...process.argv.slice(2)])]);
if (typecheck.code !== 0) {
  process.stderr.write(typecheck.output);
  console.error('npm test: the type-check failed (TypeScript 7, tsc --noEmit, above); `npm run typecheck` runs it alone.');
} else {
  console.log('npm test: type-check passed (TypeScript 7, tsc --noEmit).');
}
process.exit(typecheck.code !== 0 || jest.code !== 0 ? 1 : 0);
