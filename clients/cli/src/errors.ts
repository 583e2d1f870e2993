/**
 * The CLI's error catalogue: each error has a stable code and the process exit code it ends
 * with. Commands throw {@link CliError}; the program prints its message on one line and exits.
 */

/** Exit codes of `forgetrace` (documented in the README). */
export const EXIT = {
  /** The command did what was asked. */
  OK: 0,
  /** The gateway answered with an error (4xx/5xx), or a checked proof is invalid. */
  FAILED: 1,
  /** Bad arguments, a missing profile or an unreadable input file: nothing was sent. */
  USAGE: 2,
  /** The gateway could not be reached (connection refused, DNS, timeout). */
  UNREACHABLE: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const CLI_ERRORS = {
  USAGE: { exit: EXIT.USAGE, title: 'bad arguments' },
  NO_PROFILE: { exit: EXIT.USAGE, title: 'no profile selected' },
  UNKNOWN_PROFILE: { exit: EXIT.USAGE, title: 'no such profile' },
  BAD_CONFIG: { exit: EXIT.USAGE, title: 'the configuration file is not valid' },
  BAD_INPUT_FILE: { exit: EXIT.USAGE, title: 'the input file cannot be used' },
  API_ERROR: { exit: EXIT.FAILED, title: 'the gateway answered with an error' },
  SCHEDULE_FAILED: { exit: EXIT.FAILED, title: 'the schedule did not complete' },
  PROOF_INVALID: { exit: EXIT.FAILED, title: 'the record proof is not valid' },
  UNREACHABLE: { exit: EXIT.UNREACHABLE, title: 'cannot reach the gateway' },
} as const;
export type CliErrorCode = keyof typeof CLI_ERRORS;

/** A failure the CLI reports in one line and turns into an exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
    /** Extra data shown with `--debug` (e.g. the problem document). */
    readonly details: Readonly<Record<string, unknown>> = {},
    /** Set when the message has already been printed (e.g. an invalid proof's verdict). */
    readonly silent = false,
  ) {
    super(message);
  }

  get exitCode(): ExitCode {
    return CLI_ERRORS[this.code].exit;
  }
}

/** Shorthand for a usage error (exit 2). */
export const usage = (message: string): CliError => new CliError('USAGE', message);
