/** `forgetrace twin show|history`: a machine's digital twin. */
import { Option, type Command } from 'commander';
import { Context, parse, type Io } from '../context';
import { progressBar } from '../format/progress';
import { sparkline } from '../format/sparkline';
import { keyValues, table } from '../format/table';

type Json = Record<string, any>;

/** A number with about four significant digits (small values are not rounded to zero). */
const fixed = (v: unknown): string => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  return a === 0 ? '0' : a >= 1000 ? v.toFixed(0) : a >= 0.01 ? v.toFixed(3) : v.toPrecision(3);
};

export function registerTwin(program: Command, io: Io): void {
  const twin = program.command('twin').description('machine digital twins');

  twin.command('show <machineId>').description('the current estimate: states with uncertainty, wear, health')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const e = await (await ctx.client()).get<Json>(`/v1/machines/${encodeURIComponent(id)}/twin`);
      ctx.print(e, () => [
        keyValues([
          ['machine', e.machineId], ['model', `${e.model?.id}@${e.model?.version}`], ['as of', e.at === null ? 'no samples yet' : new Date(e.at).toISOString()],
          ['health', `${progressBar(e.healthIndex ?? 0, 20)} (${fixed(e.healthIndex)})`],
          ['wear', e.wear ? `${fixed(e.wear.value)} ± ${fixed(e.wear.std)} of ${fixed(e.wear.limit)} ${e.wear.unit}` : null],
          ['anomaly', e.anomaly ? `open since ${new Date(e.anomaly.startedAt).toISOString()}` : 'none'],
        ]),
        '',
        table(['state', 'unit', 'mean', 'std'], (e.states ?? []).map((s: Json) => [s.name, s.unit, fixed(s.mean), fixed(s.std)])),
      ].join('\n'));
    });

  twin.command('history <machineId>').description('filtered states and raw readings over time, as sparklines')
    .option('--from <iso>', 'start (default: 24 h before --to)')
    .option('--to <iso>', 'end (default: the latest sample)')
    .addOption(new Option('--points <n>', 'most points to fetch').default(120).argParser(parse.positiveInt('--points', 2000)))
    .addOption(new Option('--width <n>', 'sparkline width in characters').default(60).argParser(parse.positiveInt('--width', 500)))
    .action(async (id: string, opts: { from?: string; to?: string; points: number; width: number }, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const h = await (await ctx.client()).get<Json>(`/v1/machines/${encodeURIComponent(id)}/twin/history`, { from: opts.from, to: opts.to, points: opts.points });
      ctx.print(h, () => renderHistory(h, opts.width));
    });
}

/** One sparkline per filtered state and raw channel, with its range and latest value. */
export function renderHistory(h: Json, width: number): string {
  const points = (h.points ?? []) as Json[];
  const head = `${h.machineId}: ${h.from} → ${h.to}, ${points.length} points`;
  if (points.length === 0) return `${head}\n(no samples in this window)`;
  const series = (pick: (p: Json) => unknown) => points.map((p) => { const v = pick(p); return typeof v === 'number' ? v : null; });
  const rows: [string, (number | null)[]][] = [];
  for (const name of Object.keys(points[0]!.states ?? {})) rows.push([name, series((p) => p.states?.[name])]);
  for (const name of Object.keys(points[0]!.raw ?? {})) rows.push([`raw ${name}`, series((p) => p.raw?.[name])]);
  const label = Math.max(7, ...rows.map(([n]) => n.length));
  const lines = rows.map(([name, values]) => {
    const finite = values.filter((v): v is number => v !== null);
    const range = finite.length ? `${fixed(Math.min(...finite))} … ${fixed(Math.max(...finite))}  last ${fixed(finite[finite.length - 1])}` : 'no readings';
    return `${name.padEnd(label)}  ${sparkline(values, width)}  ${range}`;
  });
  const anomalies = points.map((p) => (p.anomaly ? '!' : ' ')).join('');
  if (anomalies.trim() !== '') lines.push(`${'anomaly'.padEnd(label)}  ${anomalies.length > width ? sparkline(points.map((p) => (p.anomaly ? 1 : 0)), width) : anomalies}`);
  return [head, '', ...lines].join('\n');
}
