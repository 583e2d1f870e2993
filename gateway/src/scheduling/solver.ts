/**
 * The hybrid solver: a genetic algorithm over two-part chromosomes (machine assignment +
 * operation sequence) whose offspring are improved by the critical-path tabu search, with
 * elitism, restarts on stagnation, LP-seeded and dispatching-seeded initial individuals, and an
 * optional Pareto archive. Pure: data in, result out; randomness from a seed; time only read when
 * a time limit is given.
 */
import { checkPlan, type Violation } from './checker';
import { type Chromosome, Decoder } from './decoder';
import { dispatchingChromosome } from './dispatching';
import { SchedulingError } from './errors';
import { type CombinatorialBounds, combinatorialBounds, type LpBound, type LpSolver, loadLpSolver, solveAllocationLp } from './lower-bounds';
import { type CompiledProblem, compileProblem, MAKESPAN_ONLY, type ObjectiveWeights, type SchedulingProblem } from './model';
import { buildPlan, type Plan, scoreSchedule } from './plan';
import { Rng } from '../common/rng';
import { IslandPool } from './island-pool';
import { SequenceState, TabuSearch } from './tabu';

/** Progress report, once per generation. */
export interface SolveProgress {
  readonly generation: number;
  readonly bestObjective: number;
  readonly seconds: number;
}

/** Solver options; without `timeLimitSeconds` a run is fully determined by the seed and limits. */
export interface SolveOptions {
  /** PRNG seed (default 1). */
  readonly seed?: number;
  /** Generation limit (default 60 when no time limit is given, otherwise unlimited). */
  readonly generations?: number;
  /** Wall-clock limit; the only setting that makes a run depend on time. */
  readonly timeLimitSeconds?: number;
  /** Population size (default 20). */
  readonly populationSize?: number;
  /** Tabu search stops after this many iterations without a new best (default: 2 × operations, ≥ 200). */
  readonly tabuNoImprove?: number;
  /** Moves evaluated exactly per tabu iteration, best estimates first (default 2). */
  readonly tabuExact?: number;
  /** Tie-breaking of equal objectives in the tabu search (see `TabuOptions.tieBreak`). */
  readonly tabuTieBreak?: 'completion' | 'mixed' | 'none';
  /** Tabu tenure as `[minimum, scale]` (see `TabuOptions`; default [2, 0.5]). */
  readonly tabuTenure?: readonly [number, number];
  /** Share of offspring improved by tabu search each generation (default 0.25, at least one). */
  readonly tabuShare?: number;
  /** Generations without a new best before the population is re-seeded (default 15). */
  readonly restartAfter?: number;
  /** Objective weights (default makespan only). */
  readonly weights?: ObjectiveWeights;
  /** Also return the non-dominated plans (makespan, weighted tardiness, cost) found. */
  readonly pareto?: boolean;
  /** Solve the allocation LP (default true); pass a solver to reuse one. */
  readonly lp?: boolean | LpSolver;
  /** Stop as soon as the makespan reaches a lower bound (default true; makespan-only weights). */
  readonly stopAtLowerBound?: boolean;
  /**
   * Search threads (default 1). With a time limit, `threads − 1` worker threads run islands of
   * their own (seeds derived from `seed`) and exchange improvements with this one; ignored
   * without a time limit (so such runs stay deterministic) and with `pareto`.
   */
  readonly threads?: number;
  /** Called once per generation. */
  readonly onProgress?: (p: SolveProgress) => void;
  /** Extra initial individuals (e.g. the current plan when rescheduling). */
  readonly initial?: readonly Chromosome[];
  /** Reference machine per operation (-1: none) and the objective penalty per changed one. */
  readonly reference?: Int32Array;
  readonly changePenalty?: number;
}

/** What a solve returns. */
export interface SolveResult {
  readonly plan: Plan;
  /** Non-dominated plans (only with `pareto: true`), sorted by makespan. */
  readonly pareto?: readonly Plan[];
  readonly lowerBounds: CombinatorialBounds & { readonly lp?: number; readonly lpSeconds?: number; readonly best: number };
  readonly stats: {
    readonly generations: number;
    readonly tabuIterations: number;
    readonly decodes: number;
    readonly restarts: number;
    /** Islands (threads) whose results were compared: 1 plus the helpers that finished. */
    readonly islands: number;
    readonly seconds: number;
  };
}

interface Individual {
  seq: Int32Array;
  asg: Int32Array;
  obj: number;
  hash: number;
}

/** A plan of the Pareto archive: objectives, machines and starts. */
export interface ArchiveEntry {
  makespan: number;
  tardiness: number;
  cost: number;
  machine: Int32Array;
  start: Float64Array;
}

/**
 * Solves a problem: validates it, computes lower bounds (combinatorial and, unless disabled,
 * the allocation LP with HiGHS), runs the hybrid GA/tabu search and checks the resulting plan.
 * @throws SchedulingError validation codes from `compileProblem`; `LP_FAILED`; `INFEASIBLE_PLAN`
 *   if the checker rejects the solver's plan (a bug, never expected).
 */
export async function solve(problem: SchedulingProblem, options: SolveOptions = {}): Promise<SolveResult> {
  const cp = compileProblem(problem);
  let lp: LpBound | undefined;
  if (options.lp !== false) {
    const solver = typeof options.lp === 'object' ? options.lp : await loadLpSolver();
    lp = solveAllocationLp(cp, solver);
  }
  return solveCompiled(cp, options, lp);
}

/** The synchronous core of {@link solve} for an already compiled problem and optional LP result. */
export function solveCompiled(cp: CompiledProblem, options: SolveOptions = {}, lp?: LpBound): SolveResult {
  const t0 = performance.now();
  const w = options.weights ?? MAKESPAN_ONLY;
  if (![w.makespan, w.tardiness, w.cost].every((x) => Number.isFinite(x) && x >= 0) || w.makespan + w.tardiness + w.cost <= 0) {
    throw new SchedulingError('INVALID_WEIGHTS');
  }
  const deadline = options.timeLimitSeconds !== undefined ? t0 + options.timeLimitSeconds * 1000 : undefined;
  const comb = combinatorialBounds(cp);
  const lbBest = Math.max(comb.best, lp ? Math.ceil(lp.bound - 1e-6) : 0);
  const canStopAtBound = (options.stopAtLowerBound ?? true) && w.tardiness === 0 && w.cost === 0 && !options.reference
    && (cp.source.fixed ?? []).length === 0 && cp.blockFrom.length === 0 && cp.nFactories === 1 && cp.notBefore === 0;
  const seed = options.seed ?? 1;
  // helper threads only under a time limit: a generation-limited run stays a function of the seed
  const helpers = deadline !== undefined && !options.pareto ? Math.max(0, Math.floor(options.threads ?? 1) - 1) : 0;
  const pool = helpers > 0 ? new IslandPool(cp, options, lp, { seed, lbBest, canStopAtBound, deadline: deadline! }, helpers) : undefined;
  const main = runIsland(cp, options, lp, { seed, lbBest, canStopAtBound, ...(deadline !== undefined ? { deadline } : {}) }, pool);
  let best: Chromosome & { obj: number } = main.best;
  const stats = { generations: main.generations, tabuIterations: main.tabuIterations, decodes: main.decodes, restarts: main.restarts };
  const helperResults = pool?.finish() ?? [];
  for (const h of helperResults) {
    if (h.obj < best.obj - 1e-9) best = h;
    stats.generations += h.stats.generations;
    stats.tabuIterations += h.stats.tabuIterations;
    stats.decodes += h.stats.decodes;
    stats.restarts += h.stats.restarts;
  }
  const start = new Float64Array(cp.nOps);
  const machine = new Int32Array(cp.nOps);
  new Decoder(cp).decode(best, start, machine);
  const plan = buildPlan(cp, machine, start, w);
  assertFeasible(cp, plan);
  let pareto: Plan[] | undefined;
  if (options.pareto) {
    pareto = main.archive.map((a) => buildPlan(cp, a.machine, a.start, w)).sort((a, b) => a.makespan - b.makespan || a.totalWeightedTardiness - b.totalWeightedTardiness);
    pareto.forEach((p) => assertFeasible(cp, p));
  }
  return {
    plan,
    ...(pareto ? { pareto } : {}),
    lowerBounds: { ...comb, ...(lp ? { lp: lp.bound, lpSeconds: lp.seconds } : {}), best: lbBest },
    stats: { ...stats, islands: 1 + helperResults.length, seconds: (performance.now() - t0) / 1000 },
  };
}

/** What one island (search thread) needs besides the problem and the options. */
export interface IslandContext {
  readonly seed: number;
  /** Best lower bound, and whether reaching it may end the search. */
  readonly lbBest: number;
  readonly canStopAtBound: boolean;
  /** `performance.now()` value (of the island's own thread) after which to stop. */
  readonly deadline?: number;
}

/** How an island talks to the other islands of a parallel solve. */
export interface IslandLink {
  /** True when the island must stop now (checked between generations and inside tabu runs). */
  stop(): boolean;
  /** Called once the initial population is evaluated and not already at the lower bound. */
  begin?(): void;
  /**
   * Called after every generation with the island's best when it improved since the last call
   * (else null); returns the chromosomes other islands sent since then.
   */
  exchange(best: (Chromosome & { readonly obj: number }) | null): readonly Chromosome[];
}

/** What an island returns: its best chromosome (objective included), archive and counters. */
export interface IslandResult {
  readonly best: Chromosome & { readonly obj: number };
  readonly archive: readonly ArchiveEntry[];
  readonly generations: number;
  readonly tabuIterations: number;
  readonly decodes: number;
  readonly restarts: number;
}

/**
 * One island of the hybrid GA/tabu search: runs until the generation limit, the deadline, the
 * lower bound or `link.stop()`, exchanging improvements through `link` when given. Exported for
 * the worker thread of a parallel solve; callers use {@link solveCompiled}.
 */
export function runIsland(cp: CompiledProblem, options: SolveOptions, lp: LpBound | undefined, ctx: IslandContext, link?: IslandLink): IslandResult {
  const t0 = performance.now();
  const w = options.weights ?? MAKESPAN_ONLY;
  const deadline = ctx.deadline;
  const maxGen = options.generations ?? (deadline === undefined ? 60 : Infinity);
  const P = Math.max(4, options.populationSize ?? 20);
  const tabuNoImprove = options.tabuNoImprove ?? Math.max(200, 2 * cp.nFree);
  const tabuCount = Math.max(1, Math.round((options.tabuShare ?? 0.25) * P));
  const restartAfter = options.restartAfter ?? 15;
  const rng = new Rng(ctx.seed);
  const lbBest = ctx.lbBest;
  const canStopAtBound = ctx.canStopAtBound;
  const m = cp.nMachines;
  const decoder = new Decoder(cp);
  const start = new Float64Array(cp.nOps);
  const machine = new Int32Array(cp.nOps);
  const state = new SequenceState(cp, w);
  if (options.reference) { state.reference = options.reference; state.changePenalty = options.changePenalty ?? 0; }
  const tabu = new TabuSearch(cp, w);
  const archive: ArchiveEntry[] = [];
  let decodes = 0;
  let tabuIterations = 0;
  let restarts = 0;

  const penalty = (asg: Int32Array): number => {
    if (!options.reference) return 0;
    let c = 0;
    for (let o = 0; o < cp.nOps; o++) { const r = options.reference[o]!; if (r >= 0 && r !== asg[o]) c++; }
    return c * (options.changePenalty ?? 0);
  };
  const archiveAdd = (mk: number, td: number, cost: number): void => {
    for (const a of archive) if (a.makespan <= mk && a.tardiness <= td && a.cost <= cost) return;
    for (let i = archive.length - 1; i >= 0; i--) {
      const a = archive[i]!;
      if (mk <= a.makespan && td <= a.tardiness && cost <= a.cost) archive.splice(i, 1);
    }
    if (archive.length < 64) archive.push({ makespan: mk, tardiness: td, cost, machine: machine.slice(), start: start.slice() });
  };
  const evaluate = (ind: Individual): void => {
    decoder.decode(ind, start, machine);
    decodes++;
    const s = scoreSchedule(cp, machine, start, w);
    ind.obj = s.objective + penalty(machine);
    let h = 0;
    for (let o = 0; o < cp.nOps; o++) h = (Math.imul(h, 31) + machine[o]! * 7919 + start[o]!) | 0;
    ind.hash = h;
    if (options.pareto) archiveAdd(s.makespan, s.tardiness, s.cost);
  };
  const freeOps: number[] = [];
  for (let j = 0; j < cp.nJobs; j++) for (let o = cp.jobFirstFree[j]!; o < cp.jobFirstOp[j + 1]!; o++) freeOps.push(o);
  const opOrder = Int32Array.from(freeOps);
  const improve = (ind: Individual): void => {
    decoder.decode(ind, start, machine);
    state.load(machine, start);
    const r = tabu.run(state, rng, { maxIterations: 20 * tabuNoImprove, maxNoImprove: tabuNoImprove, ...(deadline !== undefined ? { deadline } : {}), ...(link ? { stop: () => link.stop() } : {}), exactPerIteration: options.tabuExact ?? 2, ...(options.tabuTieBreak ? { tieBreak: options.tabuTieBreak } : {}), ...(options.tabuTenure ? { tenureMin: options.tabuTenure[0], tenureScale: options.tabuTenure[1] } : {}) });
    tabuIterations += r.iterations;
    // Lamarckian write-back: sequence = free operations by start time; never worse than the tabu result
    ind.asg.set(state.asg);
    const st = state.start;
    opOrder.sort((a, b) => st[a]! - st[b]! || a - b);
    for (let g = 0; g < opOrder.length; g++) ind.seq[g] = cp.opJob[opOrder[g]!]!;
    evaluate(ind);
  };
  const jobsMultiset = Int32Array.from(freeOps.map((o) => cp.opJob[o]!));
  const randomIndividual = (mode: 'random' | 'fastest' | 'lp'): Individual => {
    const asg = new Int32Array(cp.nOps);
    for (const o of freeOps) {
      const a = cp.eligStart[o]!;
      const b = cp.eligStart[o + 1]!;
      let k = cp.eligMachine[a + rng.int(b - a)]!;
      if (mode === 'fastest') {
        let best = Infinity;
        for (let e = a; e < b; e++) {
          const x = cp.eligMachine[e]!;
          const t = cp.time[o * m + x]! + rng.next() * 1e-6;
          if (t < best) { best = t; k = x; }
        }
      } else if (mode === 'lp' && lp) {
        let r = rng.next();
        for (let e = a; e < b; e++) {
          const x = cp.eligMachine[e]!;
          r -= lp.share[o * m + x]!;
          if (r <= 0) { k = x; break; }
        }
      }
      asg[o] = k;
    }
    const ind: Individual = { seq: rng.shuffle(jobsMultiset.slice()), asg, obj: Infinity, hash: 0 };
    evaluate(ind);
    return ind;
  };
  const fresh = (count: number): Individual[] => {
    const out: Individual[] = [];
    for (let i = 0; i < count; i++) {
      const r = i % 5;
      out.push(randomIndividual(r === 0 || r === 3 ? 'lp' : r === 1 ? 'fastest' : 'random'));
    }
    return out;
  };

  let pop: Individual[] = [];
  const d = dispatchingChromosome(cp);
  const seedInd: Individual = { seq: d.seq, asg: d.asg, obj: Infinity, hash: 0 };
  evaluate(seedInd);
  pop.push(seedInd);
  for (const c of options.initial ?? []) {
    const ind: Individual = { seq: c.seq.slice(), asg: c.asg.slice(), obj: Infinity, hash: 0 };
    evaluate(ind);
    pop.push(ind);
  }
  pop.push(...fresh(P - pop.length));
  pop.sort((a, b) => a.obj - b.obj);
  let best = pop[0]!;
  if (!(canStopAtBound && best.obj <= lbBest + 1e-9)) link?.begin?.();
  improve(best);
  let bestObj = best.obj;
  let stagnant = 0;
  let gen = 0;
  const reachedBound = (): boolean => canStopAtBound && bestObj <= lbBest + 1e-9;
  const timeUp = (): boolean => (deadline !== undefined && performance.now() > deadline) || (link?.stop() ?? false);
  let posted = Infinity;

  const tournament = (): Individual => {
    const a = pop[rng.int(pop.length)]!;
    const b = pop[rng.int(pop.length)]!;
    return a.obj <= b.obj ? a : b;
  };
  const nJ = cp.nJobs;
  const inSet = new Uint8Array(nJ);
  const crossSeq = (p1: Int32Array, p2: Int32Array, out: Int32Array): void => {
    // POX/JBX: the jobs of a random set keep p1's positions, the other jobs fill the remaining
    // positions in p2's order
    inSet.fill(0);
    for (let j = 0; j < nJ; j++) if (rng.next() < 0.5) inSet[j] = 1;
    let k = 0;
    for (let i = 0; i < out.length; i++) {
      if (inSet[p1[i]!]) { out[i] = p1[i]!; continue; }
      while (k < p2.length && inSet[p2[k]!] === 1) k++;
      out[i] = p2[k++]!;
    }
  };
  const mutate = (ind: Individual): void => {
    const s = ind.seq;
    if (rng.next() < 0.5 && s.length > 1) {
      const a = rng.int(s.length);
      const b = rng.int(s.length);
      const t = s[a]!; s[a] = s[b]!; s[b] = t;
    }
    const flips = 1 + rng.int(2);
    for (let f = 0; f < flips && freeOps.length > 0; f++) {
      const o = freeOps[rng.int(freeOps.length)]!;
      const a = cp.eligStart[o]!;
      ind.asg[o] = cp.eligMachine[a + rng.int(cp.eligStart[o + 1]! - a)]!;
    }
  };

  while (gen < maxGen && !timeUp() && !reachedBound()) {
    gen++;
    const children: Individual[] = [];
    for (let c = 0; c < P; c++) {
      const p1 = tournament();
      const p2 = tournament();
      const child: Individual = { seq: new Int32Array(p1.seq.length), asg: p1.asg.slice(), obj: Infinity, hash: 0 };
      if (rng.next() < 0.9) {
        crossSeq(p1.seq, p2.seq, child.seq);
        for (const o of freeOps) if (rng.next() < 0.5) child.asg[o] = p2.asg[o]!;
      } else {
        child.seq.set(p1.seq);
      }
      if (rng.next() < 0.3) mutate(child);
      evaluate(child);
      children.push(child);
    }
    children.sort((a, b) => a.obj - b.obj);
    for (let i = 0; i < tabuCount && i < children.length && !timeUp(); i++) {
      // the best child, then random others: intensify and keep diversity
      const ind = i === 0 ? children[0]! : children[1 + rng.int(children.length - 1)]!;
      improve(ind);
    }
    const merged = pop.concat(children).sort((a, b) => a.obj - b.obj || a.hash - b.hash);
    const next: Individual[] = [];
    for (const ind of merged) {
      const last = next[next.length - 1];
      if (last && last.obj === ind.obj && last.hash === ind.hash) continue;
      next.push(ind);
      if (next.length === P) break;
    }
    pop = next;
    if (pop[0]!.obj < bestObj - 1e-9) { best = pop[0]!; bestObj = best.obj; stagnant = 0; } else stagnant++;
    if (stagnant >= restartAfter) {
      restarts++;
      stagnant = 0;
      pop = [best, ...fresh(P - 1)];
      pop.sort((a, b) => a.obj - b.obj);
    }
    if (link) {
      // migrants replace the worst individual when they beat this island's best
      const got = link.exchange(bestObj < posted - 1e-9 ? { seq: best.seq, asg: best.asg, obj: bestObj } : null);
      posted = Math.min(posted, bestObj);
      for (const c of got) {
        const ind: Individual = { seq: Int32Array.from(c.seq), asg: Int32Array.from(c.asg), obj: Infinity, hash: 0 };
        evaluate(ind);
        if (ind.obj < bestObj - 1e-9) {
          pop[pop.length - 1] = ind;
          pop.sort((a, b) => a.obj - b.obj);
          best = ind;
          bestObj = ind.obj;
          posted = bestObj;
          stagnant = 0;
        }
      }
    }
    options.onProgress?.({ generation: gen, bestObjective: bestObj, seconds: (performance.now() - t0) / 1000 });
  }
  if (link && bestObj < posted - 1e-9) link.exchange({ seq: best.seq, asg: best.asg, obj: bestObj });
  return { best: { seq: best.seq, asg: best.asg, obj: bestObj }, archive, generations: gen, tabuIterations, decodes, restarts };
}

/**
 * Throws unless the checker accepts `plan` for the compiled problem's source.
 * @throws SchedulingError `INFEASIBLE_PLAN`
 */
export function assertFeasible(cp: CompiledProblem, plan: Plan): void {
  const r = checkPlan(cp.source, plan);
  if (!r.ok) {
    const first: Violation = r.violations[0]!;
    throw new SchedulingError('INFEASIBLE_PLAN', { count: r.violations.length, first: `${first.code} job ${first.job} operation ${first.operation}` });
  }
}
