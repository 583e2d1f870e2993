/**
 * The gateway's twins: one {@link MachineTwin} per registered machine, fed by telemetry from
 * MQTT, HTTP batches or edge agents. Validates each message, filters it, keeps a downsampled
 * history and the anomaly log, answers predictions and what-if questions, and tells listeners
 * (snapshot recorder, telemetry anchoring) about every filtered sample.
 *
 * Backpressure: {@link TwinService.offer} puts messages in a bounded queue drained in slices on
 * the event loop; when the queue is full a caller either waits for room (MQTT: the broker stops
 * reading that connection until the QoS 1 acknowledgement is released) or is refused at once
 * (HTTP: 429 with Retry-After). Memory stays bounded by the queue size.
 */
import { TwinError } from './errors';
import { HistoryRing, type HistoryPoint } from './history';
import { MachineTwin, type IngestOutcome, type MachineTwinOptions, type TwinCheckpoint, type TwinEstimate, type TwinSample } from './machine-twin';
import type { AnomalyEvent } from './anomaly';
import type { OperatingInput, TwinModel } from './model';
import { modelById } from './models';
import { remainingUsefulLife, whatIf, type DowntimeWindow, type RulPrediction, type WhatIfResult } from './rul';
import type { OperationSegment } from './simulator';
import { decodeTelemetry, type RejectReason } from './telemetry';

/** Where a message came from (metric label). */
export type TelemetrySource = 'mqtt' | 'http' | 'edge' | 'local';

/** Options of a {@link TwinService}. */
export interface TwinServiceOptions {
  /** Milliseconds since the epoch (default `Date.now`). */
  readonly clock?: () => number;
  readonly twin?: MachineTwinOptions;
  /** History bucket length and count (default 60 000 ms × 1440). */
  readonly historyBucketMs?: number;
  readonly historyBuckets?: number;
  /** Anomaly episodes kept per machine (default 500). */
  readonly anomaliesKept?: number;
  /** Messages that may wait in the ingest queue (default 10 000). */
  readonly maxQueue?: number;
  /** Samples further in the future than this are rejected as a clock problem (default 5 min). */
  readonly maxFutureMs?: number;
  /** Time constant of the usage average that RUL assumes for the future (default 8 h). */
  readonly usageTauMs?: number;
  /** Monte Carlo trajectories of predictions (default 256) and their seed (default 1). */
  readonly predictionSamples?: number;
  readonly seed?: number;
  /** Crossing probability that schedules maintenance (default 0.1). */
  readonly riskThreshold?: number;
}

/** A registered machine. */
export interface MachineEntry {
  readonly machineId: string;
  readonly ownerMsp: string;
  readonly model: TwinModel;
  readonly twin: MachineTwin;
  readonly history: HistoryRing;
  readonly anomalies: AnomalyEvent[];
  /** Exponentially weighted time averages of the input (sums and weight, so no start-up bias). */
  usage: { load: number; speed: number; weight: number; at: number | null };
}

/** What became of one message. */
export interface OfferResult {
  readonly accepted: boolean;
  /** Samples filtered (applied or re-ordered). */
  readonly filtered: number;
  readonly duplicates: number;
  readonly late: number;
  readonly reason?: RejectReason;
  readonly detail?: string;
}

/** Called for every sample a twin filtered. */
export type SampleListener = (entry: MachineEntry, sample: TwinSample, outcome: IngestOutcome, source: TelemetrySource) => void;

/** Predictions of a machine. */
export interface TwinPredictions {
  readonly machineId: string;
  readonly at: number | null;
  readonly rul: RulPrediction;
  readonly downtime: readonly DowntimeWindow[];
}

interface Pending {
  readonly machineId: string;
  readonly body: unknown;
  readonly source: TelemetrySource;
  readonly org: string | undefined;
  readonly resolve: (r: OfferResult) => void;
}

/** A machine's twin as {@link TwinService.checkpoints} saves it. */
export interface TwinServiceCheckpoint {
  readonly machineId: string;
  readonly ownerMsp: string;
  readonly model: string;
  readonly usage: MachineEntry['usage'];
  readonly twin: TwinCheckpoint;
}

/** Counters of the ingest path. */
export interface TwinServiceStats {
  received: number;
  accepted: number;
  samples: number;
  duplicates: number;
  late: number;
  rejected: Record<string, number>;
  queued: number;
  maxQueued: number;
}

/** The twin registry and ingest path. */
export class TwinService {
  private readonly machines = new Map<string, MachineEntry>();
  private readonly listeners: SampleListener[] = [];
  private readonly queue: Pending[] = [];
  private queueHead = 0;
  private readonly waiters: (() => void)[] = [];
  private draining = false;
  private readonly clock: () => number;
  /** Most messages that may wait in the queue. */
  readonly maxQueue: number;
  private readonly predictionCache = new Map<string, { key: string; value: TwinPredictions }>();
  readonly stats: TwinServiceStats = { received: 0, accepted: 0, samples: 0, duplicates: 0, late: 0, rejected: {}, queued: 0, maxQueued: 0 };

  constructor(private readonly options: TwinServiceOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.maxQueue = options.maxQueue ?? 10_000;
  }

  /**
   * Register a machine's twin (idempotent for the same model and owner).
   * @throws UNKNOWN_MODEL; MACHINE_EXISTS when registered with another model or owner
   */
  register(machineId: string, modelId: string, ownerMsp: string): MachineEntry {
    const existing = this.machines.get(machineId);
    if (existing) {
      if (existing.model.id !== modelId || existing.ownerMsp !== ownerMsp) throw new TwinError('MACHINE_EXISTS', { machineId });
      return existing;
    }
    const model = modelById(modelId);
    const entry: MachineEntry = {
      machineId, ownerMsp, model,
      twin: new MachineTwin(machineId, model, this.options.twin),
      history: new HistoryRing(model.stateNames, model.measurementNames, this.options.historyBucketMs, this.options.historyBuckets),
      anomalies: [],
      usage: { load: 0, speed: 0, weight: 0, at: null },
    };
    this.machines.set(machineId, entry);
    return entry;
  }

  /**
   * The machine's entry.
   * @throws UNKNOWN_MACHINE
   */
  machine(machineId: string): MachineEntry {
    const e = this.machines.get(machineId);
    if (!e) throw new TwinError('UNKNOWN_MACHINE', { machineId });
    return e;
  }

  /** Registered machine ids. */
  machineIds(): string[] {
    return [...this.machines.keys()];
  }

  /** Listen to every filtered sample; returns the unsubscribe function. */
  onSample(listener: SampleListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Validate and filter one message now (synchronously).
   * @param org - the organisation the message claims (MQTT topic), checked against the owner
   */
  ingest(machineId: string, body: unknown, source: TelemetrySource, org?: string): OfferResult {
    this.stats.received++;
    const entry = this.machines.get(machineId);
    if (!entry) return this.reject('unknown-machine', `no twin for machine ${machineId}`);
    if (org !== undefined && org !== entry.ownerMsp) return this.reject('wrong-org', `machine ${machineId} belongs to ${entry.ownerMsp}, not ${org}`);
    const decoded = decodeTelemetry(body, entry.model);
    if (!decoded.ok) return this.reject(decoded.reason, decoded.detail);
    const limit = this.clock() + (this.options.maxFutureMs ?? 300_000);
    for (const s of decoded.samples) {
      if (s.t > limit) return this.reject('clock', `sample ${s.seq} is dated ${new Date(s.t).toISOString()}, more than ${(this.options.maxFutureMs ?? 300_000) / 1000} s in the future`);
    }
    let filtered = 0;
    let duplicates = 0;
    let late = 0;
    for (const s of decoded.samples) {
      const outcome = entry.twin.ingest(s);
      if (outcome.status === 'duplicate') duplicates++;
      else if (outcome.status === 'late') late++;
      else {
        filtered++;
        this.afterFilter(entry, s, outcome, source);
      }
    }
    this.stats.accepted++;
    this.stats.samples += filtered;
    this.stats.duplicates += duplicates;
    this.stats.late += late;
    return { accepted: true, filtered, duplicates, late };
  }

  private afterFilter(entry: MachineEntry, s: TwinSample, outcome: IngestOutcome, source: TelemetrySource): void {
    const { twin } = entry;
    const y = s.y.map((v) => (v === null || v === undefined ? Number.NaN : v));
    entry.history.add(s.t, twin.filter.x, twin.filter.p, y, twin.detector.active !== null);
    if (outcome.raised) {
      entry.anomalies.push(outcome.raised);
      const kept = this.options.anomaliesKept ?? 500;
      if (entry.anomalies.length > kept) entry.anomalies.splice(0, entry.anomalies.length - kept);
    }
    if (outcome.status === 'applied') {
      const u = entry.usage;
      const dt = u.at === null ? 0 : Math.max(0, s.t - u.at);
      const decay = Math.exp(-dt / (this.options.usageTauMs ?? 8 * 3_600_000));
      u.load = u.load * decay + s.u.load * dt;
      u.speed = u.speed * decay + s.u.speed * dt;
      u.weight = u.weight * decay + dt;
      u.at = s.t;
    }
    for (const l of this.listeners) l(entry, s, outcome, source);
  }

  private reject(reason: RejectReason, detail: string): OfferResult {
    this.stats.rejected[reason] = (this.stats.rejected[reason] ?? 0) + 1;
    return { accepted: false, filtered: 0, duplicates: 0, late: 0, reason, detail };
  }

  /**
   * Queue a message (bounded). With `wait`, a full queue delays the promise until there is room
   * (backpressure to the producer); without, a full queue answers `backpressure` at once.
   */
  offer(machineId: string, body: unknown, source: TelemetrySource, options: { readonly wait?: boolean; readonly org?: string } = {}): Promise<OfferResult> {
    if (this.queued() >= this.maxQueue) {
      if (!options.wait) {
        this.stats.received++;
        return Promise.resolve(this.reject('backpressure', `ingest queue full (${this.queued()} messages, limit ${this.maxQueue})`));
      }
      return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => this.offer(machineId, body, source, options));
    }
    return new Promise<OfferResult>((resolve) => {
      this.queue.push({ machineId, body, source, org: options.org, resolve });
      this.stats.queued = this.queued();
      if (this.stats.queued > this.stats.maxQueued) this.stats.maxQueued = this.stats.queued;
      this.scheduleDrain();
    });
  }

  /** Messages waiting in the queue. */
  queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** Resolves when the queue is empty. */
  async drained(): Promise<void> {
    while (this.queued() > 0) await new Promise((r) => setImmediate(r));
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    const end = Math.min(this.queue.length, this.queueHead + 512);
    for (; this.queueHead < end; this.queueHead++) {
      const p = this.queue[this.queueHead]!;
      let r: OfferResult;
      try {
        r = this.ingest(p.machineId, p.body, p.source, p.org);
      } catch (e) {
        r = this.reject('schema', e instanceof Error ? e.message : String(e));
      }
      p.resolve(r);
    }
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    this.stats.queued = this.queued();
    while (this.waiters.length && this.queued() < this.maxQueue) this.waiters.shift()!();
    this.draining = false;
    if (this.queued() > 0) this.scheduleDrain();
  }

  /** Current estimate. @throws UNKNOWN_MACHINE */
  estimate(machineId: string): TwinEstimate {
    return this.machine(machineId).twin.estimate();
  }

  /** Downsampled history in [from, to). @throws UNKNOWN_MACHINE, INVALID_RANGE */
  history(machineId: string, from: number, to: number, points = 200): HistoryPoint[] {
    const e = this.machine(machineId);
    if (!(to > from)) throw new TwinError('INVALID_RANGE', { reason: `'to' (${new Date(to).toISOString()}) must be after 'from' (${new Date(from).toISOString()})` });
    return e.history.query(from, to, points);
  }

  /** Anomaly episodes overlapping [from, to), newest first. @throws UNKNOWN_MACHINE */
  anomalies(machineId: string, from = Number.NEGATIVE_INFINITY, to = Number.POSITIVE_INFINITY, limit = 100): AnomalyEvent[] {
    return this.machine(machineId).anomalies
      .filter((a) => a.startedAt < to && (a.endedAt === null || a.endedAt >= from))
      .slice(-limit)
      .reverse()
      .map((a) => ({ ...a }));
  }

  /** The usage average RUL assumes. */
  assumedInput(machineId: string): OperatingInput {
    const u = this.machine(machineId).usage;
    return u.weight > 0 ? { load: u.load / u.weight, speed: u.speed / u.weight } : { load: 0, speed: 0 };
  }

  /** RUL and predicted downtime (cached until the next sample). @throws UNKNOWN_MACHINE */
  predictions(machineId: string, horizonHours = 24 * 14): TwinPredictions {
    const e = this.machine(machineId);
    const from = e.twin.lastTime ?? this.clock();
    const key = `${from}:${horizonHours}:${e.twin.counters.applied}:${e.twin.counters.reordered}`;
    const cached = this.predictionCache.get(machineId);
    if (cached && cached.key === key) return cached.value;
    const samples = this.options.predictionSamples ?? 256;
    const rul = remainingUsefulLife(e.model, e.twin.filter.x, e.twin.filter.p, from, this.assumedInput(machineId), horizonHours, { samples, seed: this.options.seed ?? 1, riskThreshold: this.options.riskThreshold ?? 0.1 });
    const downtime = rul.downtime;
    const value: TwinPredictions = { machineId, at: e.twin.lastTime, rul, downtime };
    this.predictionCache.set(machineId, { key, value });
    return value;
  }

  /** What-if a schedule runs on the machine. @throws UNKNOWN_MACHINE, INVALID_SCHEDULE */
  whatIf(machineId: string, operations: readonly OperationSegment[]): WhatIfResult {
    const e = this.machine(machineId);
    const from = e.twin.lastTime ?? this.clock();
    return whatIf(e.model, e.twin.filter.x, e.twin.filter.p, from, operations, { samples: this.options.predictionSamples ?? 256, seed: this.options.seed ?? 1, riskThreshold: this.options.riskThreshold ?? 0.1 });
  }

  /** Checkpoints of every twin (with owner and usage), to persist across restarts. */
  checkpoints(): TwinServiceCheckpoint[] {
    return [...this.machines.values()].map((e) => ({ machineId: e.machineId, ownerMsp: e.ownerMsp, model: e.model.id, usage: { ...e.usage }, twin: e.twin.checkpoint() }));
  }

  /**
   * Register the machines of saved checkpoints and continue their twins from them.
   * @throws UNKNOWN_MODEL, MACHINE_EXISTS, INVALID_MODEL_PARAMETER
   */
  restore(saved: readonly TwinServiceCheckpoint[]): void {
    for (const c of saved) {
      const e = this.register(c.machineId, c.model, c.ownerMsp);
      e.twin.restore(c.twin);
      Object.assign(e.usage, c.usage);
    }
  }

  /** Predicted downtime of every machine (for the scheduler: see `withPredictedDowntime`). */
  downtimeByMachine(horizonHours = 24 * 14): Map<string, readonly DowntimeWindow[]> {
    return new Map(this.machineIds().map((id) => [id, this.predictions(id, horizonHours).downtime]));
  }
}
