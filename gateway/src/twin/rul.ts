/**
 * Wear prediction: remaining useful life (time until wear reaches the model's limit) and
 * what-if evaluation of a proposed schedule, both by Monte Carlo over the twin's posterior:
 * draw states from N(x̂, P) (Cholesky), propagate each through the model's dynamics with its
 * process noise under the future input, and read off the first time wear crosses the limit.
 * Percentiles of the crossing times give the uncertainty band. Seeded.
 */
import { Rng } from '../common/rng';
import { TwinError } from './errors';
import { IDLE, type OperatingInput, type TwinModel } from './model';
import type { OperationSegment } from './simulator';

/** A band of a predicted quantity. */
export interface Band {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

/** Options of the Monte Carlo predictions. */
export interface PredictionOptions {
  /** Trajectories (default 256). */
  readonly samples?: number;
  readonly seed?: number;
  /** Integration step, s (default 300). */
  readonly stepSeconds?: number;
}

/** Remaining useful life under an assumed steady usage. */
export interface RulPrediction {
  /** Time the prediction starts from (ms). */
  readonly from: number;
  readonly assumedInput: OperatingInput;
  /** Hours until the wear limit; `null` percentiles did not cross within the horizon. */
  readonly hoursToLimit: { readonly p10: number | null; readonly p50: number | null; readonly p90: number | null };
  /** Probability that the limit is reached within the horizon. */
  readonly probabilityWithinHorizon: number;
  readonly horizonHours: number;
  /** Maintenance implied by the prediction (see {@link predictedDowntime}). */
  readonly downtime: readonly DowntimeWindow[];
}

/** A window in which the machine is predicted to be down (ms since the epoch, [start, end)). */
export interface DowntimeWindow {
  readonly start: number;
  readonly end: number;
  readonly reason: string;
  /** Probability that the limit is reached by `start`. */
  readonly probability: number;
}

/** Result of a what-if run. */
export interface WhatIfResult {
  readonly wearAtEnd: { readonly mean: number; readonly std: number; readonly p10: number; readonly p90: number; readonly limit: number; readonly unit: string };
  /** Probability that wear reaches the limit before the schedule ends. */
  readonly risk: number;
  /** Crossing time percentiles (ms), null where not crossed within the schedule. */
  readonly crossing: { readonly p10: number | null; readonly p50: number | null; readonly p90: number | null };
  /** Per operation: mean wear when it ends and probability the limit was reached by then. */
  readonly operations: readonly { readonly start: number; readonly end: number; readonly wearMean: number; readonly risk: number }[];
  /** Maintenance the schedule would need (see {@link predictedDowntime}). */
  readonly downtime: readonly DowntimeWindow[];
}

/** Lower Cholesky factor of a symmetric PSD n×n matrix (tiny jitter on non-positive pivots). */
export function cholesky(p: ArrayLike<number>, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = p[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) l[i * n + i] = s > 0 ? Math.sqrt(s) : 0;
      else l[i * n + j] = l[j * n + j]! > 0 ? s / l[j * n + j]! : 0;
    }
  }
  return l;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Percentile of crossing times where uncrossed trajectories count as +∞. */
function crossingPercentile(times: readonly number[], total: number, q: number): number | null {
  const k = Math.ceil(q * total) - 1;
  return k < times.length ? times[Math.max(0, k)]! : null;
}

interface Trajectories {
  readonly crossings: number[];
  readonly wearAt: Float64Array[];
}

/** Propagate `samples` draws through `segments` (which must be contiguous: idle gaps are filled in). */
function simulate(model: TwinModel, x: ArrayLike<number>, p: ArrayLike<number>, from: number, segments: readonly OperationSegment[], options: PredictionOptions): Trajectories {
  const n = model.initialState.length;
  const samples = options.samples ?? 256;
  const step = (options.stepSeconds ?? 300) * 1000;
  const rng = new Rng(options.seed ?? 1);
  const l = cholesky(p, n);
  const w = model.wear;
  const crossings: number[] = [];
  const wearAt = segments.map(() => new Float64Array(samples));
  const cur = new Float64Array(n);
  const nxt = new Float64Array(n);
  const e = new Float64Array(n);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < n; i++) e[i] = rng.normal();
    for (let i = 0; i < n; i++) {
      let v = x[i]!;
      for (let k = 0; k <= i; k++) v += l[i * n + k]! * e[k]!;
      cur[i] = v;
    }
    model.constrain(cur);
    let t = from;
    let crossed = cur[w.state]! >= w.limit ? from : Number.NaN;
    for (let g = 0; g < segments.length; g++) {
      const seg = segments[g]!;
      const runs: [number, OperatingInput][] = [[seg.start, IDLE], [seg.end, { load: seg.load, speed: seg.speed }]];
      for (const [until, u] of runs) {
        while (t < until) {
          const end = Math.min(until, t + step);
          const dt = (end - t) / 1000;
          const before = cur[w.state]!;
          model.transition(cur, u, dt, nxt, null);
          for (let i = 0; i < n; i++) cur[i] = nxt[i]! + Math.sqrt(model.processNoise[i]! * dt) * rng.normal();
          model.constrain(cur);
          const after = cur[w.state]!;
          if (Number.isNaN(crossed) && after >= w.limit) {
            crossed = t + ((end - t) * (w.limit - before)) / Math.max(1e-12, after - before);
          }
          t = end;
        }
      }
      wearAt[g]![s] = cur[w.state]!;
    }
    if (!Number.isNaN(crossed)) crossings.push(crossed);
  }
  crossings.sort((a, b) => a - b);
  return { crossings, wearAt };
}

/**
 * @throws INVALID_SCHEDULE when operations overlap, are reversed, start before `from`, or have inputs outside [0, 1]
 */
function checkSegments(segments: readonly OperationSegment[], from: number): void {
  let prevEnd = from;
  segments.forEach((s, i) => {
    const bad = (reason: string): never => { throw new TwinError('INVALID_SCHEDULE', { reason: `operation ${i}: ${reason}` }); };
    if (!(s.end > s.start)) bad('end must be after start');
    if (s.start < prevEnd) bad(i === 0 ? 'starts before the twin\'s latest estimate' : 'overlaps the previous operation (operations on one machine must be sorted and disjoint)');
    if (!(s.load >= 0 && s.load <= 1 && s.speed >= 0 && s.speed <= 1)) bad('load and speed must be in [0, 1]');
    prevEnd = s.end;
  });
}

/**
 * Remaining useful life under a steady assumed input, within `horizonHours`.
 */
export function remainingUsefulLife(model: TwinModel, x: ArrayLike<number>, p: ArrayLike<number>, from: number, assumedInput: OperatingInput, horizonHours = 24 * 14, options: PredictionOptions & { readonly riskThreshold?: number } = {}): RulPrediction {
  const end = from + horizonHours * 3_600_000;
  const samples = options.samples ?? 256;
  const tr = simulate(model, x, p, from, [{ start: from, end, load: assumedInput.load, speed: assumedInput.speed }], { stepSeconds: 1800, ...options, samples });
  const h = (v: number | null): number | null => (v === null ? null : (v - from) / 3_600_000);
  return {
    from,
    assumedInput,
    hoursToLimit: { p10: h(crossingPercentile(tr.crossings, samples, 0.1)), p50: h(crossingPercentile(tr.crossings, samples, 0.5)), p90: h(crossingPercentile(tr.crossings, samples, 0.9)) },
    probabilityWithinHorizon: tr.crossings.length / samples,
    horizonHours,
    downtime: predictedDowntime(model, tr.crossings, samples, options.riskThreshold ?? 0.1),
  };
}

/**
 * Simulate a proposed schedule's load on a machine from its current posterior.
 * @param riskThreshold - a crossing probability above which maintenance is planned (default 0.1)
 * @throws INVALID_SCHEDULE
 */
export function whatIf(model: TwinModel, x: ArrayLike<number>, p: ArrayLike<number>, from: number, segments: readonly OperationSegment[], options: PredictionOptions & { readonly riskThreshold?: number } = {}): WhatIfResult {
  if (segments.length === 0) throw new TwinError('INVALID_SCHEDULE', { reason: 'no operations' });
  checkSegments(segments, from);
  const samples = options.samples ?? 256;
  const tr = simulate(model, x, p, from, segments, { ...options, samples });
  const last = tr.wearAt[tr.wearAt.length - 1]!;
  const sorted = Array.from(last).sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / samples;
  const std = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, samples - 1));
  const crossing = { p10: crossingPercentile(tr.crossings, samples, 0.1), p50: crossingPercentile(tr.crossings, samples, 0.5), p90: crossingPercentile(tr.crossings, samples, 0.9) };
  const risk = tr.crossings.length / samples;
  const operations = segments.map((s, g) => {
    const arr = tr.wearAt[g]!;
    return { start: s.start, end: s.end, wearMean: arr.reduce((a, b) => a + b, 0) / samples, risk: tr.crossings.filter((c) => c <= s.end).length / samples };
  });
  return {
    wearAtEnd: { mean, std, p10: percentile(sorted, 0.1), p90: percentile(sorted, 0.9), limit: model.wear.limit, unit: model.wear.unit },
    risk,
    crossing,
    operations,
    downtime: predictedDowntime(model, tr.crossings, samples, options.riskThreshold ?? 0.1),
  };
}

/**
 * Maintenance windows implied by crossing times: when the probability of reaching the wear limit
 * exceeds `riskThreshold`, the machine is taken down for the model's maintenance time starting at
 * the time that probability is reached (a conservative plan: stop before the tool fails).
 */
export function predictedDowntime(model: TwinModel, sortedCrossings: readonly number[], samples: number, riskThreshold: number): DowntimeWindow[] {
  const k = Math.ceil(riskThreshold * samples);
  if (k < 1 || sortedCrossings.length < k) return [];
  const start = Math.floor(sortedCrossings[k - 1]!);
  return [{ start, end: start + model.wear.maintenanceMinutes * 60_000, reason: `${model.stateNames[model.wear.state]} reaches ${model.wear.limit} ${model.wear.unit} with probability ${riskThreshold}`, probability: k / samples }];
}
