/**
 * The GA decoder: turns a two-part chromosome (machine per operation + operation-based job
 * sequence) into an active schedule by inserting each operation into the earliest idle gap of
 * its machine that respects job precedence, transport time and blocked windows.
 */
import { type CompiledProblem, jobReadyBase } from './model';

/** Two-part chromosome. */
export interface Chromosome {
  /** Job index repeated once per free operation; the k-th occurrence of j is j's k-th free operation. */
  readonly seq: Int32Array;
  /** Machine per operation (length nOps; entries of fixed operations are ignored). */
  readonly asg: Int32Array;
}

/** Reusable decoder with preallocated typed buffers (one per thread of work). */
export class Decoder {
  private readonly cap: number;
  private readonly busyFrom: Float64Array;
  private readonly busyTo: Float64Array;
  private readonly busyLen: Int32Array;
  private readonly nextOp: Int32Array;
  private readonly baseReady: Float64Array;
  private readonly baseFactory: Int32Array;

  constructor(private readonly cp: CompiledProblem) {
    let maxBlocks = 0;
    for (let k = 0; k < cp.nMachines; k++) maxBlocks = Math.max(maxBlocks, cp.blockStart[k + 1]! - cp.blockStart[k]!);
    this.cap = maxBlocks + cp.nFree + 1;
    this.busyFrom = new Float64Array(cp.nMachines * this.cap);
    this.busyTo = new Float64Array(cp.nMachines * this.cap);
    this.busyLen = new Int32Array(cp.nMachines);
    this.nextOp = new Int32Array(cp.nJobs);
    this.baseReady = new Float64Array(cp.nJobs);
    this.baseFactory = new Int32Array(cp.nJobs);
    for (let j = 0; j < cp.nJobs; j++) {
      const b = jobReadyBase(cp, j);
      this.baseReady[j] = b.ready;
      this.baseFactory[j] = b.factory;
    }
  }

  /**
   * Decodes `c` into `start` (length nOps, fixed operations get their fixed start) and `machine`
   * (the machine of every operation). Returns nothing; score with `scoreSchedule`.
   */
  decode(c: Chromosome, start: Float64Array, machine: Int32Array): void {
    const cp = this.cp;
    const m = cp.nMachines;
    const F = cp.nFactories;
    const cap = this.cap;
    const bf = this.busyFrom;
    const bt = this.busyTo;
    for (let k = 0; k < m; k++) {
      let n = 0;
      for (let i = cp.blockStart[k]!; i < cp.blockStart[k + 1]!; i++, n++) {
        bf[k * cap + n] = cp.blockFrom[i]!;
        bt[k * cap + n] = cp.blockTo[i]!;
      }
      this.busyLen[k] = n;
    }
    for (let o = 0; o < cp.nOps; o++) {
      const k = cp.fixedMachine[o]!;
      if (k >= 0) { machine[o] = k; start[o] = cp.fixedStart[o]!; }
    }
    this.nextOp.set(cp.jobFirstFree.subarray(0, cp.nJobs));
    const seq = c.seq;
    for (let g = 0; g < seq.length; g++) {
      const j = seq[g]!;
      const o = this.nextOp[j]!++;
      const k = c.asg[o]!;
      machine[o] = k;
      const p = cp.time[o * m + k]!;
      const fk = cp.machineFactory[k]!;
      let est: number;
      if (o === cp.jobFirstFree[j]!) {
        const bfac = this.baseFactory[j]!;
        est = this.baseReady[j]! + (bfac >= 0 ? cp.transTime[bfac * F + fk]! : 0);
      } else {
        const pk = machine[o - 1]!;
        est = start[o - 1]! + cp.time[(o - 1) * m + pk]! + cp.transTime[cp.machineFactory[pk]! * F + fk]!;
      }
      // earliest gap: intervals are sorted and disjoint
      const base = k * cap;
      const len = this.busyLen[k]!;
      let t = est;
      let i = 0;
      for (; i < len; i++) {
        const to = bt[base + i]!;
        if (to <= t) continue;
        if (t + p <= bf[base + i]! && (p > 0 || t < bf[base + i]!)) break;
        t = to;
      }
      start[o] = t;
      if (p > 0) {
        for (let x = len; x > i; x--) { bf[base + x] = bf[base + x - 1]!; bt[base + x] = bt[base + x - 1]!; }
        bf[base + i] = t;
        bt[base + i] = t + p;
        this.busyLen[k] = len + 1;
      }
    }
  }
}
