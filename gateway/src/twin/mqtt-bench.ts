/**
 * End-to-end MQTT ingest measurement: simulated machines publish QoS 1 telemetry through the
 * embedded broker into a {@link TwinService}; the rate is messages filtered per second from the
 * first publish until the last sample has been filtered. Used by `npm run bench:twin`.
 */
import { MqttIngest, connectMqtt, type MqttClientLike } from './mqtt-ingest';
import { amPrinterModel, cncSpindleModel } from './models';
import { MachineSimulator } from './simulator';
import { encodeTelemetry, telemetryTopic } from './telemetry';
import { TwinService } from './twin-service';

/** Result of {@link measureMqttIngest}. */
export interface MqttIngestMeasurement {
  readonly messages: number;
  readonly publishers: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  readonly rejected: number;
  readonly maxQueued: number;
}

/** Publish `machines × samplesPerMachine` samples from `publishers` connections and time the ingest. */
export async function measureMqttIngest(options: { readonly machines: number; readonly samplesPerMachine: number; readonly publishers?: number; readonly maxQueue?: number }): Promise<MqttIngestMeasurement> {
  const start = Date.UTC(2026, 0, 5);
  const service = new TwinService({ clock: () => start + 365 * 86_400_000, ...(options.maxQueue ? { maxQueue: options.maxQueue } : {}) });
  const payloads: { topic: string; body: string }[][] = [];
  for (let k = 0; k < options.machines; k++) {
    const model = k % 2 ? amPrinterModel() : cncSpindleModel();
    const id = `BENCH-${k}`;
    service.register(id, model.id, 'Org1MSP');
    const sim = new MachineSimulator({ machineId: id, model, seed: k + 1, start });
    const list: { topic: string; body: string }[] = [];
    for (let i = 0; i < options.samplesPerMachine; i++) {
      const s = sim.next();
      list.push({ topic: telemetryTopic('Org1MSP', id), body: JSON.stringify(encodeTelemetry({ t: s.t, seq: s.seq, u: s.u, y: s.yRaw }, model)) });
    }
    payloads.push(list);
  }
  const ingest = await MqttIngest.start({ mode: 'embedded', service, port: 0 });
  const publishers = options.publishers ?? Math.min(10, options.machines);
  const clients: MqttClientLike[] = [];
  try {
    for (let p = 0; p < publishers; p++) clients.push(await connectMqtt(ingest.url, { clientId: `bench-pub-${p}` }));
    const total = options.machines * options.samplesPerMachine;
    const t0 = process.hrtime.bigint();
    await Promise.all(clients.map(async (client, p) => {
      // each publisher owns machines p, p + publishers, …; samples go out in time order per machine
      const mine = payloads.filter((_, k) => k % publishers === p);
      for (let i = 0; i < options.samplesPerMachine; i++) {
        await Promise.all(mine.map((list) => new Promise<void>((resolve, reject) => {
          const m = list[i]!;
          client.publish(m.topic, m.body, { qos: 1 }, (e) => (e ? reject(e) : resolve()));
        })));
      }
    }));
    await service.drained();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { messages: total, publishers, seconds, messagesPerSecond: service.stats.samples / seconds, rejected: ingest.stats.rejected, maxQueued: service.stats.maxQueued };
  } finally {
    for (const c of clients) await new Promise<void>((resolve) => c.end(true, {}, () => resolve()));
    await ingest.close();
  }
}
