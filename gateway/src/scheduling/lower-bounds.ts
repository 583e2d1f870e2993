/**
 * Makespan lower bounds: the simple combinatorial ones and an allocation LP relaxation solved
 * with HiGHS, whose fractional assignment also seeds part of the GA population.
 */
import { SchedulingError } from './errors';
import type { CompiledProblem } from './model';

/** The part of the `highs` solver this module uses (`await require('highs')()`). */
export interface LpSolver {
  solve(problem: string, options?: Record<string, unknown>): { Status: string; ObjectiveValue: number; Columns: Record<string, { Primal: number }> };
}

/** Loads the HiGHS WebAssembly solver. */
export async function loadLpSolver(): Promise<LpSolver> {
  const loader = require('highs') as () => Promise<LpSolver>;
  return loader();
}

/** Combinatorial makespan bounds. */
export interface CombinatorialBounds {
  /** max over jobs of release + Σ min processing time of its operations. */
  readonly jobPath: number;
  /** ⌈Σ min processing time / machines⌉ (integer times) or the plain ratio. */
  readonly averageLoad: number;
  /** Load of each machine from operations that can only run there, maximised. */
  readonly dedicatedLoad: number;
  readonly best: number;
}

/** Computes the combinatorial lower bounds on makespan (ignores transport and windows). */
export function combinatorialBounds(cp: CompiledProblem): CombinatorialBounds {
  let jobPath = 0;
  let total = 0;
  let integral = true;
  const dedicated = new Float64Array(cp.nMachines);
  for (let j = 0; j < cp.nJobs; j++) {
    let path = cp.release[j]!;
    for (let o = cp.jobFirstOp[j]!; o < cp.jobFirstOp[j + 1]!; o++) {
      path += cp.minTime[o]!;
      total += cp.minTime[o]!;
      if (!Number.isInteger(cp.minTime[o]!)) integral = false;
      if (cp.eligStart[o + 1]! - cp.eligStart[o]! === 1) dedicated[cp.eligMachine[cp.eligStart[o]!]!]! += cp.minTime[o]!;
    }
    jobPath = Math.max(jobPath, path);
  }
  const ratio = total / cp.nMachines;
  const averageLoad = integral ? Math.ceil(ratio - 1e-9) : ratio;
  const dedicatedLoad = Math.max(0, ...dedicated);
  return { jobPath, averageLoad, dedicatedLoad, best: Math.max(jobPath, averageLoad, dedicatedLoad) };
}

/** Result of the allocation LP. */
export interface LpBound {
  /** Optimal LP value: a lower bound on makespan. */
  readonly bound: number;
  /** Fractional share of op o on machine k at `o * nMachines + k`. */
  readonly share: Float64Array;
  readonly seconds: number;
}

/**
 * Writes the allocation LP in CPLEX LP format:
 * min C s.t. Σ_k x_ok = 1 (each operation), Σ_o p_ok x_ok ≤ C (each machine),
 * release_j + Σ_{o∈j} Σ_k p_ok x_ok ≤ C (each job), x ≥ 0.
 */
export function allocationLp(cp: CompiledProblem): string {
  const m = cp.nMachines;
  const rows: string[] = [];
  const machineTerms: string[][] = Array.from({ length: m }, () => []);
  for (let j = 0; j < cp.nJobs; j++) {
    const jobTerms: string[] = [];
    for (let o = cp.jobFirstOp[j]!; o < cp.jobFirstOp[j + 1]!; o++) {
      const terms: string[] = [];
      for (let e = cp.eligStart[o]!; e < cp.eligStart[o + 1]!; e++) {
        const k = cp.eligMachine[e]!;
        const name = `x${o}_${k}`;
        const p = cp.time[o * m + k]!;
        terms.push(name);
        if (p > 0) { machineTerms[k]!.push(`${p} ${name}`); jobTerms.push(`${p} ${name}`); }
      }
      rows.push(` a${o}: ${terms.join(' + ')} = 1`);
    }
    rows.push(` j${j}: ${jobTerms.length ? jobTerms.join(' + ') + ' - C' : '- C'} <= ${-cp.release[j]!}`);
  }
  machineTerms.forEach((t, k) => { if (t.length) rows.push(` m${k}: ${t.join(' + ')} - C <= 0`); });
  // LP format lines should stay short: break long rows
  const wrap = (r: string): string => r.replace(/((?:\S+\s+){40})/g, '$1\n  ');
  return `Minimize\n obj: C\nSubject To\n${rows.map(wrap).join('\n')}\nBounds\n C >= 0\nEnd\n`;
}

/**
 * Solves the allocation LP with HiGHS.
 * @throws SchedulingError `LP_FAILED` when HiGHS does not report an optimal solution.
 */
export function solveAllocationLp(cp: CompiledProblem, solver: LpSolver): LpBound {
  const t0 = performance.now();
  const r = solver.solve(allocationLp(cp));
  if (r.Status !== 'Optimal') throw new SchedulingError('LP_FAILED', { status: r.Status });
  const share = new Float64Array(cp.nOps * cp.nMachines);
  for (let o = 0; o < cp.nOps; o++) {
    for (let e = cp.eligStart[o]!; e < cp.eligStart[o + 1]!; e++) {
      const k = cp.eligMachine[e]!;
      share[o * cp.nMachines + k] = Math.max(0, r.Columns[`x${o}_${k}`]?.Primal ?? 0);
    }
  }
  return { bound: r.ObjectiveValue, share, seconds: (performance.now() - t0) / 1000 };
}
