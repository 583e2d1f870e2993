/**
 * Profiles: named gateway URLs and API keys, kept in one JSON file written with mode 0600
 * (default `~/.config/forgetrace/config.json`, or `$FORGETRACE_CONFIG`).
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors';

/** One gateway and the key to call it with. */
export interface Profile {
  readonly url: string;
  readonly apiKey: string;
}

/** The configuration file. */
export interface CliConfig {
  current: string | null;
  profiles: Record<string, Profile>;
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Where the configuration lives, from the environment. */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.FORGETRACE_CONFIG) return env.FORGETRACE_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'forgetrace', 'config.json');
}

/**
 * Read the configuration; a missing file is an empty configuration.
 * @throws CliError BAD_CONFIG when the file is not a configuration
 */
export async function loadConfig(path: string): Promise<CliConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { current: null, profiles: {} };
    throw new CliError('BAD_CONFIG', `cannot read ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CliError('BAD_CONFIG', `${path} is not JSON`);
  }
  const c = raw as Partial<CliConfig>;
  if (typeof c !== 'object' || c === null || typeof c.profiles !== 'object' || c.profiles === null) throw new CliError('BAD_CONFIG', `${path} has no "profiles" object`);
  for (const [name, p] of Object.entries(c.profiles)) {
    if (typeof p?.url !== 'string' || typeof p.apiKey !== 'string') throw new CliError('BAD_CONFIG', `${path}: profile ${name} needs "url" and "apiKey" strings`);
  }
  return { current: typeof c.current === 'string' ? c.current : null, profiles: { ...c.profiles } };
}

/** Write the configuration atomically, readable by the owner only (mode 0600). */
export async function saveConfig(path: string, config: CliConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600); // the mode above is only applied to new files, and the umask may narrow it
  await rename(tmp, path);
}

/**
 * Check a profile before it is stored.
 * @throws CliError USAGE for a bad name, URL or key
 */
export function checkProfile(name: string, url: string, apiKey: string): Profile {
  if (!PROFILE_NAME.test(name)) throw new CliError('USAGE', `profile name "${name}" must be 1-64 letters, digits, ".", "_" or "-"`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('USAGE', `--url "${url}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError('USAGE', `--url must be http or https, not ${parsed.protocol}`);
  if (apiKey.trim() === '') throw new CliError('USAGE', '--api-key must not be empty');
  return { url: parsed.toString().replace(/\/+$/, ''), apiKey };
}

/**
 * The profile to use: the named one, else the current one.
 * @throws CliError UNKNOWN_PROFILE, NO_PROFILE
 */
export function selectProfile(config: CliConfig, name: string | undefined, path: string): { name: string; profile: Profile } {
  const chosen = name ?? config.current;
  if (chosen === null || chosen === undefined) throw new CliError('NO_PROFILE', `no profile selected: add one with "forgetrace profile add <name> --url <url> --api-key <key>" (config ${path})`);
  const profile = config.profiles[chosen];
  if (!profile) throw new CliError('UNKNOWN_PROFILE', `no profile "${chosen}" in ${path} (have: ${Object.keys(config.profiles).join(', ') || 'none'})`);
  return { name: chosen, profile };
}

/** An API key as it may be shown: its first four characters. */
export function maskKey(key: string): string {
  return key.length <= 4 ? '****' : `${key.slice(0, 4)}…`;
}
