/**
 * Anomaly detection from a filter's innovations. Three rules, each a textbook one:
 * - **NIS with persistence**: a sample *exceeds* when its normalised innovation squared is above
 *   the χ²(dof) quantile at `nisProbability`; an alarm needs `persistence.k` exceedances among
 *   the last `persistence.n` samples (a lone outlier is not an anomaly).
 * - **CUSUM** on each channel's whitened innovation z (two-sided, reference `cusum.k`, decision
 *   interval `cusum.h`, Page 1954): catches slow sensor drift that the NIS sees too late.
 * - **Flatline**: a channel whose reading repeats exactly `flatlineSamples` times while the
 *   machine is operating is stuck (a live sensor's noise is many resolution steps wide).
 * An alarm episode opens on the first rule that fires and closes after `clearAfter`
 * consecutive samples on which no rule fires.
 */
import { chiSquareQuantile } from './chi-square';

/** Why an alarm was raised. */
export type AnomalyReason = 'innovation' | 'drift' | 'stuck';

/** Options of the {@link AnomalyDetector}. */
export interface AnomalyOptions {
  /** Per-sample probability of the NIS threshold (χ² quantile), default 0.9999. */
  readonly nisProbability?: number;
  /** k exceedances in the last n samples raise an alarm; default {k: 3, n: 6}. */
  readonly persistence?: { readonly k: number; readonly n: number };
  /** CUSUM reference value and decision interval in units of σ; default {k: 0.5, h: 17}. */
  readonly cusum?: { readonly k: number; readonly h: number };
  /** Identical consecutive readings that mean a stuck sensor; default 15 (0 disables). */
  readonly flatlineSamples?: number;
  /** Quiet samples that close an alarm; default 60. */
  readonly clearAfter?: number;
  /** Samples at the start ignored while the filter converges; default 60. */
  readonly warmup?: number;
}

/** An alarm episode. */
export interface AnomalyEvent {
  /** Time the alarm opened (ms since the epoch, sample time). */
  readonly startedAt: number;
  /** Time it closed, or null while active. */
  endedAt: number | null;
  readonly reason: AnomalyReason;
  /** Channel that fired (measurement name), null for the joint NIS rule. */
  readonly channel: string | null;
  /** Largest NIS seen during the episode. */
  peakNis: number;
}

/** What one {@link AnomalyDetector.push} decided. */
export interface DetectorStep {
  readonly exceeded: boolean;
  /** True while an alarm episode is open. */
  readonly active: boolean;
  /** The episode opened by this sample, if any. */
  readonly raised: AnomalyEvent | null;
  /** The episode closed by this sample, if any. */
  readonly cleared: AnomalyEvent | null;
}

/** Streaming detector for one machine. */
export class AnomalyDetector {
  private readonly thresholds: Float64Array;
  private readonly k: number;
  private readonly window: Uint8Array;
  private windowPos = 0;
  private exceedances = 0;
  private readonly cusumK: number;
  private readonly cusumH: number;
  private readonly up: Float64Array;
  private readonly down: Float64Array;
  private readonly flatline: number;
  private readonly lastValue: Float64Array;
  private readonly repeats: Float64Array;
  private readonly clearAfter: number;
  private warmupLeft: number;
  private quiet = 0;
  private current: AnomalyEvent | null = null;

  /**
   * @param channels - measurement names (for event details)
   * @param flatlineEligible - per channel: can this channel flatline-check (noise ≫ resolution)
   */
  constructor(private readonly channels: readonly string[], options: AnomalyOptions = {}, private readonly flatlineEligible: readonly boolean[] = channels.map(() => true)) {
    const m = channels.length;
    const p = options.nisProbability ?? 0.9999;
    // one buffer for all per-channel state (cache-friendly across a fleet of detectors)
    const own = new Float64Array(m + 1 + 4 * m);
    let o = 0;
    const view = (len: number): Float64Array => own.subarray(o, (o += len));
    this.thresholds = view(m + 1);
    for (let d = 1; d <= m; d++) this.thresholds[d] = chiSquareQuantile(p, d);
    const pers = options.persistence ?? { k: 3, n: 6 };
    this.k = pers.k;
    this.window = new Uint8Array(pers.n);
    this.cusumK = options.cusum?.k ?? 0.5;
    this.cusumH = options.cusum?.h ?? 17;
    this.up = view(m);
    this.down = view(m);
    this.flatline = options.flatlineSamples ?? 15;
    this.lastValue = view(m).fill(Number.NaN);
    this.repeats = view(m);
    this.clearAfter = options.clearAfter ?? 60;
    this.warmupLeft = options.warmup ?? 60;
  }

  /** NIS threshold for `dof` channels. */
  threshold(dof: number): number {
    return this.thresholds[dof] ?? Number.POSITIVE_INFINITY;
  }

  /** The open episode, if any. */
  get active(): AnomalyEvent | null {
    return this.current;
  }

  /**
   * Score one filtered sample.
   * @param t - sample time (ms)
   * @param nis - its NIS; `dof` its channels present; `z` whitened innovations (NaN = missing)
   * @param raw - raw readings (NaN = missing), for the flatline rule
   * @param operating - the machine is running an operation
   */
  push(t: number, nis: number, dof: number, z: ArrayLike<number>, raw: ArrayLike<number>, operating: boolean): DetectorStep {
    const m = this.channels.length;
    if (this.warmupLeft > 0) {
      this.warmupLeft--;
      for (let i = 0; i < m; i++) this.lastValue[i] = raw[i]!;
      return { exceeded: false, active: this.current !== null, raised: null, cleared: null };
    }
    const exceeded = dof > 0 && nis > this.threshold(dof);
    const old = this.window[this.windowPos]!;
    this.window[this.windowPos] = exceeded ? 1 : 0;
    this.windowPos = (this.windowPos + 1) % this.window.length;
    this.exceedances += (exceeded ? 1 : 0) - old;

    let reason: AnomalyReason | null = this.exceedances >= this.k ? 'innovation' : null;
    let channel: string | null = null;
    for (let i = 0; i < m; i++) {
      const zi = z[i]!;
      if (!Number.isNaN(zi)) {
        this.up[i] = Math.max(0, this.up[i]! + zi - this.cusumK);
        this.down[i] = Math.max(0, this.down[i]! - zi - this.cusumK);
        if (reason === null && (this.up[i]! > this.cusumH || this.down[i]! > this.cusumH)) {
          reason = 'drift';
          channel = this.channels[i]!;
        }
      }
      const v = raw[i]!;
      if (!Number.isNaN(v)) {
        if (operating && v === this.lastValue[i]) this.repeats[i] = this.repeats[i]! + 1;
        else this.repeats[i] = 0;
        this.lastValue[i] = v;
        if (this.flatline > 0 && this.flatlineEligible[i] && this.repeats[i]! + 1 >= this.flatline) {
          reason = 'stuck';
          channel = this.channels[i]!;
        }
      }
    }
    let raised: AnomalyEvent | null = null;
    let cleared: AnomalyEvent | null = null;
    if (reason !== null) {
      this.quiet = 0;
      if (!this.current) {
        raised = this.current = { startedAt: t, endedAt: null, reason, channel, peakNis: nis };
        // a raised alarm restarts the drift statistics so one fault is one episode, not a train of them
        this.up.fill(0);
        this.down.fill(0);
      }
    } else if (this.current) {
      this.quiet++;
      if (this.quiet >= this.clearAfter) {
        this.current.endedAt = t;
        cleared = this.current;
        this.current = null;
        this.quiet = 0;
      }
    }
    if (this.current && nis > this.current.peakNis) this.current.peakNis = nis;
    return { exceeded, active: this.current !== null, raised, cleared };
  }
}
