// `npm test`: the type-check and the build side by side (two TypeScript programs, one core each on the
// 2-core machine, instead of one after the other), then Jest on what the build wrote. Arguments go to Jest.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a command with the terminal's output; resolves to its exit code (1 when killed by a signal). */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
const [typecheck, build] = await Promise.all([run(bin('tsc'), ['--noEmit']), run(process.execPath, [join(root, 'scripts', 'build.mjs')])]);
if (typecheck !== 0) console.error('npm test: the type-check failed (tsc --noEmit, above); Jest did not run.');
if (build !== 0) console.error('npm test: the build failed (scripts/build.mjs, above); Jest did not run.');
if (typecheck !== 0 || build !== 0) process.exit(1);
process.exit(await run(bin('jest'), process.argv.slice(2)));
