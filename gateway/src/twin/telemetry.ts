/**
 * Telemetry messages as machines (or edge agents) send them, validated with zod. One JSON
 * sample per MQTT message on `forgetrace/{org}/{machine}/telemetry`, or `{ "samples": [...] }`
 * (MQTT or `POST /v1/machines/{id}/telemetry`).
 *
 * ```json
 * { "seq": 1042, "t": "2026-11-28T10:15:02.120Z", "u": { "load": 0.62, "speed": 0.8 },
 *   "y": { "temperature": 41.27, "vibration": 1.322, "power": null } }
 * ```
 * `t` is ISO 8601 with an offset, or ms since the epoch; `y` names the model's measurement
 * channels (absent or null = missing); `seq` is the device's message counter (duplicates are
 * recognised by it).
 */
import { z } from 'zod';
import type { TwinModel } from './model';
import type { TwinSample } from './machine-twin';

/** Most samples in one batch message. */
export const MAX_BATCH = 1000;

/** MQTT topic of a machine's telemetry. */
export const telemetryTopic = (org: string, machineId: string): string => `forgetrace/${org}/${machineId}/telemetry`;

/** Subscription filter of all telemetry. */
export const TELEMETRY_FILTER = 'forgetrace/+/+/telemetry';

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Parse a telemetry topic; undefined when it is not one. */
export function parseTelemetryTopic(topic: string): { org: string; machineId: string } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'forgetrace' || parts[3] !== 'telemetry') return undefined;
  const [, org, machineId] = parts as [string, string, string, string];
  if (!ID.test(org) || !ID.test(machineId)) return undefined;
  return { org, machineId };
}

const input = z.strictObject({ load: z.number().min(0).max(1.5), speed: z.number().min(0).max(1.5) });

/** One sample on the wire. */
export const telemetrySampleSchema = z.strictObject({
  seq: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  t: z.union([z.iso.datetime({ offset: true }), z.int().min(0).max(8.64e15)]),
  u: input,
  y: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,47}$/), z.number().finite().nullable()).refine((r) => Object.keys(r).length <= 32, 'at most 32 channels'),
});

/** A batch on the wire. */
export const telemetryBatchSchema = z.strictObject({ samples: z.array(telemetrySampleSchema).min(1).max(MAX_BATCH) });

/** A wire sample. */
export type TelemetrySample = z.infer<typeof telemetrySampleSchema>;

/** Why a message was rejected (metric label). */
export type RejectReason = 'json' | 'schema' | 'channel' | 'unknown-machine' | 'wrong-org' | 'clock' | 'topic' | 'backpressure';

/** Result of decoding: samples in the twin's form, or why not. */
export type Decoded = { readonly ok: true; readonly samples: readonly TwinSample[] } | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

/** Time of a wire sample in ms since the epoch. */
export function sampleTime(t: string | number): number {
  return typeof t === 'number' ? t : Date.parse(t);
}

/** Decode and validate a message body (Buffer, string or parsed JSON) against a model's channels. */
export function decodeTelemetry(body: unknown, model: TwinModel): Decoded {
  let value = body;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      return { ok: false, reason: 'json', detail: `not JSON: ${(e as Error).message}` };
    }
  }
  const list = typeof value === 'object' && value !== null && 'samples' in value ? telemetryBatchSchema.safeParse(value) : telemetrySampleSchema.safeParse(value);
  if (!list.success) {
    const issue = list.error.issues[0]!;
    return { ok: false, reason: 'schema', detail: `${issue.path.join('.') || '(message)'}: ${issue.message}` };
  }
  const wire: readonly TelemetrySample[] = 'samples' in list.data ? list.data.samples : [list.data as TelemetrySample];
  const names = model.measurementNames;
  const samples: TwinSample[] = [];
  for (const s of wire) {
    for (const k of Object.keys(s.y)) {
      if (!names.includes(k)) return { ok: false, reason: 'channel', detail: `unknown channel ${k} for model ${model.id} (channels: ${names.join(', ')})` };
    }
    samples.push({ t: sampleTime(s.t), seq: s.seq, u: s.u, y: names.map((n) => s.y[n] ?? null) });
  }
  return { ok: true, samples };
}

/** Encode a twin sample for the wire (the simulator and the edge agent publish this). */
export function encodeTelemetry(sample: TwinSample, model: TwinModel): TelemetrySample {
  const y: Record<string, number | null> = {};
  model.measurementNames.forEach((n, i) => {
    const v = sample.y[i];
    y[n] = v === undefined || v === null || !Number.isFinite(v) ? null : v;
  });
  return { seq: sample.seq ?? 0, t: new Date(sample.t).toISOString(), u: { load: sample.u.load, speed: sample.u.speed }, y };
}
