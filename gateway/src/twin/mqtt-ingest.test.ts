// The embedded (aedes) broker path, through real MQTT connections on 127.0.0.1.
import { expect } from 'chai';
import { MqttIngest, connectMqtt, type MqttClientLike } from './mqtt-ingest';
import { publishAll, simulatedMessages, waitFor } from './mqtt-test-support';
import { telemetryTopic } from './telemetry';
import { TwinService } from './twin-service';

describe('twin: MQTT ingestion through the embedded aedes broker', function () {
  this.timeout(60_000);
  const start = Date.UTC(2026, 6, 1);
  const clock = () => start + 30 * 86_400_000;
  let ingest: MqttIngest | undefined;
  const clients: MqttClientLike[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await new Promise<void>((r) => c.end(true, {}, () => r()));
    await ingest?.close();
    ingest = undefined;
  });

  it('filters QoS 1 telemetry, counting duplicates and rejecting malformed messages', async () => {
    const service = new TwinService({ clock });
    service.register('M-A', 'cnc-spindle', 'Org1MSP');
    service.register('M-B', 'am-printer', 'Org1MSP');
    service.register('M-C', 'cnc-spindle', 'Org2MSP');
    ingest = await MqttIngest.start({ mode: 'embedded', service, port: 0 });
    const pub = await connectMqtt(ingest.url, { clientId: 'machine-gw-1' });
    clients.push(pub);
    const msgs = simulatedMessages('Org1MSP', ['M-A', 'M-B'], 500, start);
    const distinct = new Set(msgs.map((m) => `${m.machineId}:${m.seq}`)).size;
    await publishAll(pub, msgs);
    const bad = [
      { topic: telemetryTopic('Org1MSP', 'M-A'), body: '{"seq": 1,' },
      { topic: telemetryTopic('Org1MSP', 'M-A'), body: JSON.stringify({ seq: 99_999, t: start, u: { load: 0, speed: 0 }, y: { torque: 1 } }) },
      { topic: telemetryTopic('Org1MSP', 'M-C'), body: JSON.stringify({ seq: 1, t: start, u: { load: 0, speed: 0 }, y: {} }) },
      { topic: telemetryTopic('Org1MSP', 'NOPE'), body: JSON.stringify({ seq: 1, t: start, u: { load: 0, speed: 0 }, y: {} }) },
      { topic: 'forgetrace/Org1MSP/M-A/status', body: 'ignored: not subscribed' },
    ];
    await publishAll(pub, bad);
    await waitFor(() => ingest!.stats.messages === msgs.length + 4 && service.queued() === 0, 'all messages handled');
    const a = service.estimate('M-A').counters;
    const b = service.estimate('M-B').counters;
    expect(a.applied + a.reordered + b.applied + b.reordered).to.equal(distinct);
    expect(a.duplicates + b.duplicates).to.equal(msgs.length - distinct);
    expect(a.reordered + b.reordered).to.be.greaterThan(0);
    expect(service.stats.rejected).to.deep.equal({ json: 1, channel: 1, 'wrong-org': 1, 'unknown-machine': 1 });
    expect(ingest.stats.rejected).to.equal(4);
  });

  it('holds publishers back instead of queueing without bound', async () => {
    const service = new TwinService({ clock, maxQueue: 8 });
    service.register('M-A', 'cnc-spindle', 'Org1MSP');
    ingest = await MqttIngest.start({ mode: 'embedded', service, port: 0 });
    const pub = await connectMqtt(ingest.url, { clientId: 'machine-gw-2' });
    clients.push(pub);
    const msgs = simulatedMessages('Org1MSP', ['M-A'], 3000, start, { duplicate: 0, swap: 0, drop: 0, missingChannel: 0 });
    await publishAll(pub, msgs);
    await waitFor(() => service.estimate('M-A').counters.applied === 3000, 'every sample filtered');
    expect(service.stats.maxQueued).to.be.at.most(8);
    expect(service.stats.rejected.backpressure ?? 0).to.equal(0);
  });

  it('authenticates publishers and lets each publish only for its own organisation', async () => {
    const service = new TwinService({ clock });
    service.register('M-A', 'cnc-spindle', 'Org1MSP');
    ingest = await MqttIngest.start({ mode: 'embedded', service, port: 0, credentials: { 'edge-1': { password: 's3cret-1', org: 'Org1MSP' } } });
    await connectMqtt(ingest.url, { clientId: 'anon', reconnectPeriod: 0 }).then(
      () => expect.fail('anonymous connect accepted'),
      (e: Error) => expect(e.message).to.match(/Not authorized|Bad username or password|refused/i),
    );
    const pub = await connectMqtt(ingest.url, { clientId: 'edge-1', username: 'edge-1', password: 's3cret-1' });
    clients.push(pub);
    await publishAll(pub, simulatedMessages('Org1MSP', ['M-A'], 20, start, { duplicate: 0, swap: 0, drop: 0, missingChannel: 0 }));
    await waitFor(() => service.estimate('M-A').counters.applied === 20, '20 samples');
    // publishing into another organisation's topic is refused by the broker (the sample never reaches the twin)
    pub.publish(telemetryTopic('Org2MSP', 'M-A'), '{}', { qos: 1 }, () => undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(ingest.stats.messages).to.equal(20);
  });
});
