/**
 * `hopae-rotation`: the operator's tool for Hopae secret rotation. It uses the AWS SDK's standard
 * credentials, region and endpoint configuration, so it works against AWS and moto_server alike.
 * It never prints a secret value.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from './suggest';
import { packageVersion } from './version';
import { type CliDeps, type CommandContext, defaultDeps } from './context';
import { consumersCommand } from './commands/consumers';
import { doctorCommand } from './commands/doctor';
import { recoverCommand } from './commands/recover';
import { rotateCommand } from './commands/rotate';
import { statusCommand } from './commands/status';
import { CliError, EXIT } from './errors';
import { Output } from './output';
import { FunctionRegistry } from './secrets';

const HOPAE_OPTIONS = {
  'api-base-url': { type: 'string' },
  'workspace-key-secret': { type: 'string' },
} as const;

const COMMON = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

const STUCK_AFTER_OPTION = { 'stuck-after': { type: 'string' } } as const;
const STUCK_AFTER_HELP = `      --stuck-after MINUTES       the in-flight threshold: an unfinished rotation younger than this may
                                  still be running, older is stuck (default: the rotation function's
                                  HOPAE_STUCK_AFTER_MINUTES, the construct's stuckAfter; else 30)`;

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: ParseArgsConfig['options'];
  readonly positionals: number;
  run(context: CommandContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

const HOPAE_HELP = `      --api-base-url URL          Hopae API base (default: HOPAE_API_BASE_URL, else the rotation function's)
      --workspace-key-secret ID   secret holding the workspace key (default: HOPAE_API_KEY_SECRET_ID, else the function's)`;

const COMMANDS: Record<string, Command> = {
  rotate: {
    summary: 'start a rotation (RotateSecret), optionally wait for it, or run it locally',
    usage: `hopae-rotation rotate <secret> [--wait] [--timeout SECONDS] [--local] [--json]

Starts a rotation through Secrets Manager. An unfinished rotation is reattempted instead.
      --wait                      follow it: succeeds only when AWSCURRENT holds a new pair Hopae
                                  accepts; a failed step is read from the function's log group
      --timeout SECONDS           how long --wait waits (default 300)
      --local                     run the four steps in this process with your own credentials
                                  (for moto, and as break-glass when the deployed function is broken);
                                  a retry from the same AWSCURRENT reuses the token (Hopae replays)
${HOPAE_HELP}
Exit: 0 rotated (or started), 1 failed, 2 bad input, 3 --wait timed out.`,
    options: { wait: { type: 'boolean' }, timeout: { type: 'string' }, local: { type: 'boolean' }, ...HOPAE_OPTIONS },
    positionals: 1,
    run: (context, values, [secretId]) =>
      rotateCommand(context, {
        secretId: secretId!,
        wait: values.wait === true,
        timeoutSeconds: positiveNumber('--timeout', values.timeout, 300),
        local: values.local === true,
        apiBaseUrl: values['api-base-url'] as string | undefined,
        workspaceKeySecret: values['workspace-key-secret'] as string | undefined,
      }),
  },
  status: {
    summary: 'every secret rotated by a Hopae rotation function, with its rotation health',
    usage: `hopae-rotation status [--function NAME|ARN] [--stuck-after MINUTES] [--json]

Lists every secret whose rotation function is a Hopae rotation function (or the one named).
      --function NAME|ARN         only secrets rotated by this function
${STUCK_AFTER_HELP}
Exit: 0 none stuck, 1 some rotation is stuck, 2 bad input.`,
    options: { function: { type: 'string' }, ...STUCK_AFTER_OPTION },
    positionals: 0,
    run: (context, values) =>
      statusCommand(context, {
        functionName: values.function as string | undefined,
        stuckAfterMinutes: optionalPositive('--stuck-after', values['stuck-after']),
      }),
  },
  doctor: {
    summary: 'check everything a rotation of one secret needs, with the fix for each failure',
    usage: `hopae-rotation doctor <secret> [--stuck-after MINUTES] [--api-base-url URL] [--workspace-key-secret ID] [--json]

Checks the secret's JSON, rotation and its function, the workspace key, Hopae (GET /workspace),
the app (GET /apps/{id}), the current pair (GET /providers), and the rotation state (the row of
the state table in docs/runbook.md, with the one action that gets out). Read-only.
${STUCK_AFTER_HELP}
${HOPAE_HELP}
Exit: 0 all checks pass (a rotation in flight included), 1 some check fails, 2 bad input
(not ours, malformed AWSCURRENT).`,
    options: { ...STUCK_AFTER_OPTION, ...HOPAE_OPTIONS },
    positionals: 1,
    run: (context, values, [secretId]) =>
      doctorCommand(context, {
        secretId: secretId!,
        stuckAfterMinutes: optionalPositive('--stuck-after', values['stuck-after']),
        apiBaseUrl: values['api-base-url'] as string | undefined,
        workspaceKeySecret: values['workspace-key-secret'] as string | undefined,
      }),
  },
  consumers: {
    summary: 'who reads one secret (ECS, Lambda, CloudTrail) and whether each survives a rotation',
    usage: `hopae-rotation consumers <secret> [--days N] [--no-cloudtrail] [--json]

Finds the secret's readers: ECS task definitions that inject it as an environment variable (they
break until restarted, unless refreshOnRotation redeploys their services), Lambda functions whose
environment names it, and the principals CloudTrail saw calling GetSecretValue on it (whether they
survive depends on a re-read on 401: docs/client.md). Read-only.
      --days N                    CloudTrail GetSecretValue events of the last N days (default 7, at most 90)
      --no-cloudtrail             skip CloudTrail (LookupEvents allows 2 requests a second)
Exit: 0 no consumer breaks at the next rotation, 1 some consumer breaks, 2 bad input.`,
    options: { days: { type: 'string' }, 'no-cloudtrail': { type: 'boolean' } },
    positionals: 1,
    run: (context, values, [secretId]) =>
      consumersCommand(context, {
        secretId: secretId!,
        days: cloudTrailDays(values.days),
        cloudTrail: values['no-cloudtrail'] !== true,
      }),
  },
  recover: {
    summary: 'repair a stuck or abandoned rotation: plan the way out from the state table',
    usage: `hopae-rotation recover <secret> [--yes [--force]] [--json]

Asks Hopae (read-only) which version's pair it accepts (pending, current, previous, or an
unlabelled version left by an abandoned rotation), reads what the function logged about an
unfinished rotation, finds the secret's row in the state table (docs/runbook.md) and plans its
label moves. Acts only with --yes. Never rotates at Hopae. Leaves a rotation that may still be
in flight (younger than the in-flight threshold, no failure logged) alone unless --force.
      --yes                       carry out the plan
      --force                     with --yes: act on a rotation younger than the threshold, as stopped
${STUCK_AFTER_HELP}
${HOPAE_HELP}
Exit: 0 healthy (or healthy once the plan is carried out); 1 a rotation, a wait or a manual fix
must follow (printed as Next:), or Hopae did not answer; 2 bad input.`,
    options: { yes: { type: 'boolean' }, force: { type: 'boolean' }, ...STUCK_AFTER_OPTION, ...HOPAE_OPTIONS },
    positionals: 1,
    run: (context, values, [secretId]) =>
      recoverCommand(context, {
        secretId: secretId!,
        yes: values.yes === true,
        force: values.force === true,
        stuckAfterMinutes: optionalPositive('--stuck-after', values['stuck-after']),
        apiBaseUrl: values['api-base-url'] as string | undefined,
        workspaceKeySecret: values['workspace-key-secret'] as string | undefined,
      }),
  },
};

const MAIN_HELP = `hopae-rotation: operate Hopae clientSecret rotation in AWS Secrets Manager

Usage: hopae-rotation <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(11)}${command.summary}`)
  .join('\n')}

Every command takes --json (one JSON document on stdout: results, errors, help and version alike)
and --help; \`hopae-rotation help <command>\` shows one command's help, --version the version.
Unknown commands and options are refused (exit 2). A closed pipe (\`| head\`) ends output quietly. AWS access comes
from the SDK's standard configuration: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_SECRETS_MANAGER...
No command prints a secret value.

Exit codes: 0 ok, 1 failed or needs attention, 2 bad usage or input, 3 timed out.`;

const GLOBAL_FLAGS = new Set(['--json', '--help', '-h', '--version', '-V']);

/** Runs one command line; returns the exit code. */
export async function run(argv: readonly string[], deps: CliDeps = defaultDeps()): Promise<number> {
  // Flags before the command (`--json --version`, `-h`), then the command and its own arguments.
  const firstOther = argv.findIndex((arg) => !GLOBAL_FLAGS.has(arg));
  const leading = firstOther < 0 ? argv : argv.slice(0, firstOther);
  const [name, ...rest] = argv.slice(leading.length);
  // Known before parsing, so that even a usage error answers in JSON when asked to.
  const out = new Output(deps.stdout, deps.stderr, argv.includes('--json'));
  const usageError = (message: string, usage?: string) => {
    out.error(usage && !out.json ? `${message}\n\n${usage}` : message);
    out.result({ error: message, exitCode: EXIT.USAGE });
    return EXIT.USAGE;
  };
  // Help is text for people, or under --json one document holding that text.
  const help = (text: string, command?: string) => {
    if (out.json) out.result({ help: text, ...(command ? { command } : {}) });
    else deps.stdout.write(`${text}\n`);
    return EXIT.OK;
  };
  if (leading.includes('--version') || leading.includes('-V')) {
    if (name !== undefined) return usageError(`--version takes no command; got "${name}"`);
    out.line(packageVersion());
    out.result({ version: packageVersion() });
    return EXIT.OK;
  }
  if (leading.includes('--help') || leading.includes('-h')) return name !== undefined && COMMANDS[name] ? help(COMMANDS[name].usage, name) : help(MAIN_HELP);
  if (name === undefined) return usageError('no command given; one of ' + Object.keys(COMMANDS).join(', '), MAIN_HELP);
  if (name.startsWith('-')) return usageError(`unknown option ${name} (options before the command: --json, --help, --version; see \`hopae-rotation --help\`)`, MAIN_HELP);
  if (name === 'help') {
    const topics = rest.filter((arg) => arg !== '--json');
    if (topics.some((arg) => arg.startsWith('-'))) return usageError(`help takes a command name; got ${topics.find((arg) => arg.startsWith('-'))}`);
    if (topics.length > 1) return usageError(`help takes one command name; got ${topics.join(' ')}`);
    const topic = topics[0];
    if (topic === undefined) return help(MAIN_HELP);
    if (!COMMANDS[topic]) return unknownCommand(topic, usageError);
    return help(COMMANDS[topic].usage, topic);
  }
  const command = COMMANDS[name];
  if (!command) return unknownCommand(name, usageError);
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  const options = { ...COMMON, ...command.options };
  try {
    ({ values, positionals } = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    });
  } catch (error) {
    return usageError(describeParseError(name, error as Error & { code?: string }, Object.keys(options)), command.usage);
  }
  if (values.help) return help(command.usage, name);
  if (positionals.length !== command.positionals) {
    return usageError(`${name} takes ${command.positionals === 0 ? 'no arguments' : 'one secret (name or ARN)'}`, command.usage);
  }
  if (values.force && !values.yes) return usageError('--force only makes sense with --yes: without --yes nothing changes', command.usage);
  try {
    return await command.run({ deps, out, functions: new FunctionRegistry(deps.lambda) }, values, positionals);
  } catch (error) {
    const known = error instanceof CliError ? error : explainSdkError(error as Error);
    const exitCode = known ? known.exitCode : EXIT.FAILED;
    const message = known ? known.message : `${(error as Error).name}: ${(error as Error).message}`;
    out.error(message);
    out.result({ error: message, exitCode });
    return exitCode;
  }
}

function unknownCommand(name: string, usageError: (message: string) => number): number {
  const guess = closest(name, Object.keys(COMMANDS));
  return usageError(`unknown command "${name}"${guess ? `; did you mean "${guess}"?` : ''} Commands: ${Object.keys(COMMANDS).join(', ')} (see \`hopae-rotation --help\`)`);
}

/** node:util's parser messages, in this tool's words, with a guess for a mistyped flag. */
function describeParseError(command: string, error: Error & { code?: string }, known: readonly string[]): string {
  const flags = known.map((option) => `--${option}`);
  const see = `see \`hopae-rotation help ${command}\``;
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']+)'/.exec(error.message)?.[1] ?? 'that option';
    const guess = closest(given.replace(/=.*$/, ''), flags);
    return `unknown option ${given} for ${command}${guess ? `; did you mean ${guess}?` : '.'} Options: ${flags.join(', ')} (${see})`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /--[a-z-]+/.exec(error.message)?.[0] ?? 'an option';
    return `${flag} ${/argument missing/.test(error.message) ? 'needs a value' : 'takes no value'} (${see})`;
  }
  return `${error.message} (${see})`;
}

/** SDK errors an operator can fix by configuration, with the fix. */
function explainSdkError(error: Error): CliError | undefined {
  if (/Region is missing/i.test(error.message)) {
    return new CliError('No AWS region is configured: set AWS_REGION (e.g. `export AWS_REGION=eu-central-1`), or a region for your AWS_PROFILE in ~/.aws/config', EXIT.USAGE);
  }
  if (error.name === 'CredentialsProviderError') {
    return new CliError(`No AWS credentials: ${error.message}. Set AWS_PROFILE (after \`aws sso login\`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`, EXIT.USAGE);
  }
  return undefined;
}

/** CloudTrail's event history keeps 90 days (LookupEvents). */
function cloudTrailDays(raw: string | boolean | undefined): number {
  const days = positiveNumber('--days', raw, 7);
  if (!Number.isInteger(days) || days > 90) throw new CliError(`--days must be a whole number from 1 to 90 (CloudTrail keeps 90 days of events); got ${String(raw)}`);
  return days;
}

function optionalPositive(flag: string, raw: string | boolean | undefined): number | undefined {
  return raw === undefined ? undefined : positiveNumber(flag, raw, 0);
}

function positiveNumber(flag: string, raw: string | boolean | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(value) || value <= 0) {
    throw new CliError(`${flag} must be a positive number; got ${String(raw)}`);
  }
  return value;
}
