/**
 * The repository's scripts behave like Unix tools, each run as `npm run <name>` runs it (a process
 * of its own, through tsx): `--help` prints the usage and starts nothing, unknown options are
 * refused (exit 2), and a closed pipe ends output quietly. The CLI's side is in
 * test/integration/unix-tool.test.ts (`npm test`); these processes run in `npm run test:tools`.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode } from '../support/node-process';

/** Runs a script through tsx, as `npm run` does. */
const spawnScript = (args: string[], options: { closeStdout?: boolean } = {}) => runNode(['--import', 'tsx', ...args], options);

describe('the scripts: --help starts nothing, unknown options are refused', () => {
  // [name, file, an unknown option, what the refusal says about it, what the help must mention]
  const scripts: Array<[string, string, string, RegExp, string]> = [
    ['bench', 'scripts/bench.ts', '--frobnicate', /^bench: unknown option --frobnicate\n\nUsage:/, '--only'],
    // A mistyped option is named with the one meant.
    ['chaos', 'scripts/chaos.ts', '--schedule', /^chaos: unknown option --schedule; did you mean --schedules\?\n\nUsage:/, '--replay S'],
    ['continuity', 'local/continuity.ts', '--frobnicate', /^continuity: unknown option --frobnicate\n\nUsage:/, '--rotations'],
    ['playground', 'local/playground.ts', '--frobnicate', /^playground: unknown option --frobnicate\n\nUsage:/, '--help'],
    ['start (demo)', 'local/demo.ts', '--frobnicate', /^npm start: unknown option --frobnicate\n\nUsage:/, '--fault'],
  ];

  it.each(scripts)('npm run %s -- --help prints its usage and exits 0 at once; an unknown option exits 2', async (_name, file, option, refusal, mentioned) => {
    const [help, unknown] = await Promise.all([spawnScript([file, '--help']), spawnScript([file, option])]);

    expect({ code: help.code, stdout: help.stdout, stderr: help.stderr }).toEqual({ code: 0, stdout: expect.stringMatching(/^Usage: npm (run|start)/), stderr: '' });
    expect(help.stdout).toContain(mentioned);
    // The usage alone: nothing started, nothing measured.
    expect(help.stdout.match(/^Usage:/gm)).toHaveLength(1);
    expect(help.stdout).not.toMatch(/Ready\. Ctrl-C|Fault campaign:|Consumer continuity:|\d+\/\d+ schedules|^ {2}\S.*\d+ (ms|KiB)$/m);
    expect({ code: unknown.code, stderr: unknown.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(refusal) });
  });

  it('a stray argument is refused, and a closed pipe is quiet (the scripts share one parser: checked on bench)', async () => {
    const [stray, closed] = await Promise.all([spawnScript(['scripts/bench.ts', 'stray-argument']), spawnScript(['scripts/bench.ts', '--help'], { closeStdout: true })]);

    expect({ code: stray.code, stderr: stray.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(/^bench: unexpected argument stray-argument: options only/) });
    expect({ code: closed.code, stderr: closed.stderr }).toEqual({ code: 0, stderr: '' });
  });
});

describe('the type-check (npm run typecheck, and npm test beside Jest)', () => {
  it('without TypeScript 7 installed (node_modules older than package.json), says to run npm ci, not to rerun itself', async () => {
    // GIVEN the scripts in a checkout whose node_modules has no typescript-native
    const checkout = mkdtempSync(join(tmpdir(), 'stale-checkout-'));
    try {
      mkdirSync(join(checkout, 'scripts'));
      copyFileSync(join(__dirname, '..', '..', 'scripts', 'typecheck.mjs'), join(checkout, 'scripts', 'typecheck.mjs'));

      // WHEN it runs
      const run = await runNode([join(checkout, 'scripts', 'typecheck.mjs')]);

      // THEN it fails with the one fix
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 1,
        stderr: 'typecheck: TypeScript 7 (devDependency typescript-native) is not in node_modules: run `npm ci`, then the command again.\n',
      });
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});
