/** `forgetrace profile add|list|use|remove`: the gateways this user talks to. */
import type { Command } from 'commander';
import { checkProfile, loadConfig, maskKey, saveConfig } from '../config';
import { Context, type Io } from '../context';
import { CliError } from '../errors';
import { table } from '../format/table';

export function registerProfile(program: Command, io: Io): void {
  const profile = program.command('profile').description('manage gateway profiles (URL + API key), stored with mode 0600');

  profile.command('add <name>')
    .description('add or replace a profile; the first profile becomes the current one')
    .requiredOption('--url <gatewayUrl>', 'gateway base URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--api-key <key>', 'API key of a gateway user')
    .action(async (name: string, opts: { url: string; apiKey: string }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const entry = checkProfile(name, opts.url, opts.apiKey);
      const config = await loadConfig(ctx.configPath);
      const replaced = name in config.profiles;
      config.profiles[name] = entry;
      config.current ??= name;
      await saveConfig(ctx.configPath, config);
      ctx.print({ name, url: entry.url, current: config.current === name, replaced, config: ctx.configPath }, () =>
        `${replaced ? 'replaced' : 'added'} profile ${name} (${entry.url})${config.current === name ? ', current' : ''}; saved to ${ctx.configPath}`);
    });

  profile.command('list')
    .description('list profiles (API keys masked)')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const config = await loadConfig(ctx.configPath);
      const rows = Object.entries(config.profiles).map(([name, p]) => ({ name, url: p.url, apiKey: maskKey(p.apiKey), current: name === config.current }));
      ctx.print({ current: config.current, profiles: rows }, () => table(['', 'name', 'url', 'api key'], rows.map((r) => [r.current ? '*' : ' ', r.name, r.url, r.apiKey])));
    });

  profile.command('use <name>')
    .description('make a profile the current one')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const config = await loadConfig(ctx.configPath);
      if (!config.profiles[name]) throw new CliError('UNKNOWN_PROFILE', `no profile "${name}" (have: ${Object.keys(config.profiles).join(', ') || 'none'})`);
      config.current = name;
      await saveConfig(ctx.configPath, config);
      ctx.print({ current: name }, () => `current profile: ${name}`);
    });

  profile.command('remove <name>')
    .description('delete a profile')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const config = await loadConfig(ctx.configPath);
      if (!config.profiles[name]) throw new CliError('UNKNOWN_PROFILE', `no profile "${name}"`);
      delete config.profiles[name];
      if (config.current === name) config.current = null;
      await saveConfig(ctx.configPath, config);
      ctx.print({ removed: name, current: config.current }, () => `removed profile ${name}`);
    });
}
