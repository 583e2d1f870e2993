/**
 * A machine simulator with ground truth: runs a {@link TwinModel}'s dynamics (sub-stepped, with
 * its process noise) under an operation schedule, samples its sensors (measurement noise,
 * sensor resolution, jittered sampling), injects faults, and delivers messages the way a
 * network does (drops, missing channels, duplicates, swaps). Seeded: same seed, same data.
 *
 * Faults (magnitudes in units of the channel's noise σ unless stated):
 * - `drift`: sensor bias growing by `magnitude`·σ per minute;
 * - `step`: sensor bias of `magnitude`·σ;
 * - `stuck`: the sensor repeats the reading it had when the fault began;
 * - `wear`: sudden wear (chipped insert, partial clog) — the true wear state jumps by
 *   `magnitude` (in the model's wear unit) and stays.
 */
import { Rng } from '../common/rng';
import { IDLE, type OperatingInput, type TwinModel } from './model';
import type { TwinSample } from './machine-twin';

/** A kind of injected fault. */
export type FaultKind = 'drift' | 'step' | 'stuck' | 'wear';

/** All fault kinds. */
export const FAULT_KINDS: readonly FaultKind[] = ['drift', 'step', 'stuck', 'wear'];

/** One injected fault. */
export interface FaultSpec {
  readonly kind: FaultKind;
  /** Sensor channel index (ignored for `wear`). */
  readonly channel: number;
  /** Onset, ms since the epoch. */
  readonly start: number;
  /** Duration in ms (sensor faults end then; a wear jump is permanent, this is the window in which it should be detected). */
  readonly duration: number;
  readonly magnitude: number;
}

/** An operation run on the machine: input `load`/`speed` during [start, end) (ms). */
export interface OperationSegment {
  readonly start: number;
  readonly end: number;
  readonly load: number;
  readonly speed: number;
}

/** How the network delivers messages. Probabilities per message (per channel for `missingChannel`). */
export interface DeliveryOptions {
  readonly drop?: number;
  readonly missingChannel?: number;
  readonly duplicate?: number;
  /** Probability that a message is held back and delivered after the next one. */
  readonly swap?: number;
}

/** Options of a {@link MachineSimulator}. */
export interface SimulatorOptions {
  readonly machineId: string;
  readonly model: TwinModel;
  readonly seed: number;
  /** Start time, ms since the epoch. */
  readonly start: number;
  /** Nominal sampling interval, ms (default 2000). */
  readonly intervalMs?: number;
  /** Uniform jitter of the sampling instant, ± ms (default 10 % of the interval). */
  readonly jitterMs?: number;
  /** Operations; default: {@link randomOperations} over one day. */
  readonly operations?: readonly OperationSegment[];
  readonly faults?: readonly FaultSpec[];
  readonly delivery?: DeliveryOptions;
  /** True initial state (default: the model's prior mean with wear drawn from its prior). */
  readonly initialState?: readonly number[];
}

/** One sampling instant: ground truth and the sample as the machine sent it. */
export interface SimulatedSample {
  readonly machineId: string;
  readonly seq: number;
  readonly t: number;
  readonly u: OperatingInput;
  /** True state at t. */
  readonly x: readonly number[];
  /** True (noise-free, fault-free) measurement at t. */
  readonly yTrue: readonly number[];
  /** Sensor readings before delivery effects (noise, resolution and faults applied). */
  readonly yRaw: readonly number[];
  /** Faults active at t. */
  readonly faults: readonly FaultKind[];
  /** Messages delivered at this step, in arrival order (none, one, or with duplicates/swaps more). */
  readonly delivered: readonly TwinSample[];
}

/**
 * A random day-like schedule: operations of 10–90 min separated by 0–30 min of idle time, loads
 * 0.3–0.95, speeds 0.3–1.
 */
export function randomOperations(rng: Rng, start: number, end: number): OperationSegment[] {
  const out: OperationSegment[] = [];
  let t = start + Math.floor(rng.next() * 20 * 60_000);
  while (t < end) {
    const dur = (10 + rng.next() * 80) * 60_000;
    const e = Math.min(end, t + dur);
    out.push({ start: t, end: e, load: 0.3 + 0.65 * rng.next(), speed: 0.3 + 0.7 * rng.next() });
    t = e + rng.next() * 30 * 60_000;
  }
  return out;
}

/** Ground-truth machine and sensors. Call {@link next} for each sampling instant. */
export class MachineSimulator {
  readonly machineId: string;
  readonly model: TwinModel;
  readonly operations: readonly OperationSegment[];
  readonly faults: readonly FaultSpec[];
  private readonly rng: Rng;
  private readonly x: Float64Array;
  private readonly xNext: Float64Array;
  private readonly yTrue: Float64Array;
  private readonly sigma: Float64Array;
  private readonly stuckValue: Float64Array;
  private readonly appliedWear = new Set<FaultSpec>();
  private readonly interval: number;
  private readonly jitter: number;
  private readonly delivery: Required<DeliveryOptions>;
  private held: TwinSample | null = null;
  private readonly startTime: number;
  private t: number;
  private tick = 0;
  private opIndex = 0;
  private seq = 0;

  constructor(options: SimulatorOptions) {
    this.machineId = options.machineId;
    this.model = options.model;
    this.rng = new Rng(options.seed);
    this.interval = options.intervalMs ?? 2000;
    this.jitter = options.jitterMs ?? this.interval * 0.1;
    this.operations = options.operations ?? randomOperations(this.rng, options.start, options.start + 86_400_000);
    this.faults = options.faults ?? [];
    this.delivery = { drop: 0, missingChannel: 0, duplicate: 0, swap: 0, ...options.delivery };
    const n = this.model.initialState.length;
    const m = this.model.measurementNames.length;
    this.x = Float64Array.from(options.initialState ?? this.model.initialState);
    if (!options.initialState) {
      // each machine starts with its own (unknown to the twin) wear and wear rate
      const w = this.model.wear;
      this.x[w.state] = Math.max(0, this.x[w.state]! + Math.sqrt(this.model.initialVariance[w.state]!) * this.rng.normal());
      this.x[w.rateState] = Math.max(0, this.x[w.rateState]! + Math.sqrt(this.model.initialVariance[w.rateState]!) * this.rng.normal());
    }
    this.xNext = new Float64Array(n);
    this.yTrue = new Float64Array(m);
    this.sigma = Float64Array.from(this.model.measurementNoise, Math.sqrt);
    this.stuckValue = new Float64Array(m).fill(Number.NaN);
    this.t = options.start;
    this.startTime = options.start;
  }

  /** The input at time t. */
  inputAt(t: number): OperatingInput {
    const ops = this.operations;
    while (this.opIndex < ops.length && ops[this.opIndex]!.end <= t) this.opIndex++;
    const op = ops[this.opIndex];
    return op && op.start <= t ? { load: op.load, speed: op.speed } : IDLE;
  }

  /** Advance to the next sampling instant and sample the sensors. */
  next(): SimulatedSample {
    const { model, rng, x, xNext } = this;
    const n = x.length;
    const m = this.yTrue.length;
    this.tick++;
    const target = Math.max(this.t + 1, Math.round(this.startTime + this.tick * this.interval + (rng.next() * 2 - 1) * this.jitter));
    // integrate the truth in sub-steps of at most 1 s, switching input at operation boundaries
    let t = this.t;
    while (t < target) {
      const u = this.inputAt(t);
      const op = this.operations[this.opIndex];
      let stepEnd = Math.min(target, t + 1000);
      if (op && op.start > t) stepEnd = Math.min(stepEnd, op.start);
      if (op && op.start <= t) stepEnd = Math.min(stepEnd, op.end);
      const dt = (stepEnd - t) / 1000;
      model.transition(x, u, dt, xNext, null);
      for (let i = 0; i < n; i++) x[i] = xNext[i]! + Math.sqrt(model.processNoise[i]! * dt) * rng.normal();
      model.constrain(x);
      t = stepEnd;
    }
    this.t = target;
    const active: FaultKind[] = [];
    for (const f of this.faults) {
      if (f.kind === 'wear' && target >= f.start && !this.appliedWear.has(f)) {
        x[model.wear.state] = x[model.wear.state]! + f.magnitude;
        this.appliedWear.add(f);
      }
      if (target >= f.start && target < f.start + f.duration) active.push(f.kind);
    }
    const u = this.inputAt(target);
    model.measure(x, u, this.yTrue, null);
    const yRaw = new Array<number>(m);
    for (let i = 0; i < m; i++) {
      let v = this.yTrue[i]! + this.sigma[i]! * rng.normal();
      for (const f of this.faults) {
        if (f.kind === 'wear' || f.channel !== i) continue;
        const on = target >= f.start && target < f.start + f.duration;
        if (!on) {
          if (f.kind === 'stuck') this.stuckValue[i] = Number.NaN;
          continue;
        }
        if (f.kind === 'drift') v += (f.magnitude * this.sigma[i]! * (target - f.start)) / 60_000;
        else if (f.kind === 'step') v += f.magnitude * this.sigma[i]!;
      }
      const res = model.measurementResolution[i] ?? 0;
      if (res > 0) v = Math.round(v / res) * res;
      for (const f of this.faults) {
        if (f.kind === 'stuck' && f.channel === i && target >= f.start && target < f.start + f.duration) {
          if (Number.isNaN(this.stuckValue[i]!)) this.stuckValue[i] = v;
          v = this.stuckValue[i]!;
        }
      }
      yRaw[i] = v;
    }
    const seq = ++this.seq;
    const delivered = this.deliver({ t: target, seq, u, y: yRaw });
    return { machineId: this.machineId, seq, t: target, u, x: Array.from(x), yTrue: Array.from(this.yTrue), yRaw, faults: active, delivered };
  }

  private deliver(sample: TwinSample): TwinSample[] {
    const { rng, delivery } = this;
    const out: TwinSample[] = [];
    if (rng.next() < delivery.drop) return this.flushHeld(out);
    const y = delivery.missingChannel > 0 ? sample.y.map((v) => (rng.next() < delivery.missingChannel ? null : v)) : sample.y;
    const msg: TwinSample = { ...sample, y };
    if (this.held === null && rng.next() < delivery.swap) {
      this.held = msg;
      return out;
    }
    out.push(msg);
    this.flushHeld(out);
    if (rng.next() < delivery.duplicate) out.push(msg);
    return out;
  }

  private flushHeld(out: TwinSample[]): TwinSample[] {
    if (this.held) {
      out.push(this.held);
      this.held = null;
    }
    return out;
  }
}
