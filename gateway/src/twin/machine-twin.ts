/**
 * One machine's twin: an {@link ExtendedKalmanFilter} fed by timestamped samples that may come
 * at irregular intervals, with channels missing, twice, or out of order; plus its
 * {@link AnomalyDetector}. The last `reorderDepth` posteriors are kept, so a late sample is
 * inserted where it belongs and the samples after it are filtered again (exact re-filtering,
 * not an approximation); a sample older than that window is dropped and counted.
 */
import { AnomalyDetector, type AnomalyEvent, type AnomalyOptions } from './anomaly';
import { ExtendedKalmanFilter } from './ekf';
import { TwinError } from './errors';
import { clampInput, type OperatingInput, type TwinModel } from './model';

/** One telemetry sample as the twin consumes it (validated upstream). */
export interface TwinSample {
  /** Sample time, ms since the epoch. */
  readonly t: number;
  /** Device sequence number; with `t` it identifies duplicates. */
  readonly seq?: number;
  /** The operation's input while the sample was taken. */
  readonly u: OperatingInput;
  /** Readings by channel index; null/NaN = missing. */
  readonly y: readonly (number | null)[];
}

/** What happened to an ingested sample. */
export type IngestStatus = 'applied' | 'reordered' | 'duplicate' | 'late';

/** Result of {@link MachineTwin.ingest}. */
export interface IngestOutcome {
  readonly status: IngestStatus;
  /** NIS of the sample (NaN unless applied or reordered). */
  readonly nis: number;
  readonly dof: number;
  readonly raised: AnomalyEvent | null;
  readonly cleared: AnomalyEvent | null;
}

/** Options of a {@link MachineTwin}. */
export interface MachineTwinOptions {
  /** Posteriors kept for re-filtering late samples (default 64). */
  readonly reorderDepth?: number;
  /** Sequence numbers remembered to tell duplicates from late samples beyond the re-ordering window (default 4096). */
  readonly dedupeDepth?: number;
  readonly anomaly?: AnomalyOptions;
}

/** Counters of a twin's input. */
export interface TwinCounters {
  applied: number;
  reordered: number;
  duplicates: number;
  late: number;
  missingChannels: number;
}

/** What {@link MachineTwin.checkpoint} saves. */
export interface TwinCheckpoint {
  readonly model: { readonly id: string; readonly version: string };
  readonly x: readonly number[];
  readonly p: readonly number[];
  readonly last: { readonly t: number; readonly seq: number | null; readonly load: number; readonly speed: number; readonly y: readonly (number | null)[] } | null;
  readonly counters: Readonly<TwinCounters>;
}

/** The current estimate with its uncertainty. */
export interface TwinEstimate {
  readonly machineId: string;
  readonly model: { readonly id: string; readonly version: string };
  /** Time of the latest sample filtered (ms), null before the first. */
  readonly at: number | null;
  readonly states: readonly { readonly name: string; readonly unit: string; readonly mean: number; readonly std: number }[];
  readonly covariance: readonly number[];
  readonly wear: { readonly value: number; readonly std: number; readonly limit: number; readonly unit: string };
  /** 1 = new, 0 = at the wear limit; halved while an anomaly is open. */
  readonly healthIndex: number;
  readonly anomaly: AnomalyEvent | null;
  readonly counters: Readonly<TwinCounters>;
}

interface Slot {
  t: number;
  seq: number;
  /** Wear variance added after this sample's update (fault accommodation), replayed on re-filtering. */
  boost: number;
  load: number;
  speed: number;
  readonly y: Float64Array;
  readonly x: Float64Array;
  readonly p: Float64Array;
}

/** Fixed-capacity ring of slots in time order; appending to a full ring reuses the oldest slot. */
class SlotRing {
  private readonly slots: Slot[] = [];
  private head = 0;
  length = 0;
  /** True once a slot has been evicted (the ring no longer reaches back to the first sample). */
  evicted = false;

  constructor(private readonly capacity: number, private readonly make: () => Slot) {}

  at(i: number): Slot {
    return this.slots[(this.head + i) % this.capacity]!;
  }

  /** A slot for a new newest entry. */
  append(): Slot {
    if (this.length < this.capacity) {
      const p = (this.head + this.length) % this.capacity;
      const slot = (this.slots[p] ??= this.make());
      this.length++;
      return slot;
    }
    const slot = this.slots[this.head]!;
    this.head = (this.head + 1) % this.capacity;
    this.evicted = true;
    return slot;
  }

  /** A slot inserted at logical position `index` (later ones move up; a full ring drops its oldest first); returns where it went. */
  insert(index: number): { slot: Slot; index: number } {
    const wasFull = this.length === this.capacity;
    const slot = this.append();
    const at = Math.max(0, wasFull ? index - 1 : index);
    for (let i = this.length - 1; i > at; i--) this.slots[(this.head + i) % this.capacity] = this.at(i - 1);
    this.slots[(this.head + at) % this.capacity] = slot;
    return { slot, index: at };
  }
}

/** A machine's twin (filter + detector + re-ordering buffer). Not thread-safe; one per machine. */
export class MachineTwin {
  readonly filter: ExtendedKalmanFilter;
  readonly detector: AnomalyDetector;
  readonly counters: TwinCounters = { applied: 0, reordered: 0, duplicates: 0, late: 0, missingChannels: 0 };
  private readonly slots: SlotRing;
  private readonly depth: number;
  private readonly y: Float64Array;
  private readonly n: number;
  private readonly m: number;
  private lastInput: OperatingInput = { load: 0, speed: 0 };
  private readonly switchA: Float64Array;
  /** Prior covariance (to re-filter from the start while nothing has left the buffer). */
  private readonly prior: Float64Array;
  /** Seen sequence numbers in (maxSeq − window, maxSeq], one byte each, indexed by seq mod window. */
  private readonly seenBits: Uint8Array;
  private maxSeq = -1;
  /** Scratch inputs (the hot path allocates nothing). */
  private readonly uPrev = { load: 0, speed: 0 };
  private readonly uCur = { load: 0, speed: 0 };
  private readonly switchB: Float64Array;

  constructor(readonly machineId: string, readonly model: TwinModel, options: MachineTwinOptions = {}) {
    this.filter = new ExtendedKalmanFilter(model, machineId);
    this.n = this.filter.n;
    this.m = this.filter.m;
    this.depth = Math.max(2, options.reorderDepth ?? 64);
    const n = this.filter.n;
    const m = this.filter.m;
    this.slots = new SlotRing(this.depth, () => ({ t: 0, seq: 0, boost: 0, load: 0, speed: 0, y: new Float64Array(m), x: new Float64Array(n), p: new Float64Array(n * n) }));
    this.y = new Float64Array(this.m);
    this.switchA = new Float64Array(this.n);
    this.prior = Float64Array.from(this.filter.p);
    this.seenBits = new Uint8Array(Math.max(this.depth, options.dedupeDepth ?? 4096));
    this.switchB = new Float64Array(this.n);
    const eligible = model.measurementNoise.map((r, i) => Math.sqrt(r) > 4 * (model.measurementResolution[i] ?? 0));
    this.detector = new AnomalyDetector(model.measurementNames, options.anomaly, eligible);
  }

  /** Time of the latest sample, or null. */
  get lastTime(): number | null {
    return this.slots.length ? this.slots.at(this.slots.length - 1).t : null;
  }

  /** The input in force at the latest sample. */
  get input(): OperatingInput {
    return this.lastInput;
  }

  /** Filter one sample (see the class comment for late and duplicate samples). */
  ingest(sample: TwinSample): IngestOutcome {
    const { m, y } = this;
    for (let i = 0; i < m; i++) {
      const v = sample.y[i];
      y[i] = v === null || v === undefined || !Number.isFinite(v) ? Number.NaN : v;
      if (Number.isNaN(y[i]!)) this.counters.missingChannels++;
    }
    const u = clampInput(sample.u);
    const seq = sample.seq ?? Number.NaN;
    const slots = this.slots;
    const last = slots.length ? slots.at(slots.length - 1) : undefined;
    if (!last || sample.t > last.t || (sample.t === last.t && !this.isDuplicate(slots.length - 1, sample.t, seq))) {
      const r = this.step(last, sample.t, u);
      this.push(slots.length, sample.t, seq, u);
      this.counters.applied++;
      this.lastInput = u;
      return this.detect(sample.t, r.nis, r.dof, r.z, u, 'applied');
    }
    // older than the newest: find its place
    let j = slots.length - 1;
    while (j >= 0 && slots.at(j).t > sample.t) j--;
    // slots[j].t <= sample.t < slots[j+1].t
    for (let d = j; d >= 0 && slots.at(d).t === sample.t; d--) {
      if (this.isDuplicate(d, sample.t, seq)) {
        this.counters.duplicates++;
        return { status: 'duplicate', nis: Number.NaN, dof: 0, raised: null, cleared: null };
      }
    }
    if (!Number.isNaN(seq) && this.wasSeen(seq)) {
      this.counters.duplicates++;
      return { status: 'duplicate', nis: Number.NaN, dof: 0, raised: null, cleared: null };
    }
    if (j < 0 && this.slots.evicted) {
      this.counters.late++;
      return { status: 'late', nis: Number.NaN, dof: 0, raised: null, cleared: null };
    }
    // j < 0 before any eviction: the sample is the machine's first, filtered from the prior
    const before = j >= 0 ? slots.at(j) : undefined;
    if (before) this.filter.setState(before.x, before.p);
    else this.filter.setState(this.model.initialState, this.prior);
    const r = this.step(before, sample.t, u);
    const out = { nis: r.nis, dof: r.dof, z: Float64Array.from(r.z) };
    const at = this.push(j + 1, sample.t, seq, u);
    // re-filter the samples after it
    for (let i = at + 1; i < slots.length; i++) {
      const s = slots.at(i);
      const prev = slots.at(i - 1);
      this.uCur.load = s.load;
      this.uCur.speed = s.speed;
      this.predictBetween(prev, s.t, this.uCur);
      this.filter.update(s.y, this.uCur);
      if (s.boost > 0) this.addWearVariance(s.boost);
      s.x.set(this.filter.x);
      s.p.set(this.filter.p);
    }
    this.counters.reordered++;
    return this.detect(sample.t, out.nis, out.dof, out.z, u, 'reordered');
  }

  private isDuplicate(index: number, t: number, seq: number): boolean {
    const s = this.slots.at(index);
    if (s.t !== t) return false;
    if (Number.isNaN(seq) || Number.isNaN(s.seq)) {
      // without sequence numbers, identical time and readings is the same message
      for (let i = 0; i < this.m; i++) if (!Object.is(s.y[i], this.y[i])) return false;
      return true;
    }
    return s.seq === seq;
  }

  private step(prev: Slot | undefined, t: number, u: OperatingInput): { nis: number; dof: number; z: Float64Array } {
    if (prev) this.predictBetween(prev, t, u);
    return this.filter.update(this.y, u);
  }

  /**
   * Predict from the previous sample to t. When the input changed in between, the switch time is
   * unknown (uniform in the interval): predict half the interval with each input and add the
   * variance of that choice, d dᵀ/12 with d the difference between the two one-input predictions.
   */
  private predictBetween(prev: Slot, t: number, u: OperatingInput): void {
    const dt = (t - prev.t) / 1000;
    const before = this.uPrev;
    before.load = prev.load;
    before.speed = prev.speed;
    if (before.load === u.load && before.speed === u.speed) {
      this.filter.predict(before, dt);
      return;
    }
    const a = this.filter.propagateMean(before, dt, this.switchA);
    const b = this.filter.propagateMean(u, dt, this.switchB);
    for (let i = 0; i < this.n; i++) a[i] = b[i]! - a[i]!;
    this.filter.predict(before, dt / 2);
    this.filter.predict(u, dt / 2);
    this.filter.addOuter(a, 1 / 12);
  }

  private addWearVariance(v: number): void {
    const k = this.model.wear.state * this.n + this.model.wear.state;
    this.filter.p[k] = this.filter.p[k]! + v;
  }

  private wasSeen(seq: number): boolean {
    const w = this.seenBits.length;
    return seq <= this.maxSeq && seq > this.maxSeq - w && this.seenBits[seq % w] === 1;
  }

  private remember(seq: number): void {
    const w = this.seenBits.length;
    if (seq > this.maxSeq) {
      // slide the window: clear the slots of the sequence numbers skipped over
      const from = Math.max(this.maxSeq + 1, seq - w + 1);
      for (let s = from; s < seq; s++) this.seenBits[s % w] = 0;
      this.maxSeq = seq;
    } else if (seq <= this.maxSeq - w) return;
    this.seenBits[seq % w] = 1;
  }

  /** Store the filter's posterior as the record of a sample at `index`; returns where it went. */
  private push(index: number, t: number, seq: number, u: OperatingInput): number {
    let slot: Slot;
    let at: number;
    if (index >= this.slots.length) {
      slot = this.slots.append();
      at = this.slots.length - 1;
    } else {
      ({ slot, index: at } = this.slots.insert(index));
    }
    slot.t = t;
    slot.seq = seq;
    slot.boost = 0;
    if (!Number.isNaN(seq)) this.remember(seq);
    slot.load = u.load;
    slot.speed = u.speed;
    slot.y.set(this.y);
    slot.x.set(this.filter.x);
    slot.p.set(this.filter.p);
    return at;
  }

  private detect(t: number, nis: number, dof: number, z: Float64Array, u: OperatingInput, status: IngestStatus): IngestOutcome {
    const d = this.detector.push(t, nis, dof, z, this.y, u.load > 0);
    if (d.raised && d.raised.reason !== 'stuck' && this.model.wear.jumpStd > 0) {
      // the filter now continues from the newest record: inflate both, and remember it there so a
      // later re-filtering through that record inflates again
      const boost = this.model.wear.jumpStd ** 2;
      this.addWearVariance(boost);
      const newest = this.slots.at(this.slots.length - 1);
      newest.boost += boost;
      newest.p.set(this.filter.p);
    }
    return { status, nis, dof, raised: d.raised, cleared: d.cleared };
  }

  /**
   * The filter's newest posterior and counters, to persist across restarts (the re-ordering
   * buffer and detector statistics are not kept: a restored twin starts a fresh buffer there).
   */
  checkpoint(): TwinCheckpoint {
    const last = this.slots.length ? this.slots.at(this.slots.length - 1) : undefined;
    return {
      model: { id: this.model.id, version: this.model.version },
      x: Array.from(this.filter.x),
      p: Array.from(this.filter.p),
      last: last ? { t: last.t, seq: Number.isNaN(last.seq) ? null : last.seq, load: last.load, speed: last.speed, y: Array.from(last.y, (v) => (Number.isNaN(v) ? null : v)) } : null,
      counters: { ...this.counters },
    };
  }

  /**
   * Continue from a checkpoint of the same model: its posterior becomes the newest record, so the
   * next sample predicts from it. Samples older than it are `late`.
   * @throws INVALID_MODEL_PARAMETER when the checkpoint is of another model or has the wrong size
   */
  restore(c: TwinCheckpoint): void {
    if (c.model.id !== this.model.id || c.x.length !== this.n || c.p.length !== this.n * this.n) {
      throw new TwinError('INVALID_MODEL_PARAMETER', { model: this.model.id, reason: `checkpoint of ${c.model.id} with ${c.x.length} states does not fit` });
    }
    this.filter.setState(c.x, c.p);
    Object.assign(this.counters, c.counters);
    if (c.last) {
      this.y.set(c.last.y.map((v) => (v === null ? Number.NaN : v)));
      this.push(this.slots.length, c.last.t, c.last.seq ?? Number.NaN, { load: c.last.load, speed: c.last.speed });
      this.slots.evicted = true; // nothing before the checkpoint can be re-filtered
      this.lastInput = { load: c.last.load, speed: c.last.speed };
    }
  }

  /** The current estimate, its uncertainty and health. */
  estimate(): TwinEstimate {
    const { filter, model, n } = this;
    const w = model.wear;
    const wear = filter.x[w.state]!;
    const wearStd = Math.sqrt(Math.max(0, filter.p[w.state * n + w.state]!));
    const remaining = 1 - (wear - w.restoredTo) / (w.limit - w.restoredTo);
    const anomaly = this.detector.active;
    return {
      machineId: this.machineId,
      model: { id: model.id, version: model.version },
      at: this.lastTime,
      states: model.stateNames.map((name, i) => ({ name, unit: model.stateUnits[i] ?? '', mean: filter.x[i]!, std: Math.sqrt(Math.max(0, filter.p[i * n + i]!)) })),
      covariance: Array.from(filter.p),
      wear: { value: wear, std: wearStd, limit: w.limit, unit: w.unit },
      healthIndex: Math.min(1, Math.max(0, remaining)) * (anomaly ? 0.5 : 1),
      anomaly: anomaly ? { ...anomaly } : null,
      counters: { ...this.counters },
    };
  }
}
