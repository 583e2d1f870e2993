/**
 * The `forgetrace` program: global options, the command tree, and how failures become one
 * line on stderr and an exit code ({@link EXIT}).
 */
import { Command, CommanderError } from 'commander';
import { registerExport } from './commands/export';
import { registerProfile } from './commands/profile';
import { registerRecommend } from './commands/recommend';
import { registerRecords } from './commands/records';
import { registerSchedules } from './commands/schedules';
import { registerTwin } from './commands/twin';
import { registerVerify } from './commands/verify';
import type { Io } from './context';
import { CliError, EXIT } from './errors';

const { version } = require('../package.json') as { version: string };

/** The process's own streams and environment. */
export function processIo(): Io {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    interactive: process.stderr.isTTY === true,
    env: process.env,
  };
}

/** The command tree, writing to `io`. Parsing throws instead of exiting. */
export function buildProgram(io: Io): Command {
  const program = new Command('forgetrace')
    .description('ForgeTrace command-line client: talks to a member gateway’s HTTP API')
    .version(version, '-V, --version')
    .option('--json', 'print machine-readable JSON')
    .option('--profile <name>', 'gateway profile to use (default: the current profile)')
    .option('--debug', 'show details and stack traces of failures')
    // Settings below are inherited by every subcommand added after them.
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (message, write) => write(`forgetrace: ${message.replace(/^error: /, '')}`),
    });
  registerProfile(program, io);
  registerRecords(program, io);
  registerTwin(program, io);
  registerSchedules(program, io);
  registerRecommend(program, io);
  registerVerify(program, io);
  registerExport(program, io);
  return program;
}

/**
 * Run `forgetrace` with `argv` (without node and script) and answer the exit code; never
 * throws. Failures are one line on stderr; `--debug` adds details and the stack.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message (or the help / version) already.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.OK;
      return EXIT.USAGE;
    }
    if (e instanceof CliError) {
      if (!e.silent) io.stderr(`forgetrace: ${e.message}\n`);
      if (debug) io.stderr(`${JSON.stringify({ code: e.code, ...e.details }, null, 2)}\n${e.stack}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    io.stderr(`forgetrace: unexpected error: ${err?.message ?? String(e)}${debug ? '' : ' (run with --debug for details)'}\n`);
    if (debug) io.stderr(`${err?.stack ?? ''}\n`);
    return EXIT.FAILED;
  }
}
