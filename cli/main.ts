/**
 * `hopae-rotation`: the operator's tool for Hopae secret rotation. It uses the AWS SDK's standard
 * credentials, region and endpoint configuration, so it works against AWS and moto_server alike.
 * It never prints a secret value.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type CliDeps, type CommandContext, defaultDeps } from './context';
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
      --wait                      follow the versions until AWSCURRENT reaches the new version
      --timeout SECONDS           how long --wait waits (default 300)
      --local                     run the four steps in this process with your own credentials
                                  (for moto, and as break-glass when the deployed function is broken)
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
      --stuck-after MINUTES       an unfinished rotation older than this is stuck (default 60)
Exit: 0 none stuck, 1 some rotation is stuck, 2 bad input.`,
    options: { function: { type: 'string' }, 'stuck-after': { type: 'string' } },
    positionals: 0,
    run: (context, values) =>
      statusCommand(context, {
        functionName: values.function as string | undefined,
        stuckAfterMinutes: positiveNumber('--stuck-after', values['stuck-after'], 60),
      }),
  },
  doctor: {
    summary: 'check everything a rotation of one secret needs, with the fix for each failure',
    usage: `hopae-rotation doctor <secret> [--json]

Checks the secret's JSON, rotation and its function, the workspace key, Hopae (GET /workspace),
the app (GET /apps/{id}) and the current pair (GET /providers). Read-only.
${HOPAE_HELP}
Exit: 0 all checks pass, 1 some check fails, 2 bad input.`,
    options: { ...HOPAE_OPTIONS },
    positionals: 1,
    run: (context, values, [secretId]) =>
      doctorCommand(context, {
        secretId: secretId!,
        apiBaseUrl: values['api-base-url'] as string | undefined,
        workspaceKeySecret: values['workspace-key-secret'] as string | undefined,
      }),
  },
  recover: {
    summary: 'repair a stuck or abandoned rotation: put AWSCURRENT on the pair Hopae accepts',
    usage: `hopae-rotation recover <secret> [--yes] [--json]

Finds which version's pair Hopae accepts (pending, current, previous, or an unlabelled version
left by an abandoned rotation) and plans the label moves. Acts only with --yes. Never rotates.
      --yes                       carry out the plan
${HOPAE_HELP}
Exit: 0 healthy, plan shown or carried out; 1 no version is accepted (run rotate); 2 bad input.`,
    options: { yes: { type: 'boolean' }, ...HOPAE_OPTIONS },
    positionals: 1,
    run: (context, values, [secretId]) =>
      recoverCommand(context, {
        secretId: secretId!,
        yes: values.yes === true,
        apiBaseUrl: values['api-base-url'] as string | undefined,
        workspaceKeySecret: values['workspace-key-secret'] as string | undefined,
      }),
  },
};

const MAIN_HELP = `hopae-rotation: operate Hopae clientSecret rotation in AWS Secrets Manager

Usage: hopae-rotation <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(9)}${command.summary}`)
  .join('\n')}

Every command takes --json (one JSON document on stdout) and --help. AWS access comes from the
SDK's standard configuration: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_SECRETS_MANAGER...
No command prints a secret value.

Exit codes: 0 ok, 1 failed or needs attention, 2 bad usage or input, 3 timed out.`;

/** Runs one command line; returns the exit code. */
export async function run(argv: readonly string[], deps: CliDeps = defaultDeps()): Promise<number> {
  const [name, ...rest] = argv;
  const plain = new Output(deps.stdout, deps.stderr, false);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    plain.line(MAIN_HELP);
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    plain.error(`unknown command "${name}"; one of ${Object.keys(COMMANDS).join(', ')} (see --help)`);
    return EXIT.USAGE;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...rest], options: { ...COMMON, ...command.options }, allowPositionals: true, strict: true }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    });
  } catch (error) {
    plain.error(`${(error as Error).message}\n\n${command.usage}`);
    return EXIT.USAGE;
  }
  if (values.help) {
    plain.line(command.usage);
    return EXIT.OK;
  }
  const out = new Output(deps.stdout, deps.stderr, values.json === true);
  if (positionals.length !== command.positionals) {
    out.error(`${name} takes ${command.positionals === 0 ? 'no arguments' : 'one secret (name or ARN)'}\n\n${command.usage}`);
    return EXIT.USAGE;
  }
  try {
    return await command.run({ deps, out, functions: new FunctionRegistry(deps.lambda) }, values, positionals);
  } catch (error) {
    const exitCode = error instanceof CliError ? error.exitCode : EXIT.FAILED;
    out.error(error instanceof CliError ? error.message : `${(error as Error).name}: ${(error as Error).message}`);
    out.result({ error: (error as Error).message, exitCode });
    return exitCode;
  }
}

function positiveNumber(flag: string, raw: string | boolean | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(value) || value <= 0) {
    throw new CliError(`${flag} must be a positive number; got ${String(raw)}`);
  }
  return value;
}
