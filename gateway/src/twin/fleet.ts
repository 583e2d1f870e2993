/**
 * A simulated fleet scored against its ground truth: machines of every built-in type run a
 * random day-like schedule through {@link MachineSimulator} (with network effects and injected
 * faults) into their {@link MachineTwin}s. Used by `npm run bench:twin` and by the tests.
 */
import { Rng } from '../common/rng';
import { scoreDetections, RmseAccumulator, type AlarmRecord, type DetectionScore, type FaultWindow } from './evaluation';
import { MachineTwin, type MachineTwinOptions } from './machine-twin';
import type { TwinModel } from './model';
import { amPrinterModel, cncSpindleModel } from './models';
import { FAULT_KINDS, MachineSimulator, type DeliveryOptions, type FaultKind, type FaultSpec } from './simulator';

/** Default fault sizes: sensor faults in σ of the channel (drift: σ per minute), wear jumps in the model's wear unit. */
export const DEFAULT_FAULT_SIZES: FaultSizes = Object.freeze({ drift: 0.5, step: 4, stuck: 0, wearCnc: 0.06, wearPrinter: 0.1 });

/** Sizes of injected faults. */
export interface FaultSizes {
  /** Sensor drift, σ per minute. */
  readonly drift: number;
  /** Sensor step, σ. */
  readonly step: number;
  /** Unused (a stuck sensor has no size). */
  readonly stuck: number;
  /** CNC tool wear jump, mm. */
  readonly wearCnc: number;
  /** Printer clogging jump, fraction. */
  readonly wearPrinter: number;
}

/** Options of {@link runFleet}. */
export interface FleetOptions {
  readonly machines: number;
  /** Simulated hours per machine. */
  readonly hours: number;
  readonly seed: number;
  /** Sampling interval, ms (default 2000). */
  readonly intervalMs?: number;
  /** Fault kinds to inject, in turn (default all four); machines with index % 5 = 4 stay healthy. */
  readonly faultKinds?: readonly FaultKind[];
  /** Faults on every machine (no healthy fifth). */
  readonly faultEveryMachine?: boolean;
  readonly faultSizes?: Partial<FaultSizes>;
  /** Sensor-fault duration, ms (default 1 h). */
  readonly faultDurationMs?: number;
  /** After a fault ends, alarms within this time are still its (default 30 min: the sensor returning is a change too). */
  readonly graceMs?: number;
  readonly delivery?: DeliveryOptions;
  readonly twin?: MachineTwinOptions;
  /** Model ids to use in turn (default both built-ins). */
  readonly models?: readonly ('cnc-spindle' | 'am-printer')[];
  readonly start?: number;
}

/** Result of {@link runFleet}. */
export interface FleetResult {
  readonly machines: number;
  readonly machineDays: number;
  /** Messages ingested (including duplicates and late ones). */
  readonly messages: number;
  /** Filter updates (applied + reordered samples). */
  readonly updates: number;
  readonly detection: DetectionScore;
  readonly falseAlarmsPerMachineDay: number;
  readonly rmse: ReturnType<RmseAccumulator['result']>;
  readonly rmseByModel: Readonly<Record<string, ReturnType<RmseAccumulator['result']>>>;
  readonly faults: readonly FaultWindow[];
  readonly alarms: readonly (AlarmRecord & { readonly reason: string; readonly channel: string | null })[];
}

const MODEL_FACTORIES: Record<string, () => TwinModel> = { 'cnc-spindle': () => cncSpindleModel(), 'am-printer': () => amPrinterModel() };

/** Simulate and score a fleet (deterministic for a seed). */
export function runFleet(options: FleetOptions): FleetResult {
  const start = options.start ?? Date.UTC(2026, 0, 5);
  const rng = new Rng(options.seed);
  const sizes = { ...DEFAULT_FAULT_SIZES, ...options.faultSizes };
  const kinds = options.faultKinds ?? FAULT_KINDS;
  const models = options.models ?? ['cnc-spindle', 'am-printer'];
  const intervalMs = options.intervalMs ?? 2000;
  const durationMs = options.hours * 3_600_000;
  const faultDuration = options.faultDurationMs ?? 3_600_000;
  const grace = options.graceMs ?? 1_800_000;
  const faults: FaultWindow[] = [];
  const alarms: (AlarmRecord & { reason: string; channel: string | null })[] = [];
  const rmseByModel: Record<string, RmseAccumulator> = {};
  let messages = 0;
  let updates = 0;
  const warmupMs = 10 * 60_000;
  for (let k = 0; k < options.machines; k++) {
    const modelId = models[k % models.length]!;
    const model = MODEL_FACTORIES[modelId]!();
    const machineId = `SIM-${String(k).padStart(4, '0')}`;
    const specs: FaultSpec[] = [];
    if (kinds.length > 0 && (options.faultEveryMachine || k % 5 !== 4)) {
      const kind = kinds[Math.floor(k / models.length) % kinds.length]!;
      // onset after the first hour, leaving the fault window inside the run
      const latest = Math.max(3_600_000, durationMs - faultDuration - grace);
      const onset = start + 3_600_000 + Math.floor(rng.next() * Math.max(0, latest - 3_600_000));
      const channel = rng.int(model.measurementNames.length);
      const magnitude = kind === 'wear' ? (modelId === 'cnc-spindle' ? sizes.wearCnc : sizes.wearPrinter) : sizes[kind];
      specs.push({ kind, channel, start: onset, duration: faultDuration, magnitude });
      faults.push({ machineId, kind, start: onset, end: onset + faultDuration + (kind === 'wear' ? 0 : grace) });
    }
    const firstFault = specs.length ? specs[0]!.start : Number.POSITIVE_INFINITY;
    const sim = new MachineSimulator({ machineId, model, seed: rng.nextUint32(), start, intervalMs, faults: specs, ...(options.delivery ? { delivery: options.delivery } : {}) });
    const twin = new MachineTwin(machineId, model, options.twin);
    const acc = (rmseByModel[modelId] ??= new RmseAccumulator(model.measurementNames));
    const estimate = new Float64Array(model.measurementNames.length);
    const end = start + durationMs;
    for (;;) {
      const s = sim.next();
      if (s.t >= end) break;
      for (const msg of s.delivered) {
        messages++;
        const r = twin.ingest(msg);
        if (r.status === 'applied' || r.status === 'reordered') updates++;
        if (r.raised) alarms.push({ machineId, startedAt: r.raised.startedAt, reason: r.raised.reason, channel: r.raised.channel });
      }
      // score the estimate at the instant just filtered (when it arrived in order)
      if (s.t - start >= warmupMs && s.t < firstFault && twin.lastTime === s.t) {
        twin.filter.measurement(s.u, estimate);
        acc.add(s.yTrue, estimate, s.yRaw);
      }
    }
  }
  const perModel = Object.fromEntries(Object.entries(rmseByModel).map(([k, v]) => [k, v.result()]));
  const ratios = Object.values(perModel).map((r) => r.ratio);
  const detection = scoreDetections(faults, alarms);
  const machineDays = (options.machines * options.hours) / 24;
  return {
    machines: options.machines,
    machineDays,
    messages,
    updates,
    detection,
    falseAlarmsPerMachineDay: detection.falseAlarms / machineDays,
    rmse: { channels: Object.assign({}, ...Object.entries(perModel).map(([m, r]) => Object.fromEntries(Object.entries(r.channels).map(([c, v]) => [`${m}.${c}`, v])))) as Record<string, { estimate: number; raw: number; ratio: number }>, ratio: ratios.reduce((a, b) => a + b, 0) / ratios.length },
    rmseByModel: perModel,
    faults,
    alarms,
  };
}
