// `npm run package:python`: the Python package of the construct, from the jsii assembly that
// `npm run build` wrote (.jsii), built offline:
//   1. jsii-pacmak generates the Python project (dist/packages/python/): the bindings, and the npm
//      tarball of this package (with the prebuilt function) that the jsii runtime loads;
//   2. pip builds its wheel into dist/packages/wheels/, without build isolation, in .venv-jsii (setuptools and
//      wheel from the pip index this machine is configured with).
// pacmak's own build step would create a venv and install setuptools~=75.3.2, build and twine from
// PyPI, which is not reachable here; the generated project builds with the setuptools the mirror has.
// No Python CDK library (aws-cdk-lib, constructs, jsii) is installable here, so nothing imports the
// package: npm run test:jsii checks the assembly, the generated code and the wheel instead.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const generated = join(root, 'dist', 'packages');
const wheels = join(root, 'dist', 'packages', 'wheels');
const venv = join(root, '.venv-jsii');
// Build tools for the wheel, pinned; `pip download --no-deps setuptools==80.9.0 wheel` checks the index has them.
const BUILD_TOOLS = ['setuptools==80.9.0', 'wheel==0.48.0'];

function newestSource(dir) {
  return Math.max(...readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(dir, f)).mtimeMs));
}

function run(command, args, options = {}) {
  execFileSync(command, args, { stdio: 'inherit', cwd: root, ...options });
}

const started = performance.now();
const assembly = join(root, '.jsii');
if (!existsSync(assembly) || statSync(assembly).mtimeMs < newestSource(join(root, 'lib'))) {
  console.error('package:python: the jsii assembly (.jsii) is missing or older than lib/: run `npm run build` first.');
  process.exit(1);
}

rmSync(generated, { recursive: true, force: true });
rmSync(wheels, { recursive: true, force: true });
// npm pack (inside pacmak) would run prepare, a second full build: the build is fresh (checked above).
run(process.execPath, [join(root, 'node_modules', 'jsii-pacmak', 'bin', 'jsii-pacmak'), '--targets', 'python', '--code-only', '--no-npmignore', '--outdir', generated], {
  env: { ...process.env, npm_config_ignore_scripts: 'true', JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
});
const generatedAt = performance.now();

const python = join(venv, 'bin', 'python');
if (!existsSync(python)) {
  run('python3', ['-m', 'venv', venv]);
}
// --retries 0: an unreachable pypi.org fails at once and pip goes on to the local mirror.
run(python, ['-m', 'pip', 'install', '--quiet', '--retries', '0', ...BUILD_TOOLS]);
mkdirSync(wheels, { recursive: true });
run(python, ['-m', 'pip', 'wheel', '--quiet', '--no-deps', '--no-build-isolation', '--retries', '0', '--wheel-dir', wheels, join(generated, 'python')]);
const wheel = readdirSync(wheels).find((f) => f.endsWith('.whl'));
if (!wheel) {
  console.error(`package:python: pip wrote no wheel into ${wheels}`);
  process.exit(1);
}
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
console.log(
  `package:python: dist/packages/wheels/${wheel} (${(statSync(join(wheels, wheel)).size / 1024).toFixed(1)} KiB); ` +
    `pacmak ${seconds(generatedAt - started)}, wheel ${seconds(performance.now() - generatedAt)}`,
);
