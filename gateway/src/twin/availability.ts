/**
 * Predicted downtime → scheduler input. The scheduler (`../scheduling`) works in its own time
 * unit from an origin chosen by the caller; a machine's `unavailable` windows are half-open
 * `[start, end)` intervals in that unit. This turns twin-predicted maintenance windows
 * (ms since the epoch) into those intervals, rounding outwards so the machine is never planned
 * into a predicted stop.
 */
import type { MachineSpec, TimeWindow } from '../scheduling/model';
import type { DowntimeWindow } from './rul';

/** How scheduler time maps to wall-clock time. */
export interface SchedulerClock {
  /** Wall-clock time of scheduler time 0, ms since the epoch. */
  readonly originMs: number;
  /** Milliseconds per scheduler time unit (e.g. 60 000 for minutes). */
  readonly unitMs: number;
  /** Windows ending after this scheduler time are clipped to it (default: not clipped). */
  readonly horizon?: number;
}

/** Downtime windows as scheduler unavailability: outward-rounded, clipped to [0, horizon), merged, sorted. */
export function downtimeToUnavailability(windows: readonly DowntimeWindow[], clock: SchedulerClock): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (const w of windows) {
    let start = Math.max(0, Math.floor((w.start - clock.originMs) / clock.unitMs));
    let end = Math.ceil((w.end - clock.originMs) / clock.unitMs);
    if (clock.horizon !== undefined) end = Math.min(end, clock.horizon);
    if (end <= start) continue;
    start = Math.max(0, start);
    out.push({ start, end });
  }
  out.sort((a, b) => a.start - b.start);
  const merged: TimeWindow[] = [];
  for (const w of out) {
    const last = merged[merged.length - 1];
    if (last && w.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, w.end) };
    else merged.push(w);
  }
  return merged;
}

/** The machines with predicted downtime added to their `unavailable` windows (others unchanged). */
export function withPredictedDowntime(machines: readonly MachineSpec[], downtime: ReadonlyMap<string, readonly DowntimeWindow[]>, clock: SchedulerClock): MachineSpec[] {
  return machines.map((m) => {
    const extra = downtimeToUnavailability(downtime.get(m.id) ?? [], clock);
    if (extra.length === 0) return m;
    return { ...m, unavailable: [...(m.unavailable ?? []), ...extra] };
  });
}
