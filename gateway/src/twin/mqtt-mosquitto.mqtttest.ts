// The external-broker path against a real Mosquitto (system package `mosquitto`), started per
// suite on 127.0.0.1 with a free port and a temporary configuration, stopped by its pid.
// Needs /usr/sbin/mosquitto and the npm package mqtt. Run:
//   npm run build && node node_modules/.bin/mocha --no-config --timeout 60000 'gateway/dist/twin/**/*.mqtttest.js'
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MqttIngest, connectMqtt, type MqttClientLike } from './mqtt-ingest';
import { publishAll, simulatedMessages, waitFor } from './mqtt-test-support';
import { telemetryTopic } from './telemetry';
import { TwinService } from './twin-service';
import { freePort } from '../common/testing/free-port';

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`mosquitto did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('twin: MQTT ingestion from an external Mosquitto broker', function () {
  this.timeout(60_000);
  let dir: string;
  let broker: ChildProcess;
  let url: string;
  const start = Date.UTC(2026, 7, 1);
  const clock = () => start + 30 * 86_400_000;
  const clients: MqttClientLike[] = [];

  before(async () => {
    if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing; install it with apt-get install -y mosquitto`);
    dir = mkdtempSync(join(tmpdir(), 'ft-mosquitto-'));
    const port = await freePort();
    writeFileSync(join(dir, 'mosquitto.conf'), [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 100000',
      'max_inflight_messages 20',
      'log_dest stderr',
      'log_type error',
    ].join('\n') + '\n');
    broker = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    url = `mqtt://127.0.0.1:${port}`;
    await waitForPort(port);
  });
  after(async () => {
    for (const c of clients.splice(0)) await new Promise<void>((r) => c.end(true, {}, () => r()));
    if (broker?.pid && broker.exitCode === null) {
      process.kill(broker.pid, 'SIGTERM');
      await new Promise((r) => broker.once('exit', r));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('filters telemetry from the broker, handles duplicates and out-of-order messages, rejects malformed ones', async () => {
    const service = new TwinService({ clock });
    service.register('M-A', 'cnc-spindle', 'Org1MSP');
    service.register('M-B', 'am-printer', 'Org1MSP');
    const ingest = await MqttIngest.start({ mode: 'external', url, clientId: 'ft-gateway-test-1', service });
    try {
      const pub = await connectMqtt(url, { clientId: 'machine-pub-1' });
      clients.push(pub);
      const msgs = simulatedMessages('Org1MSP', ['M-A', 'M-B'], 600, start);
      const distinct = new Set(msgs.map((m) => `${m.machineId}:${m.seq}`)).size;
      await publishAll(pub, msgs);
      await publishAll(pub, [
        { topic: telemetryTopic('Org1MSP', 'M-A'), body: 'not json' },
        { topic: telemetryTopic('Org1MSP', 'M-B'), body: JSON.stringify({ seq: 5, t: start, u: { load: 2, speed: 0 }, y: {} }) },
        { topic: telemetryTopic('Org2MSP', 'M-A'), body: JSON.stringify({ seq: 5, t: start, u: { load: 0, speed: 0 }, y: {} }) },
      ]);
      await waitFor(() => ingest.stats.messages === msgs.length + 3 && service.queued() === 0, 'all messages from Mosquitto');
      const a = service.estimate('M-A').counters;
      const b = service.estimate('M-B').counters;
      expect(a.applied + a.reordered + b.applied + b.reordered).to.equal(distinct);
      expect(a.duplicates + b.duplicates).to.equal(msgs.length - distinct);
      expect(a.reordered + b.reordered).to.be.greaterThan(0);
      expect(service.stats.rejected).to.deep.equal({ json: 1, schema: 1, 'wrong-org': 1 });
    } finally {
      await ingest.close();
    }
  });

  it('receives what was published while the gateway was down (persistent session, QoS 1)', async () => {
    const service = new TwinService({ clock });
    service.register('M-A', 'cnc-spindle', 'Org1MSP');
    let ingest = await MqttIngest.start({ mode: 'external', url, clientId: 'ft-gateway-test-2', service });
    const pub = await connectMqtt(url, { clientId: 'machine-pub-2' });
    clients.push(pub);
    const msgs = simulatedMessages('Org1MSP', ['M-A'], 1500, start + 86_400_000, { duplicate: 0, swap: 0, drop: 0, missingChannel: 0 });
    await publishAll(pub, msgs.slice(0, 500));
    await waitFor(() => service.estimate('M-A').counters.applied === 500, 'first 500 samples');
    await ingest.close(); // the gateway goes away; its session stays at the broker
    await publishAll(pub, msgs.slice(500, 1000));
    ingest = await MqttIngest.start({ mode: 'external', url, clientId: 'ft-gateway-test-2', service });
    try {
      await publishAll(pub, msgs.slice(1000));
      await waitFor(() => service.estimate('M-A').counters.applied === 1500, 'all 1500 samples after the restart');
      const c = service.estimate('M-A').counters;
      expect(c.late).to.equal(0);
      expect(c.reordered).to.equal(0);
    } finally {
      await ingest.close();
    }
  });

  it('applies backpressure: a small ingest queue never grows past its limit', async () => {
    const service = new TwinService({ clock, maxQueue: 4 });
    service.register('M-A', 'cnc-spindle', 'Org1MSP');
    const ingest = await MqttIngest.start({ mode: 'external', url, clientId: 'ft-gateway-test-3', service });
    try {
      const pub = await connectMqtt(url, { clientId: 'machine-pub-3' });
      clients.push(pub);
      const msgs = simulatedMessages('Org1MSP', ['M-A'], 3000, start + 2 * 86_400_000, { duplicate: 0, swap: 0, drop: 0, missingChannel: 0 });
      await publishAll(pub, msgs);
      await waitFor(() => service.estimate('M-A').counters.applied === 3000, '3000 samples');
      expect(service.stats.maxQueued).to.be.at.most(4);
    } finally {
      await ingest.close();
    }
  });
});
