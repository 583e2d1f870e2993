/**
 * Dispatching-rule baseline: repeatedly take the ready operation with the shortest processing
 * time (SPT, over its eligible machines) and put it on the machine where it would finish first
 * (least loaded, counting transport), then decode with the insertion decoder.
 */
import { Decoder } from './decoder';
import { type CompiledProblem, jobReadyBase } from './model';

/** Builds the SPT / earliest-finish chromosome of a compiled problem. */
export function dispatchingChromosome(cp: CompiledProblem): { seq: Int32Array; asg: Int32Array } {
  const m = cp.nMachines;
  const F = cp.nFactories;
  const seq = new Int32Array(cp.nFree);
  const asg = new Int32Array(cp.nOps);
  const next = Int32Array.from(cp.jobFirstFree.subarray(0, cp.nJobs));
  const jobReady = new Float64Array(cp.nJobs);
  const jobFactory = new Int32Array(cp.nJobs);
  for (let j = 0; j < cp.nJobs; j++) { const b = jobReadyBase(cp, j); jobReady[j] = b.ready; jobFactory[j] = b.factory; }
  const machReady = new Float64Array(m);
  for (let g = 0; g < cp.nFree; g++) {
    // among ready operations (next of each job), earliest possible start first, then SPT
    let pick = -1;
    let pickKey = Infinity;
    let pickP = Infinity;
    for (let j = 0; j < cp.nJobs; j++) {
      const o = next[j]!;
      if (o >= cp.jobFirstOp[j + 1]!) continue;
      const r = jobReady[j]!;
      const p = cp.minTime[o]!;
      if (r < pickKey - 1e-9 || (Math.abs(r - pickKey) < 1e-9 && p < pickP)) { pick = j; pickKey = r; pickP = p; }
    }
    const j = pick;
    const o = next[j]!++;
    let bestK = -1;
    let bestEnd = Infinity;
    for (let e = cp.eligStart[o]!; e < cp.eligStart[o + 1]!; e++) {
      const k = cp.eligMachine[e]!;
      const tr = jobFactory[j]! >= 0 ? cp.transTime[jobFactory[j]! * F + cp.machineFactory[k]!]! : 0;
      const end = Math.max(machReady[k]!, jobReady[j]! + tr) + cp.time[o * m + k]!;
      if (end < bestEnd) { bestEnd = end; bestK = k; }
    }
    asg[o] = bestK;
    seq[g] = j;
    machReady[bestK] = bestEnd;
    jobReady[j] = bestEnd;
    jobFactory[j] = cp.machineFactory[bestK]!;
  }
  return { seq, asg };
}

/** Decodes the dispatching chromosome into `machine`/`start` arrays. */
export function dispatchingSchedule(cp: CompiledProblem): { machine: Int32Array; start: Float64Array } {
  const c = dispatchingChromosome(cp);
  const machine = new Int32Array(cp.nOps);
  const start = new Float64Array(cp.nOps);
  new Decoder(cp).decode(c, start, machine);
  return { machine, start };
}
