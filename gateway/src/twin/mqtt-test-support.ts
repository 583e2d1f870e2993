/**
 * Shared by the MQTT suites (`*.mqtttest.ts`): simulated telemetry as MQTT messages and a
 * wait-until helper. Not used by production code.
 */
import type { MqttClientLike } from './mqtt-ingest';
import { amPrinterModel, cncSpindleModel } from './models';
import { MachineSimulator } from './simulator';
import { encodeTelemetry, telemetryTopic } from './telemetry';

/** One message to publish and what it is. */
export interface TestMessage {
  readonly topic: string;
  readonly body: string;
  readonly machineId: string;
  readonly seq: number;
}

/** Messages of `machines` simulated machines in delivery order (with the network's duplicates and swaps). */
export function simulatedMessages(org: string, machineIds: readonly string[], perMachine: number, start: number, delivery = { duplicate: 0.02, swap: 0.02, drop: 0, missingChannel: 0.01 }): TestMessage[] {
  const out: TestMessage[] = [];
  machineIds.forEach((id, k) => {
    const model = k % 2 ? amPrinterModel() : cncSpindleModel();
    const sim = new MachineSimulator({ machineId: id, model, seed: 40 + k, start, delivery });
    for (let i = 0; i < perMachine; i++) {
      for (const m of sim.next().delivered) out.push({ topic: telemetryTopic(org, id), body: JSON.stringify(encodeTelemetry(m, model)), machineId: id, seq: m.seq! });
    }
  });
  return out;
}

/** Publish at QoS 1 and wait for every PUBACK. */
export async function publishAll(client: MqttClientLike, messages: readonly { topic: string; body: string }[]): Promise<void> {
  await Promise.all(messages.map((m) => new Promise<void>((resolve, reject) => client.publish(m.topic, m.body, { qos: 1 }, (e) => (e ? reject(e) : resolve())))));
}

/** Poll `predicate` every 20 ms until true or `timeoutMs` passes (then throw with `what`). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
