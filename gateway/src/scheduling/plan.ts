/**
 * Plans (the solver's output) and how they are built from the solver's arrays.
 */
import { type CompiledProblem, type ObjectiveWeights } from './model';

/** One scheduled operation. */
export interface PlannedOperation {
  readonly job: string;
  /** Index of the operation in the job's routing, from 0. */
  readonly operation: number;
  readonly machine: string;
  readonly start: number;
  readonly end: number;
  /** Processing cost on this machine (transport costs are in {@link Plan.cost}). */
  readonly cost: number;
  /** True when the operation was fixed in the input. */
  readonly fixed: boolean;
}

/** A job that ends after its due date. */
export interface LateJob {
  readonly job: string;
  readonly due: number;
  readonly completion: number;
  readonly tardiness: number;
}

/** A complete schedule with its objective values. */
export interface Plan {
  /** Sorted by job, then routing order. */
  readonly operations: readonly PlannedOperation[];
  readonly makespan: number;
  /** Σ weight·max(0, completion − due). */
  readonly totalWeightedTardiness: number;
  /** Processing plus transport cost. */
  readonly cost: number;
  /** The scalar objective under the weights used. */
  readonly objective: number;
  /** Due dates the plan misses (empty when all are met). */
  readonly lateJobs: readonly LateJob[];
}

/** Objective values of a schedule given as `machine[o]`, `start[o]` for every operation. */
export interface Score {
  makespan: number;
  tardiness: number;
  cost: number;
  objective: number;
}

/** Scores a complete schedule (all operations, fixed ones included). */
export function scoreSchedule(cp: CompiledProblem, machine: Int32Array, start: Float64Array, w: ObjectiveWeights): Score {
  const m = cp.nMachines;
  const F = cp.nFactories;
  let makespan = 0;
  let tardiness = 0;
  let cost = 0;
  for (let j = 0; j < cp.nJobs; j++) {
    const first = cp.jobFirstOp[j]!;
    const last = cp.jobFirstOp[j + 1]! - 1;
    let end = 0;
    for (let o = first; o <= last; o++) {
      const k = machine[o]!;
      end = start[o]! + cp.time[o * m + k]!;
      if (end > makespan) makespan = end;
      cost += cp.cost[o * m + k]!;
      if (o > first) cost += cp.transCost[cp.machineFactory[machine[o - 1]!]! * F + cp.machineFactory[k]!]!;
    }
    if (end > cp.due[j]!) tardiness += cp.weight[j]! * (end - cp.due[j]!);
  }
  return { makespan, tardiness, cost, objective: w.makespan * makespan + w.tardiness * tardiness + w.cost * cost };
}

/** Builds the public {@link Plan} from solver arrays. */
export function buildPlan(cp: CompiledProblem, machine: Int32Array, start: Float64Array, w: ObjectiveWeights): Plan {
  const m = cp.nMachines;
  const operations: PlannedOperation[] = [];
  const lateJobs: LateJob[] = [];
  for (let j = 0; j < cp.nJobs; j++) {
    const first = cp.jobFirstOp[j]!;
    const last = cp.jobFirstOp[j + 1]! - 1;
    for (let o = first; o <= last; o++) {
      const k = machine[o]!;
      operations.push({
        job: cp.jobIds[j]!, operation: o - first, machine: cp.machineIds[k]!, start: start[o]!,
        end: start[o]! + cp.time[o * m + k]!, cost: cp.cost[o * m + k]!, fixed: cp.fixedMachine[o]! >= 0,
      });
    }
    const completion = start[last]! + cp.time[last * m + machine[last]!]!;
    if (completion > cp.due[j]!) lateJobs.push({ job: cp.jobIds[j]!, due: cp.due[j]!, completion, tardiness: completion - cp.due[j]! });
  }
  const s = scoreSchedule(cp, machine, start, w);
  return { operations, makespan: s.makespan, totalWeightedTardiness: s.tardiness, cost: s.cost, objective: s.objective, lateJobs };
}
