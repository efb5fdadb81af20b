/**
 * What the docs claim, checked against the code that decides it: install instructions that work
 * before publishing, defaults, the runbook's references and error table, what the playground says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as errors from '../../lambda/errors';
import { appStackIndex, DEFAULT_APP_STACK_COUNT } from '../../lib/app-stacks';
import { SPREAD_WINDOW } from '../../lib/schedule-spread';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { name: string; version: string };

describe('README', () => {
  const readme = read('README.md');
  const install = readme.slice(readme.indexOf('## Use it in your CDK app'), readme.indexOf('```ts'));

  it('installs the package in a way that works before it is published, and says what publishing takes', () => {
    expect(install).toMatch(/not on the npm registry yet/);
    expect(install).toContain('npm pack');
    expect(install).toContain(`npm install /path/to/hopae-secret-rotation/${pkg.name}-${pkg.version}.tgz`);
    expect(install).toMatch(/Publishing will take:/);
    // The registry command is named only as what fails now and what works once published.
    expect(install.match(/npm install hopae-secret-rotation\b/g)).toHaveLength(2);
  });

  it('names the app stack the snippet\'s secret really goes to', () => {
    // The snippet rotates hopae/apps/HqTRDIYH; its app stack follows from that name alone.
    const secretName = /fromSecretNameV2\(this, 'App', '([^']+)'\)/.exec(readme)![1]!;
    const index = String(appStackIndex(secretName, DEFAULT_APP_STACK_COUNT)).padStart(2, '0');
    expect(readme.match(/`MyStack-HopaeRotation-Apps\d+`/g)).toEqual([`\`MyStack-HopaeRotation-Apps${index}\``]);
  });
});

describe('docs/deployment.md', () => {
  it('gives the example app\'s default rotation window: the spread schedules\' window', () => {
    const row = read('docs/deployment.md').split('\n').find((line) => line.startsWith('| `hopae:rotationWindowHours`'))!;
    expect(row).toContain(`| ${SPREAD_WINDOW.toHours()} hours (spread schedules)`);
  });
});

describe('docs/runbook.md', () => {
  const runbook = read('docs/runbook.md');

  it('points at the query where it lives (operations.md), never at one "above"', () => {
    expect(runbook).not.toMatch(/query above/);
    expect(runbook).toContain('[operations.md](operations.md#logs-and-metrics)');
    expect(read('docs/operations.md')).toMatch(/^## Logs and metrics$/m);
    expect(read('docs/operations.md')).toMatch(/Logs Insights[\s\S]*```\nfields @timestamp/);
  });

  it('has a row for every errorCode the function logs, and for the KMS and access errors Secrets Manager gives it', () => {
    type AnyRotationError = new (message: string, ...rest: unknown[]) => errors.RotationError;
    const classes = Object.values(errors).filter((value) => typeof value === 'function' && value.prototype instanceof errors.RotationError) as AnyRotationError[];
    const codes = classes.map((ErrorClass) => new ErrorClass('x', 0, undefined).code);
    expect(codes.length).toBeGreaterThanOrEqual(9);
    for (const code of [...codes, 'AccessDeniedException', 'DecryptionFailure', 'EncryptionFailure']) {
      expect(runbook).toMatch(new RegExp(`^\\| [^\\n]*\`${code}\``, 'm'));
    }
  });

  it('does not send a rejected pending pair to the workspace-key advice', () => {
    const row = runbook.split('\n').find((line) => line.startsWith('| `HOPAE_REJECTED` at `testSecret`'))!;
    expect(row).toMatch(/workspace key is not involved/);
    expect(row).toMatch(/hopae-rotation recover/);
  });
});

describe('docs/cli.md', () => {
  it('says what the playground cannot show', () => {
    expect(read('docs/cli.md')).toMatch(/cannot show/);
  });
});
