/**
 * Tabu search over critical-path moves on the disjunctive graph (machine assignment + machine
 * sequences). Each iteration takes the critical path of the current schedule, splits it into
 * blocks (consecutive critical operations on one machine) and considers
 *  - moving a block operation to the start or the end of its block (N5/N6-style), and
 *  - moving a critical operation to another eligible machine, at every position between the
 *    operations that must precede and follow it there (Mastrolilli–Gambardella-style).
 * Moves are ranked by an estimate from heads and tails, the best few are evaluated exactly
 * (semi-active schedule with blocked windows and transport), and the best admissible one is
 * taken. A move that re-inserts an operation after its former machine predecessor is tabu for a
 * random tenure unless it beats the best objective (aspiration).
 */
import { type CompiledProblem, type ObjectiveWeights, jobReadyBase } from './model';
import type { Rng } from '../common/rng';

const EPS = 1e-9;

/** A solution as machine sequences: the state the tabu search moves through. */
export class SequenceState {
  readonly cap: number;
  readonly asg: Int32Array;
  readonly seq: Int32Array;
  readonly len: Int32Array;
  readonly pos: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** Tails: longest path from an operation's end to the sink, without blocked windows. */
  readonly tail: Float64Array;
  makespan = 0;
  /** Σ job completion times of the last evaluation: the tie-breaker on objective plateaus. */
  secondary = 0;
  tardiness = 0;
  cost = 0;
  objective = 0;
  /** Optional reference assignment (-1 = none) and penalty per differing operation (rescheduling). */
  reference: Int32Array | null = null;
  changePenalty = 0;
  private readonly topo: Int32Array;
  private readonly scratchTopo: Int32Array;
  /** Position of each operation in `topo` of the last full evaluation, and that evaluation's schedule. */
  private readonly topoIdx: Int32Array;
  private readonly baseStart: Float64Array;
  private readonly baseEnd: Float64Array;
  private baseValid = false;
  /** Operations from this index of `topo` on may differ from the last full evaluation. */
  private dirtyFrom = 0;
  private readonly stack: Int32Array;
  private readonly jobPtr: Int32Array;
  private readonly machPtr: Int32Array;
  /** Earliest start of each job's first free operation, and the factory it comes from (-1: none). */
  readonly baseReady: Float64Array;
  readonly baseFactory: Int32Array;
  private readonly fixedMakespan: number;
  private readonly fixedCost: number;

  constructor(readonly cp: CompiledProblem, readonly weights: ObjectiveWeights) {
    this.cap = cp.nFree + 1;
    this.asg = new Int32Array(cp.nOps);
    this.seq = new Int32Array(cp.nMachines * this.cap);
    this.len = new Int32Array(cp.nMachines);
    this.pos = new Int32Array(cp.nOps);
    this.start = new Float64Array(cp.nOps);
    this.end = new Float64Array(cp.nOps);
    this.tail = new Float64Array(cp.nOps);
    this.topo = new Int32Array(cp.nFree);
    this.scratchTopo = new Int32Array(cp.nFree);
    this.topoIdx = new Int32Array(cp.nOps);
    this.baseStart = new Float64Array(cp.nOps);
    this.baseEnd = new Float64Array(cp.nOps);
    this.stack = new Int32Array(cp.nFree);
    this.jobPtr = new Int32Array(cp.nJobs);
    this.machPtr = new Int32Array(cp.nMachines);
    this.baseReady = new Float64Array(cp.nJobs);
    this.baseFactory = new Int32Array(cp.nJobs);
    let fm = 0;
    let fc = 0;
    for (let j = 0; j < cp.nJobs; j++) {
      const b = jobReadyBase(cp, j);
      this.baseReady[j] = b.ready;
      this.baseFactory[j] = b.factory;
      for (let o = cp.jobFirstOp[j]!; o < cp.jobFirstFree[j]!; o++) {
        const k = cp.fixedMachine[o]!;
        this.asg[o] = k;
        this.start[o] = cp.fixedStart[o]!;
        this.end[o] = cp.fixedStart[o]! + cp.time[o * cp.nMachines + k]!;
        fm = Math.max(fm, this.end[o]!);
        fc += cp.cost[o * cp.nMachines + k]!;
        if (o > cp.jobFirstOp[j]!) fc += cp.transCost[cp.machineFactory[cp.fixedMachine[o - 1]!]! * cp.nFactories + cp.machineFactory[k]!]!;
      }
    }
    this.fixedMakespan = fm;
    this.fixedCost = fc;
  }

  /** Loads a schedule: machine per operation and start times; machine orders follow the starts. */
  load(machine: Int32Array, start: Float64Array): void {
    const cp = this.cp;
    this.len.fill(0);
    const order: number[] = [];
    for (let j = 0; j < cp.nJobs; j++) for (let o = cp.jobFirstFree[j]!; o < cp.jobFirstOp[j + 1]!; o++) order.push(o);
    order.sort((a, b) => start[a]! - start[b]! || a - b);
    for (const o of order) {
      const k = machine[o]!;
      this.asg[o] = k;
      const i = this.len[k]!++;
      this.seq[k * this.cap + i] = o;
      this.pos[o] = i;
    }
    this.evaluate(true);
  }

  /** Copies the assignment and machine orders of `other` (same problem). */
  copyFrom(other: SequenceState): void {
    this.asg.set(other.asg);
    this.seq.set(other.seq);
    this.len.set(other.len);
    this.pos.set(other.pos);
    this.evaluate(true);
  }

  /** Moves free operation `v` to machine `k` at index `j` of its sequence (index after removal). */
  move(v: number, k: number, j: number): void {
    const cap = this.cap;
    const seq = this.seq;
    const ok = this.asg[v]!;
    let b = ok * cap;
    const L = this.len[ok]!;
    for (let i = this.pos[v]!; i < L - 1; i++) { const x = seq[b + i + 1]!; seq[b + i] = x; this.pos[x] = i; }
    this.len[ok] = L - 1;
    b = k * cap;
    const L2 = this.len[k]!;
    for (let i = L2; i > j; i--) { const x = seq[b + i - 1]!; seq[b + i] = x; this.pos[x] = i; }
    seq[b + j] = v;
    this.pos[v] = j;
    this.len[k] = L2 + 1;
    this.asg[v] = k;
  }

  /**
   * Semi-active schedule of the current machine orders into `start`/`end`; with `full`, also
   * the tails. Returns the objective, or Infinity when the orders contain a cycle.
   */
  evaluate(full: boolean): number {
    const cp = this.cp;
    const { pos, stack, jobPtr, machPtr } = this;
    machPtr.fill(0);
    let sp = 0;
    for (let j = 0; j < cp.nJobs; j++) {
      const o = cp.jobFirstFree[j]!;
      jobPtr[j] = o;
      if (o < cp.jobFirstOp[j + 1]! && pos[o] === 0) stack[sp++] = o;
    }
    const n = this.propagate(sp, 0, full ? this.topo : this.scratchTopo);
    if (full) {
      const topoIdx = this.topoIdx;
      for (let x = 0; x < n; x++) topoIdx[this.topo[x]!] = x;
      this.baseStart.set(this.start);
      this.baseEnd.set(this.end);
      this.baseValid = n === cp.nFree;
      this.dirtyFrom = cp.nFree;
    } else {
      this.dirtyFrom = 0;
    }
    return this.finish(n, full);
  }

  /**
   * Objective after `move(v, …)` from machine `fromMachine`, index `fromPos`, applied to the state
   * of the last full evaluation: only the operations at or after the first affected one in that
   * evaluation's topological order are rescheduled (every other head is unchanged, since all new
   * arcs end in the moved operation, its new machine successor or its former one). `start`/`end`
   * hold the moved schedule until {@link restoreMove}; tails are not updated. Returns Infinity
   * for a cycle.
   */
  evaluateMove(v: number, fromMachine: number, fromPos: number): number {
    if (!this.baseValid) return this.evaluate(false);
    this.restoreMove();
    const cp = this.cp;
    const cap = this.cap;
    const { asg, seq, pos, len, stack, jobPtr, machPtr, topo, topoIdx } = this;
    const k = asg[v]!;
    let pivot = topoIdx[v]!;
    if (k === fromMachine) {
      // same machine: the segment between the two indices is reordered; its first operation in
      // the old order comes first topologically
      const lo = Math.min(fromPos, pos[v]!);
      for (let x = lo; x <= lo + 1 && x < len[k]!; x++) pivot = Math.min(pivot, topoIdx[seq[k * cap + x]!]!);
    } else {
      if (fromPos < len[fromMachine]!) pivot = Math.min(pivot, topoIdx[seq[fromMachine * cap + fromPos]!]!);
      if (pos[v]! + 1 < len[k]!) pivot = Math.min(pivot, topoIdx[seq[k * cap + pos[v]! + 1]!]!);
    }
    this.dirtyFrom = pivot;
    machPtr.fill(0);
    for (let j = 0; j < cp.nJobs; j++) jobPtr[j] = cp.jobFirstFree[j]!;
    for (let x = 0; x < pivot; x++) {
      const u = topo[x]!;
      machPtr[asg[u]!]!++;
      jobPtr[cp.opJob[u]!] = u + 1;
    }
    let sp = 0;
    for (let j = 0; j < cp.nJobs; j++) {
      const o = jobPtr[j]!;
      if (o < cp.jobFirstOp[j + 1]! && pos[o] === machPtr[asg[o]!]) stack[sp++] = o;
    }
    return this.finish(this.propagate(sp, pivot, this.scratchTopo), false);
  }

  /**
   * Puts back `start`/`end` of the last full evaluation after {@link evaluateMove} or a partial
   * {@link evaluate} (once the move is undone; the orders must be those of that evaluation).
   */
  restoreMove(): void {
    if (!this.baseValid) return;
    const { topo, start, end, baseStart, baseEnd } = this;
    for (let x = this.dirtyFrom; x < this.cp.nFree; x++) {
      const u = topo[x]!;
      start[u] = baseStart[u]!;
      end[u] = baseEnd[u]!;
    }
    this.dirtyFrom = this.cp.nFree;
  }

  /**
   * Kahn-style pass: schedules the operations on `stack[0..sp)` and every operation that becomes
   * ready after them, recording the order in `out` from index `n`; returns the count scheduled.
   */
  private propagate(sp: number, n: number, out: Int32Array): number {
    const cp = this.cp;
    const m = cp.nMachines;
    const F = cp.nFactories;
    const cap = this.cap;
    const { asg, seq, pos, start, end, stack, jobPtr, machPtr } = this;
    const time = cp.time;
    const mf = cp.machineFactory;
    const tt = cp.transTime;
    while (sp > 0) {
      const v = stack[--sp]!;
      const j = cp.opJob[v]!;
      const k = asg[v]!;
      const fk = mf[k]!;
      const p = time[v * m + k]!;
      let s: number;
      if (v === cp.jobFirstFree[j]!) {
        const bf = this.baseFactory[j]!;
        s = this.baseReady[j]! + (bf >= 0 ? tt[bf * F + fk]! : 0);
      } else {
        s = end[v - 1]! + tt[mf[asg[v - 1]!]! * F + fk]!;
      }
      const pv = pos[v]!;
      if (pv > 0) { const me = end[seq[k * cap + pv - 1]!]!; if (me > s) s = me; }
      const bEnd = cp.blockStart[k + 1]!;
      for (let i = cp.blockStart[k]!; i < bEnd; i++) {
        const to = cp.blockTo[i]!;
        if (to <= s) continue;
        if (s + p <= cp.blockFrom[i]! && (p > 0 || s < cp.blockFrom[i]!)) break;
        s = to;
      }
      start[v] = s;
      end[v] = s + p;
      out[n++] = v;
      jobPtr[j] = v + 1;
      machPtr[k] = pv + 1;
      // job successor (none after a job's last operation: v + 1 then starts the next job)
      const w = v + 1 < cp.jobFirstOp[j + 1]! ? v + 1 : -1;
      if (w >= 0 && pos[w] === machPtr[asg[w]!]) stack[sp++] = w;
      if (pv + 1 < this.len[k]!) {
        const u = seq[k * cap + pv + 1]!;
        if (u !== w && jobPtr[cp.opJob[u]!] === u) stack[sp++] = u;
      }
    }
    return n;
  }

  /** Objective of the schedule in `start`/`end` (`n` operations scheduled; fewer than all: a cycle). */
  private finish(n: number, full: boolean): number {
    const cp = this.cp;
    const m = cp.nMachines;
    const F = cp.nFactories;
    const { asg, seq, pos, end, topo } = this;
    const time = cp.time;
    const mf = cp.machineFactory;
    const tt = cp.transTime;
    const cap = this.cap;
    if (n < cp.nFree) return Infinity;
    let makespan = this.fixedMakespan;
    let tard = 0;
    let sumC = 0;
    let cost = this.fixedCost;
    for (let j = 0; j < cp.nJobs; j++) {
      const first = cp.jobFirstFree[j]!;
      const last = cp.jobFirstOp[j + 1]! - 1;
      if (first > last) continue;
      if (full || this.weights.cost > 0) {
        for (let o = first; o <= last; o++) {
          const k = asg[o]!;
          cost += cp.cost[o * m + k]!;
          if (o > cp.jobFirstOp[j]!) cost += cp.transCost[mf[asg[o - 1]!]! * F + mf[k]!]!;
        }
      }
      const e = end[last]!;
      sumC += e;
      if (e > makespan) makespan = e;
      if (e > cp.due[j]!) tard += cp.weight[j]! * (e - cp.due[j]!);
    }
    this.secondary = sumC;
    const w = this.weights;
    let obj = w.makespan * makespan + w.tardiness * tard + w.cost * cost;
    if (this.reference) {
      let changed = 0;
      for (let o = 0; o < cp.nOps; o++) { const r = this.reference[o]!; if (r >= 0 && r !== asg[o]) changed++; }
      obj += this.changePenalty * changed;
    }
    if (full) {
      this.makespan = makespan;
      this.tardiness = tard;
      this.cost = cost;
      this.objective = obj;
      const tail = this.tail;
      for (let x = n - 1; x >= 0; x--) {
        const v = topo[x]!;
        const j = cp.opJob[v]!;
        const k = asg[v]!;
        let q = 0;
        const w2 = v + 1;
        if (w2 < cp.jobFirstOp[j + 1]!) {
          const kw = asg[w2]!;
          q = time[w2 * m + kw]! + tail[w2]! + tt[mf[k]! * F + mf[kw]!]!;
        }
        const pv = pos[v]!;
        if (pv + 1 < this.len[k]!) {
          const u = seq[k * cap + pv + 1]!;
          const qu = time[u * m + k]! + tail[u]!;
          if (qu > q) q = qu;
        }
        tail[v] = q;
      }
    }
    return obj;
  }
}

/** Limits of one tabu search run. */
export interface TabuOptions {
  /** Stop after this many iterations in total. */
  readonly maxIterations: number;
  /** Stop after this many iterations without a new best. */
  readonly maxNoImprove: number;
  /** `performance.now()` value after which to stop; omit for a time-independent run. */
  readonly deadline?: number;
  /** Polled with the deadline (every 16 iterations): true ends the run early. */
  readonly stop?: () => boolean;
  /** How many of the best-estimated moves to evaluate exactly per iteration (default 2). */
  readonly exactPerIteration?: number;
  /** Tabu tenure: `tenureMin + U[0, tenureScale·|critical path| + 6)` iterations (defaults 2, 0.5). */
  readonly tenureMin?: number;
  /** Follow the critical path of a random one of the jobs that end last (default true; false: the first). */
  readonly randomSink?: boolean;
  /**
   * Where both the machine and the job predecessor of a critical operation are critical, follow
   * the job one half of the time (default true; false: always the machine one).
   */
  readonly randomBranch?: boolean;
  /** Breaking ties of the objective by total completion time: always, in a random half of runs (default), never. */
  readonly tieBreak?: 'completion' | 'mixed' | 'none';
  readonly tenureScale?: number;
}

/** Result of a tabu search run; the state is left at the best solution found. */
export interface TabuResult {
  readonly objective: number;
  readonly iterations: number;
}

/** Reusable tabu search buffers for one problem. */
export class TabuSearch {
  private readonly path: Int32Array;
  private readonly blockOf: Int32Array;
  private readonly mvOp: Int32Array;
  private readonly mvMach: Int32Array;
  private readonly mvPos: Int32Array;
  private readonly mvEst: Float64Array;
  private readonly mvKey: Float64Array;
  private readonly tabu: Int32Array;
  private readonly segR: Float64Array;
  private readonly best: SequenceState;
  private readonly keyStride: number;

  constructor(readonly cp: CompiledProblem, weights: ObjectiveWeights) {
    const n = cp.nFree;
    let maxElig = 1;
    for (let o = 0; o < cp.nOps; o++) maxElig = Math.max(maxElig, cp.eligStart[o + 1]! - cp.eligStart[o]!);
    const maxMoves = (n + 1) * (2 + 16 * maxElig);
    this.path = new Int32Array(n + 1);
    this.blockOf = new Int32Array(n + 1);
    this.mvOp = new Int32Array(maxMoves);
    this.mvMach = new Int32Array(maxMoves);
    this.mvPos = new Int32Array(maxMoves);
    this.mvEst = new Float64Array(maxMoves);
    this.mvKey = new Float64Array(maxMoves);
    this.keyStride = cp.nOps + cp.nMachines;
    this.tabu = new Int32Array(cp.nOps * this.keyStride);
    this.segR = new Float64Array(n + 2);
    this.best = new SequenceState(cp, weights);
  }

  /** Runs the search from `s` (evaluated) and leaves `s` at the best solution found. */
  run(s: SequenceState, rng: Rng, opt: TabuOptions): TabuResult {
    const cp = this.cp;
    const m = cp.nMachines;
    const F = cp.nFactories;
    const cap = s.cap;
    const mf = cp.machineFactory;
    const tt = cp.transTime;
    const time = cp.time;
    const w = s.weights;
    const exactK = opt.exactPerIteration ?? 2;
    this.tabu.fill(0);
    // half of the runs break objective ties by total completion time, half by estimate order:
    // the first helps on large plateaus (mk10), the second keeps other runs diverse
    const tb = opt.tieBreak ?? 'mixed';
    const useSecondary = tb === 'completion' || (tb === 'mixed' && rng.next() < 0.5);
    // among jobs ending at the makespan, whose critical path to follow: a random one (default)
    // spreads the moves over the parallel critical paths of a plateau
    const randomSink = opt.randomSink ?? true;
    const randomBranch = opt.randomBranch ?? true;
    let cur = s.evaluate(true);
    if (!Number.isFinite(cur)) return { objective: cur, iterations: 0 };
    this.best.copyFrom(s);
    let bestObj = cur;
    let noImprove = 0;
    let it = 0;
    const stride = this.keyStride;
    const prevKey = (k: number, j: number, v: number): number => {
      // the operation that would precede v after moving it to index j of machine k (index counted
      // with v removed); machine starts have their own keys
      let idx = j - 1;
      if (idx < 0) return cp.nOps + k;
      if (s.asg[v] === k && idx >= s.pos[v]!) idx++;
      return s.seq[k * cap + idx]!;
    };
    for (; it < opt.maxIterations && noImprove < opt.maxNoImprove; it++) {
      if ((it & 15) === 0 && ((opt.deadline !== undefined && performance.now() > opt.deadline) || (opt.stop?.() ?? false))) break;
      // --- critical path (towards the makespan, or the most tardy job when makespan has no weight)
      let sink = -1;
      let sinkVal = -Infinity;
      let ties = 0;
      for (let j = 0; j < cp.nJobs; j++) {
        const last = cp.jobFirstOp[j + 1]! - 1;
        if (last < cp.jobFirstFree[j]!) continue;
        const e = s.end[last]!;
        const val = w.makespan > 0 || w.tardiness === 0 ? e : cp.weight[j]! * (e - cp.due[j]!);
        if (val > sinkVal + EPS) { sinkVal = val; sink = last; ties = 1; } else if (randomSink && val > sinkVal - EPS && rng.int(++ties) === 0) sink = last;
      }
      if (sink < 0) break;
      let pl = 0;
      let v = sink;
      let block = 0;
      while (true) {
        this.path[pl] = v;
        this.blockOf[pl] = block;
        pl++;
        const k = s.asg[v]!;
        const pv = s.pos[v]!;
        const j = cp.opJob[v]!;
        const machTight = pv > 0 && Math.abs(s.end[s.seq[k * cap + pv - 1]!]! - s.start[v]!) < EPS;
        const jobTight = v > cp.jobFirstFree[j]! && Math.abs(s.end[v - 1]! + tt[mf[s.asg[v - 1]!]! * F + mf[k]!]! - s.start[v]!) < EPS;
        if (machTight && !(jobTight && randomBranch && rng.next() < 0.5)) { v = s.seq[k * cap + pv - 1]!; continue; }
        if (jobTight) { v = v - 1; block++; continue; }
        break;
      }
      // path[] runs from the sink backwards; blockOf groups machine-consecutive runs
      // --- moves
      let nm = 0;
      const jobReady = (x: number, k: number): number => {
        const j = cp.opJob[x]!;
        if (x === cp.jobFirstFree[j]!) { const bf = s.baseFactory[j]!; return s.baseReady[j]! + (bf >= 0 ? tt[bf * F + mf[k]!]! : 0); }
        return s.end[x - 1]! + tt[mf[s.asg[x - 1]!]! * F + mf[k]!]!;
      };
      const jobTail = (x: number, k: number): number => {
        const y = x + 1;
        if (y >= cp.jobFirstOp[cp.opJob[x]! + 1]!) return 0;
        const ky = s.asg[y]!;
        return time[y * m + ky]! + s.tail[y]! + tt[mf[k]! * F + mf[ky]!]!;
      };
      const addMove = (op: number, k: number, j: number, est: number): void => {
        this.mvOp[nm] = op; this.mvMach[nm] = k; this.mvPos[nm] = j; this.mvEst[nm] = est; nm++;
      };
      // same-machine estimate: v from index i to index j on machine k
      const estimateShift = (vv: number, k: number, i: number, j: number): number => {
        const base = k * cap;
        const L = s.len[k]!;
        const lo = Math.min(i, j);
        const hi = Math.max(i, j);
        const at = (x: number): number => (x === j ? vv : j < i ? s.seq[base + x - 1]! : s.seq[base + x + 1]!);
        let prevEnd = lo > 0 ? s.end[s.seq[base + lo - 1]!]! : 0;
        for (let x = lo; x <= hi; x++) {
          const o = at(x);
          const r = Math.max(jobReady(o, k), prevEnd);
          this.segR[x - lo] = r;
          prevEnd = r + time[o * m + k]!;
        }
        let nextTail = 0;
        if (hi + 1 < L) { const u = s.seq[base + hi + 1]!; nextTail = time[u * m + k]! + s.tail[u]!; }
        let est = 0;
        for (let x = hi; x >= lo; x--) {
          const o = at(x);
          const q = Math.max(jobTail(o, k), nextTail);
          const p = time[o * m + k]!;
          const e = this.segR[x - lo]! + p + q;
          if (e > est) est = e;
          nextTail = p + q;
        }
        return est;
      };
      let i0 = 0;
      while (i0 < pl) {
        let i1 = i0;
        while (i1 + 1 < pl && this.blockOf[i1 + 1] === this.blockOf[i0]) i1++;
        // block = path[i1] (first in time) .. path[i0] (last in time)
        const k = s.asg[this.path[i0]!]!;
        const first = s.pos[this.path[i1]!]!;
        const last = s.pos[this.path[i0]!]!;
        for (let x = i0; x <= i1; x++) {
          const o = this.path[x]!;
          const i = s.pos[o]!;
          if (last > first) {
            if (i > first) addMove(o, k, first, estimateShift(o, k, i, first));
            if (i < last) addMove(o, k, last, estimateShift(o, k, i, last));
          }
          // other machines
          const jr0 = cp.jobFirstOp[cp.opJob[o]! + 1]!;
          for (let e = cp.eligStart[o]!; e < cp.eligStart[o + 1]!; e++) {
            const k2 = cp.eligMachine[e]!;
            if (k2 === k) continue;
            const p2 = time[o * m + k2]!;
            const rv = jobReady(o, k2);
            const succStart = o + 1 < jr0 ? s.start[o + 1]! - tt[mf[k2]! * F + mf[s.asg[o + 1]!]!]! : Infinity;
            const L2 = s.len[k2]!;
            const b2 = k2 * cap;
            let a = 0;
            while (a < L2 && s.end[s.seq[b2 + a]!]! <= rv) a++;
            let count = 0;
            for (let j = a; j <= L2 && count < 16; j++, count++) {
              if (j > a && s.start[s.seq[b2 + j - 1]!]! >= succStart) break;
              const r = Math.max(rv, j > 0 ? s.end[s.seq[b2 + j - 1]!]! : 0);
              let q = jobTail(o, k2);
              if (j < L2) { const u = s.seq[b2 + j]!; q = Math.max(q, time[u * m + k2]! + s.tail[u]!); }
              let est = w.makespan * (r + p2 + q);
              if (w.cost > 0) est += w.cost * (cp.cost[o * m + k2]! - cp.cost[o * m + k]!);
              addMove(o, k2, j, est);
            }
          }
        }
        i0 = i1 + 1;
      }
      if (nm === 0) break;
      // --- take moves in order of estimate (ties broken randomly by a jitter far below any
      // difference of estimates), evaluating exactly until `exactK` admissible ones are seen; a
      // linear scan per pick beats sorting all moves, since only a few are ever picked
      const key = this.mvKey;
      for (let x = 0; x < nm; x++) { const e = this.mvEst[x]!; key[x] = e + rng.next() * 1e-9 * (1 + Math.abs(e)); }
      let chosen = -1;
      let chosenObj = Infinity;
      let chosenSec = Infinity;
      let evaluated = 0;
      while (evaluated < exactK) {
        let mv = -1;
        let kMin = Infinity;
        for (let x = 0; x < nm; x++) if (key[x]! < kMin) { kMin = key[x]!; mv = x; }
        if (mv < 0) break;
        key[mv] = Infinity;
        const o = this.mvOp[mv]!;
        const k2 = this.mvMach[mv]!;
        const j = this.mvPos[mv]!;
        const isTabu = this.tabu[o * stride + prevKey(k2, j, o)]! > it;
        const oldK = s.asg[o]!;
        const oldPos = s.pos[o]!;
        s.move(o, k2, j);
        const val = s.evaluateMove(o, oldK, oldPos);
        s.move(o, oldK, oldPos);
        if (!Number.isFinite(val)) continue;
        if (isTabu && val >= bestObj - EPS) continue;
        evaluated++;
        const sec = s.secondary;
        if (val < chosenObj - EPS || (useSecondary && val < chosenObj + EPS && sec < chosenSec)) { chosenObj = val; chosenSec = sec; chosen = mv; }
      }
      if (chosen < 0) {
        // everything tabu or cyclic: take a random feasible move to escape
        for (let tries = 0; tries < 8 && chosen < 0; tries++) {
          const mv = rng.int(nm);
          const o = this.mvOp[mv]!;
          const oldK = s.asg[o]!;
          const oldPos = s.pos[o]!;
          s.move(o, this.mvMach[mv]!, this.mvPos[mv]!);
          const val = s.evaluateMove(o, oldK, oldPos);
          s.move(o, oldK, oldPos);
          if (Number.isFinite(val)) { chosen = mv; chosenObj = val; }
        }
        if (chosen < 0) break;
      }
      const o = this.mvOp[chosen]!;
      const op0 = s.pos[o]!;
      const oldKey = op0 === 0 ? cp.nOps + s.asg[o]! : s.seq[s.asg[o]! * cap + op0 - 1]!;
      this.tabu[o * stride + oldKey] = it + 1 + (opt.tenureMin ?? 2) + rng.int(Math.max(3, Math.ceil(pl * (opt.tenureScale ?? 0.5))) + 6);
      s.move(o, this.mvMach[chosen]!, this.mvPos[chosen]!);
      cur = s.evaluate(true);
      if (cur < bestObj - EPS) {
        bestObj = cur;
        this.best.copyFrom(s);
        noImprove = 0;
      } else {
        noImprove++;
      }
    }
    s.copyFrom(this.best);
    return { objective: bestObj, iterations: it };
  }
}
