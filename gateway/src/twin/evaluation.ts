/**
 * Scoring a twin against simulator ground truth: detection precision/recall/delay of injected
 * faults and the estimation error of the filtered measurements versus the raw sensors.
 */
import type { FaultKind } from './simulator';

/** An injected fault as scored: machine, kind, and the window [start, end) in which an alarm counts as its detection. */
export interface FaultWindow {
  readonly machineId: string;
  readonly kind: FaultKind;
  readonly start: number;
  readonly end: number;
}

/** An alarm episode's opening. */
export interface AlarmRecord {
  readonly machineId: string;
  readonly startedAt: number;
}

/** Detection scores. */
export interface DetectionScore {
  readonly faults: number;
  readonly detected: number;
  readonly alarms: number;
  readonly trueAlarms: number;
  readonly falseAlarms: number;
  /** trueAlarms / alarms (1 when there were no alarms). */
  readonly precision: number;
  /** detected / faults (1 when there were no faults). */
  readonly recall: number;
  /** Delay from onset to the first alarm, ms, per detected fault. */
  readonly delays: readonly number[];
  /** Per fault kind: injected and detected. */
  readonly byKind: Readonly<Record<string, { faults: number; detected: number; meanDelayMs: number | null }>>;
}

/** Match alarms to faults: an alarm on the same machine that opens inside a fault's window detects it. */
export function scoreDetections(faults: readonly FaultWindow[], alarms: readonly AlarmRecord[]): DetectionScore {
  const matched = new Set<AlarmRecord>();
  const delays: number[] = [];
  const byKind: Record<string, { faults: number; detected: number; delaySum: number }> = {};
  let detected = 0;
  for (const f of faults) {
    const k = (byKind[f.kind] ??= { faults: 0, detected: 0, delaySum: 0 });
    k.faults++;
    let first: number | null = null;
    for (const a of alarms) {
      if (a.machineId === f.machineId && a.startedAt >= f.start && a.startedAt < f.end) {
        matched.add(a);
        if (first === null || a.startedAt < first) first = a.startedAt;
      }
    }
    if (first !== null) {
      detected++;
      k.detected++;
      k.delaySum += first - f.start;
      delays.push(first - f.start);
    }
  }
  const trueAlarms = matched.size;
  return {
    faults: faults.length,
    detected,
    alarms: alarms.length,
    trueAlarms,
    falseAlarms: alarms.length - trueAlarms,
    precision: alarms.length ? trueAlarms / alarms.length : 1,
    recall: faults.length ? detected / faults.length : 1,
    delays,
    byKind: Object.fromEntries(Object.entries(byKind).map(([kind, v]) => [kind, { faults: v.faults, detected: v.detected, meanDelayMs: v.detected ? v.delaySum / v.detected : null }])),
  };
}

/** Running sums of squared errors per channel, for estimate and raw sensor against the truth. */
export class RmseAccumulator {
  private readonly est: Float64Array;
  private readonly raw: Float64Array;
  private readonly count: Float64Array;

  constructor(readonly channels: readonly string[]) {
    this.est = new Float64Array(channels.length);
    this.raw = new Float64Array(channels.length);
    this.count = new Float64Array(channels.length);
  }

  /** Add one instant: truth, filtered estimate, raw reading (NaN raw = channel not scored). */
  add(truth: ArrayLike<number>, estimate: ArrayLike<number>, raw: ArrayLike<number>): void {
    for (let i = 0; i < this.channels.length; i++) {
      const r = raw[i]!;
      if (Number.isNaN(r)) continue;
      this.est[i] = this.est[i]! + (estimate[i]! - truth[i]!) ** 2;
      this.raw[i] = this.raw[i]! + (r - truth[i]!) ** 2;
      this.count[i] = this.count[i]! + 1;
    }
  }

  /** Merge another accumulator over the same channels. */
  merge(other: RmseAccumulator): void {
    for (let i = 0; i < this.channels.length; i++) {
      this.est[i] = this.est[i]! + other.est[i]!;
      this.raw[i] = this.raw[i]! + other.raw[i]!;
      this.count[i] = this.count[i]! + other.count[i]!;
    }
  }

  /** Per channel RMSE of estimate and raw, and their ratio; `ratio` is the mean of the per-channel ratios. */
  result(): { readonly channels: Readonly<Record<string, { estimate: number; raw: number; ratio: number }>>; readonly ratio: number } {
    const channels: Record<string, { estimate: number; raw: number; ratio: number }> = {};
    let sum = 0;
    let k = 0;
    this.channels.forEach((name, i) => {
      const c = this.count[i]!;
      if (c === 0) return;
      const estimate = Math.sqrt(this.est[i]! / c);
      const raw = Math.sqrt(this.raw[i]! / c);
      channels[name] = { estimate, raw, ratio: estimate / raw };
      sum += estimate / raw;
      k++;
    });
    return { channels, ratio: k ? sum / k : Number.NaN };
  }
}
