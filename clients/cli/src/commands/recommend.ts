/** `forgetrace recommend parts|factories`: explained recommendations. */
import { Option, type Command } from 'commander';
import { Context, parse, type Io } from '../context';
import { table } from '../format/table';

type Json = Record<string, any>;

export function registerRecommend(program: Command, io: Io): void {
  const recommend = program.command('recommend').description('part and factory recommendations, each explained');

  recommend.command('parts').description('top part configurations for a buyer')
    .option('--buyer <mspId>', 'the buyer (default: the caller’s organisation)')
    .addOption(new Option('--k <n>', 'how many').argParser(parse.positiveInt('--k', 1000)))
    .action(async (opts: { buyer?: string; k?: number }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const r = await (await ctx.client()).get<Json>('/v1/recommendations/parts', { buyer: opts.buyer, k: opts.k });
      ctx.print(r, () => `buyer ${r.buyer}, strategy ${r.strategy}${r.coldStart ? ' (cold start)' : ''}, model ${r.modelVersion}\n\n` +
        table(['#', 'configuration', 'score', 'why'], (r.items as Json[]).map((i, n) => [n + 1, i.configuration, typeof i.score === 'number' ? i.score.toFixed(3) : null, i.explanation?.summary])));
    });

  recommend.command('factories').description('factories for an order, with the factors of each score')
    .requiredOption('--order <orderId>', 'the order')
    .action(async (opts: { order: string }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const r = await (await ctx.client()).get<Json>('/v1/recommendations/factories', { order: opts.order });
      ctx.print(r, () => `order ${r.orderId} (${r.configuration}) for ${r.buyer}, model ${r.modelVersion}\n\n` +
        table(['#', 'factory', 'score', 'why'], (r.factories as Json[]).map((f, n) => [n + 1, f.factoryMsp, typeof f.score === 'number' ? f.score.toFixed(3) : null, f.summary])));
    });
}
