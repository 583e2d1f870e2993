/** `forgetrace schedules run|show|accept`: plan orders onto machines with the gateway's solver. */
import { Option, type Command } from 'commander';
import type { GatewayClient } from '../client';
import { Context, parse, type Io } from '../context';
import { CliError } from '../errors';
import { gantt } from '../format/gantt';
import { progressBar } from '../format/progress';
import { keyValues } from '../format/table';

type Json = Record<string, any>;

const POLL_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The live progress line of a running schedule. */
export function progressLine(run: Json): string {
  const p = run.progress ?? {};
  const limit = Number(run.request?.timeLimitSeconds);
  const generations = Number(run.request?.generations);
  const fraction = Math.max(limit > 0 ? (p.seconds ?? 0) / limit : 0, generations > 0 ? (p.generation ?? 0) / generations : 0);
  const best = typeof p.bestObjective === 'number' ? p.bestObjective.toFixed(1) : '-';
  return `${run.id} ${progressBar(run.status === 'running' ? fraction : 1)}  generation ${p.generation ?? 0}  best ${best}  ${(p.seconds ?? 0).toFixed(1)} s`;
}

/** Summary and Gantt chart of a schedule. */
export function renderSchedule(run: Json, width = 60): string {
  const o = run.objective as Json | undefined;
  const summary = keyValues([
    ['schedule', run.id], ['status', run.status], ['orders', (run.request?.orders ?? []).join(', ')],
    ['objective', o ? `${o.value?.toFixed?.(2) ?? o.value} (makespan ${o.makespanMinutes} min, weighted tardiness ${o.totalWeightedTardiness}, cost ${o.cost})` : null],
    ['lower bound', run.lowerBoundMinutes !== undefined ? `${run.lowerBoundMinutes} min` : null],
    ['late parts', run.violations ? run.violations.length : null],
    ['merkle root', run.merkle?.root],
    ['accepted', run.acceptance ? `anchor ${run.acceptance.anchorId}, jobs ${run.acceptance.jobIds.join(', ')}` : null],
    ...(run.error ? [['error', typeof run.error === 'string' ? run.error : JSON.stringify(run.error)] as [string, string]] : []),
  ]);
  if (!run.gantt) return `${summary}\n\n(no plan yet: ${run.status}; ${progressLine(run)})`;
  const rows = (run.gantt as Json[]).map((r) => ({
    label: `${r.machineId} (${r.factoryMsp})`,
    bars: (r.bars as Json[]).map((b) => ({ start: Date.parse(b.start), end: Date.parse(b.end), label: `${b.partId} op ${b.operationIndex} ${b.process}` })),
  }));
  return `${summary}\n\n${gantt(rows, width)}`;
}

async function waitFor(ctx: Context, client: GatewayClient, first: Json): Promise<Json> {
  let run = first;
  let lastPrinted = 0;
  const show = (final: boolean) => {
    if (ctx.json) return;
    const line = progressLine(run);
    if (ctx.io.interactive) ctx.io.stderr(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else if (final || Date.now() - lastPrinted >= 2000) {
      ctx.io.stderr(line + '\n');
      lastPrinted = Date.now();
    }
  };
  while (run.status === 'running') {
    show(false);
    await sleep(POLL_MS);
    run = await client.get<Json>(`/v1/schedules/${encodeURIComponent(run.id)}`);
  }
  show(true);
  return run;
}

export function registerSchedules(program: Command, io: Io): void {
  const schedules = program.command('schedules').description('production schedules');

  schedules.command('run').description('solve a schedule over orders, showing live progress until it is done')
    .addOption(new Option('--orders <ids>', 'comma-separated order ids').argParser(parse.idList('--orders')).makeOptionMandatory())
    .addOption(new Option('--time-limit <seconds>', 'solver time limit (at most 120)').argParser(parse.positiveNumber('--time-limit')))
    .addOption(new Option('--generations <n>', 'most generations of the genetic search').argParser(parse.positiveInt('--generations', 5000)))
    .addOption(new Option('--seed <n>', 'random seed (same seed, same plan)').argParser(parse.positiveInt('--seed', 2 ** 31 - 1)))
    .option('--no-wait', 'print the schedule id and return without waiting')
    .action(async (opts: { orders: string[]; timeLimit?: number; generations?: number; seed?: number; wait: boolean }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const client = await ctx.client();
      const body = { orders: opts.orders, ...(opts.timeLimit !== undefined ? { timeLimitSeconds: opts.timeLimit } : {}), ...(opts.generations !== undefined ? { generations: opts.generations } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
      const started = await client.post<Json>('/v1/schedules', body);
      if (!opts.wait) return ctx.print(started, () => `started schedule ${started.id}; follow it with: forgetrace schedules show ${started.id}`);
      const run = await waitFor(ctx, client, started);
      ctx.print(run, () => renderSchedule(run));
      if (run.status === 'failed' || run.status === 'cancelled') {
        throw new CliError('SCHEDULE_FAILED', `schedule ${run.id} ${run.status}${run.error ? `: ${typeof run.error === 'string' ? run.error : JSON.stringify(run.error)}` : ''}`);
      }
    });

  schedules.command('show <scheduleId>').description('a schedule with its Gantt chart per machine')
    .addOption(new Option('--width <n>', 'chart width in characters').default(60).argParser(parse.positiveInt('--width', 500)))
    .action(async (id: string, opts: { width: number }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const run = await (await ctx.client()).get<Json>(`/v1/schedules/${encodeURIComponent(id)}`);
      ctx.print(run, () => renderSchedule(run, opts.width));
    });

  schedules.command('accept <scheduleId>').description('accept the plan (admin): anchor its Merkle root and assign the jobs on the ledger')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const run = await (await ctx.client()).post<Json>(`/v1/schedules/${encodeURIComponent(id)}/acceptance`, {});
      ctx.print(run, () => `accepted schedule ${run.id}: anchor ${run.acceptance?.anchorId}, jobs ${(run.acceptance?.jobIds ?? []).join(', ')}`);
    });
}
