/**
 * bench:schedule — the flexible job-shop solver on the Brandimarte instances mk01–mk10.
 *
 * Per instance: makespan per seed, mean, best, best-known (bks.json), relative gap of the mean,
 * seconds, LP and combinatorial lower bounds; the dispatching baseline in the same run.
 * Target (issue): with --seeds 1 --time-limit 60, mean gap ≤ 1.5 % over mk01–mk10, none > 4 %.
 * Usage: npm run bench:schedule [-- --seeds N] [-- --time-limit SECONDS] [-- --instances DIR]
 *        [-- --only mk01,mk02] [-- --threads N] [-- --json]
 * --threads: search threads per solve (default: 2, or 1 on a single-core machine).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { compileProblem } from '@forgetrace/gateway/dist/scheduling/model';
import { fjspToProblem, parseFjsp } from '@forgetrace/gateway/dist/scheduling/fjsp-parser';
import { loadLpSolver, solveAllocationLp } from '@forgetrace/gateway/dist/scheduling/lower-bounds';
import { solveCompiled } from '@forgetrace/gateway/dist/scheduling/solver';
import { dispatchingSchedule } from '@forgetrace/gateway/dist/scheduling/dispatching';
import { scoreSchedule } from '@forgetrace/gateway/dist/scheduling/plan';
import { MAKESPAN_ONLY } from '@forgetrace/gateway/dist/scheduling/model';
import { checkBenchArgs } from './args';

checkBenchArgs('Usage: npm run bench:schedule [-- --seeds N] [-- --time-limit SECONDS] [-- --instances DIR] [-- --only mk01,mk02] [-- --threads N] [-- --json]', { 'seeds': 'value', 'time-limit': 'value', 'instances': 'value', 'only': 'value', 'threads': 'value', 'json': 'switch' });

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const json = argv.includes('--json');
const seeds = Math.max(1, Number(opt('--seeds') ?? 3));
const timeLimit = Number(opt('--time-limit') ?? 60);
const only = opt('--only')?.split(',');
const threads = Math.max(1, Number(opt('--threads') ?? Math.min(2, availableParallelism())));
const log = (...parts: unknown[]): void => { if (!json) console.log(...parts); };

/** The repository root: the nearest ancestor of this file with a package.json declaring workspaces. */
function repoRoot(): string {
  let dir = __dirname;
  while (dirname(dir) !== dir) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { workspaces?: unknown }).workspaces) return dir;
    dir = dirname(dir);
  }
  return resolve(__dirname, '..', '..', '..');
}

interface BksEntry { file?: string; bks?: number; lowerBound?: number; optimal?: boolean }

async function main(): Promise<void> {
  const fjspDir = join(repoRoot(), '..', 'shared', 'bench', 'fjsp');
  const instDir = resolve(opt('--instances') ?? join(fjspDir, 'brandimarte'));
  const bksPath = [join(instDir, 'bks.json'), join(dirname(instDir), 'bks.json')].find((p) => existsSync(p));
  const bks: Record<string, BksEntry> = bksPath ? JSON.parse(readFileSync(bksPath, 'utf8')) as Record<string, BksEntry> : {};
  const files = readdirSync(instDir).filter((f) => /\.(txt|fjs)$/.test(f)).sort();
  const lpSolver = await loadLpSolver();
  const rows: Record<string, { best: number; mean: number; bks?: number; seconds: number; gapPct?: number; baselineGapPct?: number; lp: number }> = {};
  log(`bench:schedule  seeds=${seeds}  time-limit=${timeLimit}s  instances=${instDir}`);
  log('instance  makespans            mean     best  bks   gap%    sec    LP-LB  comb-LB  dispatch');
  for (const f of files) {
    const name = basename(f).replace(/\.(txt|fjs)$/, '');
    if (only && !only.includes(name)) continue;
    const problem = fjspToProblem(parseFjsp(readFileSync(join(instDir, f), 'utf8')));
    const cp = compileProblem(problem);
    const lp = solveAllocationLp(cp, lpSolver);
    const base = dispatchingSchedule(cp);
    const baseline = scoreSchedule(cp, base.machine, base.start, MAKESPAN_ONLY).makespan;
    const results: number[] = [];
    let seconds = 0;
    let combLb = 0;
    for (let s = 1; s <= seeds; s++) {
      const r = solveCompiled(cp, { seed: s, timeLimitSeconds: timeLimit, threads }, lp);
      results.push(r.plan.makespan);
      seconds += r.stats.seconds;
      combLb = r.lowerBounds.jobPath > r.lowerBounds.averageLoad ? r.lowerBounds.jobPath : r.lowerBounds.averageLoad;
      combLb = Math.max(combLb, r.lowerBounds.dedicatedLoad);
    }
    const mean = results.reduce((a, b) => a + b, 0) / results.length;
    const best = Math.min(...results);
    const known = bks[name]?.bks;
    const gap = known ? (100 * (mean - known)) / known : undefined;
    const baseGap = known ? (100 * (baseline - known)) / known : undefined;
    rows[name] = { best, mean, seconds: seconds / seeds, lp: lp.bound, ...(known ? { bks: known } : {}), ...(gap !== undefined ? { gapPct: gap } : {}), ...(baseGap !== undefined ? { baselineGapPct: baseGap } : {}) };
    log(`${name.padEnd(9)} ${results.join(',').padEnd(20)} ${mean.toFixed(1).padStart(6)} ${String(best).padStart(6)} ${String(known ?? '-').padStart(4)} ${(gap?.toFixed(2) ?? '-').padStart(6)} ${(seconds / seeds).toFixed(1).padStart(6)} ${lp.bound.toFixed(1).padStart(8)} ${String(combLb).padStart(8)} ${String(baseline).padStart(9)}`);
  }
  const gaps = Object.values(rows).flatMap((r) => (r.gapPct !== undefined ? [r.gapPct] : []));
  const baseGaps = Object.values(rows).flatMap((r) => (r.baselineGapPct !== undefined ? [r.baselineGapPct] : []));
  const mean = (a: number[]): number | null => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : null);
  const summary = {
    meanGapPct: mean(gaps), maxGapPct: gaps.length ? Math.max(...gaps) : null, baselineMeanGapPct: mean(baseGaps),
    seeds, timeLimitSeconds: timeLimit,
    instances: Object.fromEntries(Object.entries(rows).map(([k, r]) => [k, { best: r.best, mean: r.mean, bks: r.bks ?? null, gapPct: r.gapPct ?? null, seconds: r.seconds, lpBound: r.lp }])),
  };
  log(`mean gap ${summary.meanGapPct?.toFixed(2)} %, max gap ${summary.maxGapPct?.toFixed(2)} %, dispatching baseline mean gap ${summary.baselineMeanGapPct?.toFixed(2)} %`);
  if (json) console.log(JSON.stringify(summary));
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
