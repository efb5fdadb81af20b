/** Exit codes scripts can rely on. */
export const EXIT = {
  /** Done; healthy; plan shown or applied. */
  OK: 0,
  /** The operation or a check failed; something needs attention. */
  FAILED: 1,
  /** Bad usage or input: unknown command or flag, unknown secret, a secret that is not ours, malformed JSON. */
  USAGE: 2,
  /** `rotate --wait` gave up waiting. */
  TIMEOUT: 3,
} as const;

/** An error the CLI reports as one line and maps to an exit code, without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
  }
}
