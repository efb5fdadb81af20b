/**
 * The CLI behaves like a Unix tool: a closed pipe ends output quietly, `--json` gives one JSON
 * document on stdout on every path (help and version included), `--help` works everywhere and
 * starts nothing, and unknown options are refused (exit 2). The repository's scripts, each a
 * process of its own, are checked the same way in test/tools/scripts.test.ts (`npm run test:tools`).
 */
import { join } from 'node:path';
import type { CliDeps } from '../../cli/context';
import { run } from '../../cli/main';
import { type Exit, ROOT, runNode } from '../support/node-process';

const CLI = join(ROOT, 'dist', 'cli', 'hopae-rotation.cjs');

/** Runs the built CLI as a process of its own. */
const spawnTool = (args: string[], options: { closeStdout?: boolean } = {}) => runNode([CLI, ...args], options);

/** The CLI in this process, reaching no AWS: these paths never get that far. */
async function cli(argv: string[]): Promise<Exit> {
  let stdout = '';
  let stderr = '';
  const deps = { env: {}, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } } as unknown as CliDeps;
  const code = await run(argv, deps);
  return { code, stdout, stderr };
}

describe('hopae-rotation: --json is one JSON document on stdout on every path', () => {
  it.each([
    [['--help', '--json'], 0, 'help'],
    [['--json', '--help'], 0, 'help'],
    [['--json', '-h'], 0, 'help'],
    [['help', '--json'], 0, 'help'],
    [['help', 'recover', '--json'], 0, 'help'],
    [['--json', 'rotate', '--help'], 0, 'help'],
    [['status', '--help', '--json'], 0, 'help'],
    [['--version', '--json'], 0, 'version'],
    [['--json', '--version'], 0, 'version'],
    [['--json'], 2, 'error'],
    [['--json', '--frobnicate'], 2, 'error'],
    [['nope', '--json'], 2, 'error'],
    [['help', 'nope', '--json'], 2, 'error'],
    [['recover', 'x', '--force', '--json'], 2, 'error'],
    [['status', 'extra', '--json'], 2, 'error'],
  ])('%j: exit %d, {"%s": ...}', async (argv, code, key) => {
    const result = await cli(argv);

    expect(result.code).toBe(code);
    const document = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(document)).toContain(key);
  });

  it.each(['rotate', 'status', 'doctor', 'recover'])('%s --help prints its usage (exit 0); an unknown option is refused (exit 2)', async (command) => {
    const help = await cli([command, '--help']);
    const unknown = await cli([command, '--frobnicate']);

    expect({ code: help.code, stdout: help.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(new RegExp(`^hopae-rotation ${command} `)) });
    expect({ code: unknown.code, stderr: unknown.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(/unknown option --frobnicate/) });
  });

  it('--version with a command is refused rather than ignored', async () => {
    expect((await cli(['--version', 'status'])).code).toBe(2);
  });
});

describe('closed pipes end output quietly', () => {
  it.each([[['--help']], [['--version']], [['help', 'rotate']], [['nope']]])('hopae-rotation %j with its reader gone: no stack trace, its own exit code', async (args) => {
    const result = await spawnTool(args, { closeStdout: true });

    expect(result.stderr).not.toMatch(/EPIPE|Error: write|at /);
    expect(result.code).toBe(args[0] === 'nope' ? 2 : 0);
  });
});
