/**
 * The scheduling problem (multi-factory flexible job shop) as callers give it, its validation,
 * and its compiled form: flat typed arrays indexed by operation, machine and job that the hot
 * loops (decoder, evaluator, tabu search) read.
 */
import { SchedulingError } from './errors';

/** A half-open interval `[start, end)` in the problem's time unit. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** A machine of some factory. */
export interface MachineSpec {
  readonly id: string;
  /** Factory id; machines without one share an implicit single factory. */
  readonly factory?: string;
  /** Windows in which the machine cannot work (maintenance, breakdown). Operations are not preempted. */
  readonly unavailable?: readonly TimeWindow[];
}

/** One way of running an operation: on `machine` for `duration`, at `cost`. */
export interface OperationOption {
  readonly machine: string;
  readonly duration: number;
  readonly cost?: number;
}

/** One step of a job's routing; the job's operations run in the given order. */
export interface OperationSpec {
  readonly id?: string;
  /** Eligible machines (across factories) with their processing time and cost. */
  readonly options: readonly OperationOption[];
}

/** A job (order). */
export interface JobSpec {
  readonly id: string;
  readonly operations: readonly OperationSpec[];
  /** Earliest start of the first operation (default 0). */
  readonly release?: number;
  /** Due date of the last operation (default: none). */
  readonly due?: number;
  /** Priority weight of its tardiness (default 1). */
  readonly weight?: number;
}

/** Transport between two factories, paid when consecutive operations of a job change factory. */
export interface TransportSpec {
  readonly from: string;
  readonly to: string;
  readonly time: number;
  readonly cost?: number;
  /** Also applies from `to` to `from` (default true). */
  readonly symmetric?: boolean;
}

/** An operation pinned to a machine and a start (accepted or started work). */
export interface FixedOperation {
  readonly job: string;
  /** Index of the operation in the job's routing, from 0. */
  readonly operation: number;
  readonly machine: string;
  readonly start: number;
}

/** A multi-factory flexible job-shop problem. */
export interface SchedulingProblem {
  readonly machines: readonly MachineSpec[];
  readonly jobs: readonly JobSpec[];
  readonly transport?: readonly TransportSpec[];
  /** Pinned operations; for each job they must be a prefix of its routing. */
  readonly fixed?: readonly FixedOperation[];
  /** Operations that are not fixed start at or after this time (default 0). */
  readonly notBefore?: number;
}

/** Weights of the scalar objective `makespan·w₁ + weighted tardiness·w₂ + cost·w₃`. */
export interface ObjectiveWeights {
  readonly makespan: number;
  readonly tardiness: number;
  readonly cost: number;
}

/** Default objective: makespan only. */
export const MAKESPAN_ONLY: ObjectiveWeights = { makespan: 1, tardiness: 0, cost: 0 };

/** The compiled problem; operations are numbered job by job, in routing order. */
export interface CompiledProblem {
  readonly source: SchedulingProblem;
  readonly nJobs: number;
  readonly nMachines: number;
  readonly nOps: number;
  readonly nFactories: number;
  readonly jobIds: readonly string[];
  readonly machineIds: readonly string[];
  readonly machineIndex: ReadonlyMap<string, number>;
  readonly jobIndex: ReadonlyMap<string, number>;
  /** First operation of each job; `jobFirstOp[nJobs] = nOps`. */
  readonly jobFirstOp: Int32Array;
  /** First operation of each job that is not fixed. */
  readonly jobFirstFree: Int32Array;
  readonly opJob: Int32Array;
  /** Eligible options of op o: `eligMachine[eligStart[o] .. eligStart[o+1])`. */
  readonly eligStart: Int32Array;
  readonly eligMachine: Int32Array;
  /** Processing time of op o on machine k at `o * nMachines + k`; NaN when not eligible. */
  readonly time: Float64Array;
  readonly cost: Float64Array;
  readonly minTime: Float64Array;
  readonly machineFactory: Int32Array;
  /** Transport time/cost from factory a to b at `a * nFactories + b`. */
  readonly transTime: Float64Array;
  readonly transCost: Float64Array;
  /** Blocked intervals of machine k (unavailability ∪ fixed operations), sorted, merged. */
  readonly blockStart: Int32Array;
  readonly blockFrom: Float64Array;
  readonly blockTo: Float64Array;
  readonly release: Float64Array;
  readonly due: Float64Array;
  readonly weight: Float64Array;
  /** Machine of a fixed op, or -1. */
  readonly fixedMachine: Int32Array;
  readonly fixedStart: Float64Array;
  readonly nFree: number;
  readonly notBefore: number;
}

function checkTime(value: unknown, where: string, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SchedulingError('NEGATIVE_TIME', { where, field, value });
  }
  return value;
}

/**
 * Validates a problem and compiles it to typed arrays.
 * @throws SchedulingError `EMPTY_PROBLEM`, `DUPLICATE_ID`, `UNKNOWN_MACHINE`, `UNKNOWN_FACTORY`,
 *   `NO_OPERATIONS`, `NO_ELIGIBLE_MACHINE`, `NEGATIVE_TIME`, `INVALID_WINDOW`, `INVALID_FIXED` —
 *   each naming the job/operation or machine at fault.
 */
export function compileProblem(problem: SchedulingProblem): CompiledProblem {
  if (problem.machines.length === 0) throw new SchedulingError('EMPTY_PROBLEM', { what: 'machines' });
  if (problem.jobs.length === 0) throw new SchedulingError('EMPTY_PROBLEM', { what: 'jobs' });
  const nMachines = problem.machines.length;
  const machineIndex = new Map<string, number>();
  const factoryIndex = new Map<string, number>();
  const machineFactory = new Int32Array(nMachines);
  problem.machines.forEach((m, k) => {
    if (machineIndex.has(m.id)) throw new SchedulingError('DUPLICATE_ID', { kind: 'machine', id: m.id });
    machineIndex.set(m.id, k);
    const f = m.factory ?? '';
    if (!factoryIndex.has(f)) factoryIndex.set(f, factoryIndex.size);
    machineFactory[k] = factoryIndex.get(f)!;
  });
  const nFactories = factoryIndex.size;
  const transTime = new Float64Array(nFactories * nFactories);
  const transCost = new Float64Array(nFactories * nFactories);
  for (const t of problem.transport ?? []) {
    const a = factoryIndex.get(t.from);
    const b = factoryIndex.get(t.to);
    if (a === undefined) throw new SchedulingError('UNKNOWN_FACTORY', { where: 'transport', factory: t.from });
    if (b === undefined) throw new SchedulingError('UNKNOWN_FACTORY', { where: 'transport', factory: t.to });
    const where = `transport ${t.from}->${t.to}`;
    const time = checkTime(t.time, where, 'time');
    const cost = checkTime(t.cost ?? 0, where, 'cost');
    transTime[a * nFactories + b] = time;
    transCost[a * nFactories + b] = cost;
    if (t.symmetric ?? true) {
      transTime[b * nFactories + a] = time;
      transCost[b * nFactories + a] = cost;
    }
  }

  const nJobs = problem.jobs.length;
  const jobIndex = new Map<string, number>();
  const jobFirstOp = new Int32Array(nJobs + 1);
  let nOps = 0;
  let nElig = 0;
  problem.jobs.forEach((j, ji) => {
    if (jobIndex.has(j.id)) throw new SchedulingError('DUPLICATE_ID', { kind: 'job', id: j.id });
    jobIndex.set(j.id, ji);
    if (j.operations.length === 0) throw new SchedulingError('NO_OPERATIONS', { job: j.id });
    jobFirstOp[ji] = nOps;
    nOps += j.operations.length;
    for (const op of j.operations) nElig += op.options.length;
  });
  jobFirstOp[nJobs] = nOps;

  const opJob = new Int32Array(nOps);
  const eligStart = new Int32Array(nOps + 1);
  const eligMachine = new Int32Array(nElig);
  const time = new Float64Array(nOps * nMachines).fill(NaN);
  const cost = new Float64Array(nOps * nMachines);
  const minTime = new Float64Array(nOps);
  const release = new Float64Array(nJobs);
  const due = new Float64Array(nJobs);
  const weight = new Float64Array(nJobs);
  let e = 0;
  problem.jobs.forEach((j, ji) => {
    release[ji] = checkTime(j.release ?? 0, `job ${j.id}`, 'release');
    due[ji] = j.due === undefined ? Infinity : checkTime(j.due, `job ${j.id}`, 'due');
    weight[ji] = checkTime(j.weight ?? 1, `job ${j.id}`, 'weight');
    j.operations.forEach((op, oi) => {
      const o = jobFirstOp[ji]! + oi;
      opJob[o] = ji;
      eligStart[o] = e;
      const opName = op.id ?? String(oi);
      if (op.options.length === 0) throw new SchedulingError('NO_ELIGIBLE_MACHINE', { job: j.id, operation: opName });
      let min = Infinity;
      for (const opt of op.options) {
        const k = machineIndex.get(opt.machine);
        if (k === undefined) throw new SchedulingError('UNKNOWN_MACHINE', { job: j.id, operation: opName, machine: opt.machine });
        const where = `job ${j.id} operation ${opName} on ${opt.machine}`;
        const d = checkTime(opt.duration, where, 'duration');
        const c = checkTime(opt.cost ?? 0, where, 'cost');
        if (!Number.isNaN(time[o * nMachines + k]!)) throw new SchedulingError('DUPLICATE_ID', { kind: `option of job ${j.id} operation ${opName}, machine`, id: opt.machine });
        time[o * nMachines + k] = d;
        cost[o * nMachines + k] = c;
        eligMachine[e++] = k;
        if (d < min) min = d;
      }
      minTime[o] = min;
    });
  });
  eligStart[nOps] = e;

  // fixed operations: a prefix of each job's routing
  const fixedMachine = new Int32Array(nOps).fill(-1);
  const fixedStart = new Float64Array(nOps);
  for (const f of problem.fixed ?? []) {
    const ji = jobIndex.get(f.job);
    if (ji === undefined) throw new SchedulingError('INVALID_FIXED', { job: f.job, operation: f.operation, reason: 'unknown job' });
    const count = jobFirstOp[ji + 1]! - jobFirstOp[ji]!;
    if (!Number.isInteger(f.operation) || f.operation < 0 || f.operation >= count) {
      throw new SchedulingError('INVALID_FIXED', { job: f.job, operation: f.operation, reason: 'no such operation' });
    }
    const o = jobFirstOp[ji]! + f.operation;
    const k = machineIndex.get(f.machine);
    if (k === undefined || Number.isNaN(time[o * nMachines + k]!)) {
      throw new SchedulingError('INVALID_FIXED', { job: f.job, operation: f.operation, reason: `machine ${f.machine} is not eligible` });
    }
    if (fixedMachine[o] !== -1) throw new SchedulingError('INVALID_FIXED', { job: f.job, operation: f.operation, reason: 'fixed twice' });
    fixedMachine[o] = k;
    fixedStart[o] = checkTime(f.start, `fixed job ${f.job} operation ${f.operation}`, 'start');
  }
  const jobFirstFree = new Int32Array(nJobs + 1);
  let nFree = 0;
  for (let j = 0; j < nJobs; j++) {
    let o = jobFirstOp[j]!;
    const end = jobFirstOp[j + 1]!;
    while (o < end && fixedMachine[o]! >= 0) o++;
    jobFirstFree[j] = o;
    for (let x = o; x < end; x++) {
      if (fixedMachine[x]! >= 0) {
        throw new SchedulingError('INVALID_FIXED', { job: problem.jobs[j]!.id, operation: x - jobFirstOp[j]!, reason: 'fixed operations must be a prefix of the routing' });
      }
    }
    nFree += end - o;
  }
  jobFirstFree[nJobs] = nOps;

  // blocked intervals per machine
  const perMachine: TimeWindow[][] = problem.machines.map((m) => {
    return (m.unavailable ?? []).map((w) => {
      checkTime(w.start, `machine ${m.id} window`, 'start');
      checkTime(w.end, `machine ${m.id} window`, 'end');
      if (!(w.end > w.start)) throw new SchedulingError('INVALID_WINDOW', { machine: m.id, start: w.start, end: w.end });
      return { start: w.start, end: w.end };
    });
  });
  for (let o = 0; o < nOps; o++) {
    const k = fixedMachine[o]!;
    if (k >= 0) perMachine[k]!.push({ start: fixedStart[o]!, end: fixedStart[o]! + time[o * nMachines + k]! });
  }
  const blockStart = new Int32Array(nMachines + 1);
  const from: number[] = [];
  const to: number[] = [];
  perMachine.forEach((ws, k) => {
    blockStart[k] = from.length;
    ws.sort((a, b) => a.start - b.start);
    for (const w of ws) {
      if (w.end <= w.start) continue; // zero-length fixed operation
      const last = from.length - 1;
      if (last >= blockStart[k]! && w.start <= to[last]!) to[last] = Math.max(to[last]!, w.end);
      else { from.push(w.start); to.push(w.end); }
    }
  });
  blockStart[nMachines] = from.length;

  return {
    source: problem, nJobs, nMachines, nOps, nFactories,
    jobIds: problem.jobs.map((j) => j.id), machineIds: problem.machines.map((m) => m.id), machineIndex, jobIndex,
    jobFirstOp, jobFirstFree, opJob, eligStart, eligMachine, time, cost, minTime, machineFactory, transTime, transCost,
    blockStart, blockFrom: Float64Array.from(from), blockTo: Float64Array.from(to), release, due, weight,
    fixedMachine, fixedStart, nFree, notBefore: checkTime(problem.notBefore ?? 0, 'problem', 'notBefore'),
  };
}

/**
 * Earliest start `>= t` of a `p`-long operation on machine `k` that does not overlap a blocked
 * interval (no preemption).
 */
export function pushPastBlocks(cp: CompiledProblem, k: number, t: number, p: number): number {
  const end = cp.blockStart[k + 1]!;
  for (let i = cp.blockStart[k]!; i < end; i++) {
    const to = cp.blockTo[i]!;
    if (to <= t) continue;
    if (cp.blockFrom[i]! >= t + p && p > 0) break;
    if (p === 0 && cp.blockFrom[i]! >= t) break;
    t = to;
  }
  return t;
}

/** Earliest time the first free operation of job `j` may start, before transport from its fixed predecessor. */
export function jobReadyBase(cp: CompiledProblem, j: number): { ready: number; factory: number } {
  let ready = Math.max(cp.release[j]!, cp.notBefore);
  let factory = -1;
  const first = cp.jobFirstFree[j]!;
  if (first > cp.jobFirstOp[j]!) {
    const prev = first - 1;
    const k = cp.fixedMachine[prev]!;
    ready = Math.max(cp.release[j]!, cp.fixedStart[prev]! + cp.time[prev * cp.nMachines + k]!);
    if (first < cp.jobFirstOp[j + 1]!) ready = Math.max(ready, cp.notBefore);
    factory = cp.machineFactory[k]!;
  }
  return { ready, factory };
}
