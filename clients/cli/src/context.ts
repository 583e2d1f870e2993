/** What every command gets: output streams, global options, the selected profile's client. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { GatewayClient } from './client';
import { configPath, loadConfig, selectProfile } from './config';
import { CliError, usage } from './errors';

/** Where the CLI writes and what it reads from its environment (tests pass their own). */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal (live progress lines overwrite themselves). */
  readonly interactive: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/** Options every command accepts. */
export interface GlobalOptions {
  readonly json?: boolean;
  readonly profile?: string;
  readonly debug?: boolean;
}

/** A command's view of the invocation. */
export class Context {
  constructor(readonly io: Io, readonly options: GlobalOptions) {}

  /** The context of the command being run (global options from its ancestors). */
  static of(io: Io, cmd: Command): Context {
    return new Context(io, cmd.optsWithGlobals<GlobalOptions>());
  }

  get json(): boolean {
    return this.options.json === true;
  }

  get configPath(): string {
    return configPath(this.io.env);
  }

  /**
   * A client for the selected profile.
   * @throws CliError NO_PROFILE, UNKNOWN_PROFILE, BAD_CONFIG
   */
  async client(): Promise<GatewayClient> {
    const config = await loadConfig(this.configPath);
    const { profile } = selectProfile(config, this.options.profile, this.configPath);
    return new GatewayClient(profile.url, profile.apiKey);
  }

  /** Print `data` as JSON with `--json`, else the human rendering. */
  print(data: unknown, human: () => string): void {
    this.io.stdout(this.json ? JSON.stringify(data, null, 2) + '\n' : human() + '\n');
  }
}

/**
 * Read and parse a JSON file named on the command line.
 * @throws CliError BAD_INPUT_FILE
 */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError('BAD_INPUT_FILE', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError('BAD_INPUT_FILE', `${path} is not JSON: ${(e as Error).message}`);
  }
}

/** Parsers for option values; each throws a usage error (exit 2). */
export const parse = {
  positiveInt(name: string, max = Number.MAX_SAFE_INTEGER) {
    return (value: string): number => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > max) throw usage(`${name} must be an integer from 1 to ${max}, not "${value}"`);
      return n;
    };
  },
  positiveNumber(name: string) {
    return (value: string): number => {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw usage(`${name} must be a positive number, not "${value}"`);
      return n;
    };
  },
  sha256(name: string) {
    return (value: string): string => {
      if (!/^[0-9a-f]{64}$/.test(value)) throw usage(`${name} must be a SHA-256 hash: 64 lowercase hex characters`);
      return value;
    };
  },
  idList(name: string) {
    return (value: string): string[] => {
      const ids = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (ids.length === 0) throw usage(`${name} must list at least one id, e.g. PO-1001,PO-1002`);
      return ids;
    };
  },
};
