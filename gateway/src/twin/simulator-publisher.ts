/**
 * Publishes simulated machines' telemetry (with ground truth kept locally) to a gateway, over
 * MQTT (`forgetrace/{org}/{machine}/telemetry`, QoS 1) or HTTP batches — for demos and load.
 * Paced in simulated time: `speedup` simulated seconds per wall-clock second (0 = as fast as possible).
 *
 * CLI: node gateway/dist/twin/simulator-publisher.js --org Org1MSP --machines DE-MILL-01:cnc-spindle,IT-SLM-01:am-printer
 *        [--mqtt mqtt://127.0.0.1:1883 | --http http://127.0.0.1:3000 --api-key KEY] [--minutes 60] [--speedup 60]
 *        [--fault DE-MILL-01:step:0:20:8]   (machine:kind:channel:onsetMinutes:magnitude, 30 min long)
 */
import { connectMqtt } from './mqtt-ingest';
import { modelById } from './models';
import { MachineSimulator, type FaultKind, type FaultSpec, type SimulatedSample } from './simulator';
import { encodeTelemetry, telemetryTopic } from './telemetry';

/** Options of {@link publishSimulation}. */
export interface PublishOptions {
  readonly org: string;
  readonly machines: readonly { readonly machineId: string; readonly model: string; readonly faults?: readonly FaultSpec[] }[];
  readonly target: { readonly mqtt: string } | { readonly http: string; readonly apiKey: string };
  /** Simulated minutes (default 60); the run starts that long ago (default `start`), so it ends now. */
  readonly minutes?: number;
  /** Simulated seconds per real second (default 60; 0 = unpaced). */
  readonly speedup?: number;
  readonly seed?: number;
  readonly start?: number;
  readonly intervalMs?: number;
  /** Ground truth of every sample, for the caller to keep. */
  readonly onTruth?: (s: SimulatedSample) => void;
}

/** Run the simulation and publish it; resolves with the number of messages sent. */
export async function publishSimulation(o: PublishOptions): Promise<number> {
  const start = o.start ?? Date.now() - (o.minutes ?? 60) * 60_000;
  const end = start + (o.minutes ?? 60) * 60_000;
  const sims = o.machines.map((m, k) => ({ m, model: modelById(m.model), sim: new MachineSimulator({ machineId: m.machineId, model: modelById(m.model), seed: (o.seed ?? 1) + k, start, intervalMs: o.intervalMs ?? 2000, faults: m.faults ?? [] }) }));
  const speedup = o.speedup ?? 60;
  const t0 = Date.now();
  let sent = 0;
  const mqtt = 'mqtt' in o.target ? await connectMqtt(o.target.mqtt, { clientId: `ft-sim-${process.pid}` }) : null;
  try {
    const next = sims.map((s) => s.sim.next());
    while (next.some((s) => s.t < end)) {
      const batch: Promise<void>[] = [];
      const http: Record<string, unknown[]> = {};
      for (let k = 0; k < sims.length; k++) {
        const s = next[k]!;
        if (s.t >= end) continue;
        o.onTruth?.(s);
        for (const msg of s.delivered) {
          const wire = encodeTelemetry(msg, sims[k]!.model);
          if (mqtt) batch.push(new Promise((resolve, reject) => mqtt.publish(telemetryTopic(o.org, s.machineId), JSON.stringify(wire), { qos: 1 }, (e) => (e ? reject(e) : resolve()))));
          else (http[s.machineId] ??= []).push(wire);
          sent++;
        }
        next[k] = sims[k]!.sim.next();
      }
      if (!mqtt && 'http' in o.target) {
        const target = o.target;
        for (const [machineId, samples] of Object.entries(http)) {
          batch.push(fetch(`${target.http}/v1/machines/${machineId}/telemetry`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-API-Key': target.apiKey }, body: JSON.stringify({ samples }) }).then(async (r) => {
            if (r.status !== 202) throw new Error(`gateway answered ${r.status}: ${await r.text()}`);
          }));
        }
      }
      await Promise.all(batch);
      if (speedup > 0) {
        const simElapsed = Math.min(...next.map((s) => s.t)) - start;
        const wait = simElapsed / speedup - (Date.now() - t0);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }
  } finally {
    if (mqtt) await new Promise<void>((r) => mqtt.end(false, {}, () => r()));
  }
  return sent;
}

function parseArgs(argv: readonly string[]): PublishOptions {
  const opt = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const org = opt('--org') ?? 'Org1MSP';
  const start = Date.now() - Number(opt('--minutes') ?? 60) * 60_000;
  const faults = argv.flatMap((a, i) => (a === '--fault' && argv[i + 1] ? [argv[i + 1]!] : [])).map((f) => {
    const [machineId, kind, channel, onset, magnitude] = f.split(':');
    return { machineId: machineId!, spec: { kind: kind as FaultKind, channel: Number(channel), start: start + Number(onset) * 60_000, duration: 30 * 60_000, magnitude: Number(magnitude) } };
  });
  const machines = (opt('--machines') ?? 'DE-MILL-01:cnc-spindle').split(',').map((s) => {
    const [machineId, model] = s.split(':');
    return { machineId: machineId!, model: model ?? 'cnc-spindle', faults: faults.filter((f) => f.machineId === machineId).map((f) => f.spec) };
  });
  const http = opt('--http');
  return {
    org, machines, start,
    target: http ? { http, apiKey: opt('--api-key') ?? '' } : { mqtt: opt('--mqtt') ?? 'mqtt://127.0.0.1:1883' },
    minutes: Number(opt('--minutes') ?? 60),
    speedup: Number(opt('--speedup') ?? 60),
  };
}

if (require.main === module) {
  publishSimulation(parseArgs(process.argv.slice(2))).then(
    (n) => console.log(`published ${n} messages`),
    (e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exit(1); },
  );
}
