/**
 * A machine's downsampled history: fixed-size ring of time buckets (default 1 min × 1440 = one
 * day), each holding sums of the filtered state means and standard deviations and of the raw
 * readings. Memory per machine is constant; queries merge buckets into at most `points` points.
 */

/** One point of a history series. */
export interface HistoryPoint {
  /** Start of the point's span, ms. */
  readonly t: number;
  /** Samples merged into it. */
  readonly samples: number;
  /** Mean of the filtered state means, by state name. */
  readonly states: Readonly<Record<string, number>>;
  /** Mean of the filtered standard deviations, by state name. */
  readonly std: Readonly<Record<string, number>>;
  /** Mean raw reading by channel (null when none arrived). */
  readonly raw: Readonly<Record<string, number | null>>;
  /** True when an anomaly was open during the span. */
  readonly anomaly: boolean;
}

/** Ring of time buckets for one machine. */
export class HistoryRing {
  private readonly start: Float64Array;
  private readonly count: Float64Array;
  private readonly xSum: Float64Array;
  private readonly sSum: Float64Array;
  private readonly ySum: Float64Array;
  private readonly yCount: Float64Array;
  private readonly anomaly: Uint8Array;

  constructor(private readonly states: readonly string[], private readonly channels: readonly string[], readonly bucketMs = 60_000, readonly capacity = 1440) {
    this.start = new Float64Array(capacity).fill(Number.NaN);
    this.count = new Float64Array(capacity);
    this.xSum = new Float64Array(capacity * states.length);
    this.sSum = new Float64Array(capacity * states.length);
    this.ySum = new Float64Array(capacity * channels.length);
    this.yCount = new Float64Array(capacity * channels.length);
    this.anomaly = new Uint8Array(capacity);
  }

  /** Add one filtered sample. Samples older than the ring's span are ignored. */
  add(t: number, x: ArrayLike<number>, p: ArrayLike<number>, y: ArrayLike<number>, anomaly: boolean): void {
    const b = Math.floor(t / this.bucketMs);
    const slot = ((b % this.capacity) + this.capacity) % this.capacity;
    const bStart = b * this.bucketMs;
    const cur = this.start[slot]!;
    if (cur !== bStart) {
      if (!Number.isNaN(cur) && cur > bStart) return; // older than the ring keeps
      this.start[slot] = bStart;
      this.count[slot] = 0;
      this.anomaly[slot] = 0;
      this.xSum.fill(0, slot * this.states.length, (slot + 1) * this.states.length);
      this.sSum.fill(0, slot * this.states.length, (slot + 1) * this.states.length);
      this.ySum.fill(0, slot * this.channels.length, (slot + 1) * this.channels.length);
      this.yCount.fill(0, slot * this.channels.length, (slot + 1) * this.channels.length);
    }
    const n = this.states.length;
    this.count[slot] = this.count[slot]! + 1;
    for (let i = 0; i < n; i++) {
      this.xSum[slot * n + i] = this.xSum[slot * n + i]! + x[i]!;
      this.sSum[slot * n + i] = this.sSum[slot * n + i]! + Math.sqrt(Math.max(0, p[i * n + i]!));
    }
    const m = this.channels.length;
    for (let i = 0; i < m; i++) {
      const v = y[i]!;
      if (Number.isNaN(v)) continue;
      this.ySum[slot * m + i] = this.ySum[slot * m + i]! + v;
      this.yCount[slot * m + i] = this.yCount[slot * m + i]! + 1;
    }
    if (anomaly) this.anomaly[slot] = 1;
  }

  /** Points in [from, to), at most `points` of them (consecutive buckets merged, weighted by samples). */
  query(from: number, to: number, points: number): HistoryPoint[] {
    const slots: number[] = [];
    for (let s = 0; s < this.capacity; s++) {
      const st = this.start[s]!;
      if (!Number.isNaN(st) && st + this.bucketMs > from && st < to && this.count[s]! > 0) slots.push(s);
    }
    slots.sort((a, b) => this.start[a]! - this.start[b]!);
    const group = Math.max(1, Math.ceil(slots.length / Math.max(1, points)));
    const n = this.states.length;
    const m = this.channels.length;
    const out: HistoryPoint[] = [];
    for (let g = 0; g < slots.length; g += group) {
      const members = slots.slice(g, g + group);
      let count = 0;
      const xs = new Float64Array(n);
      const ss = new Float64Array(n);
      const ys = new Float64Array(m);
      const yc = new Float64Array(m);
      let anomaly = false;
      for (const s of members) {
        count += this.count[s]!;
        for (let i = 0; i < n; i++) {
          xs[i] = xs[i]! + this.xSum[s * n + i]!;
          ss[i] = ss[i]! + this.sSum[s * n + i]!;
        }
        for (let i = 0; i < m; i++) {
          ys[i] = ys[i]! + this.ySum[s * m + i]!;
          yc[i] = yc[i]! + this.yCount[s * m + i]!;
        }
        anomaly ||= this.anomaly[s] === 1;
      }
      out.push({
        t: this.start[members[0]!]!,
        samples: count,
        states: Object.fromEntries(this.states.map((name, i) => [name, xs[i]! / count])),
        std: Object.fromEntries(this.states.map((name, i) => [name, ss[i]! / count])),
        raw: Object.fromEntries(this.channels.map((name, i) => [name, yc[i]! > 0 ? ys[i]! / yc[i]! : null])),
        anomaly,
      });
    }
    return out;
  }
}
