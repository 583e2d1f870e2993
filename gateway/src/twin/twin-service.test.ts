import { expect } from 'chai';
import { TwinError } from './errors';
import { HistoryRing } from './history';
import { cncSpindleModel } from './models';
import { MachineSimulator } from './simulator';
import { encodeTelemetry, parseTelemetryTopic, telemetryTopic } from './telemetry';
import { TwinService } from './twin-service';

const T0 = Date.UTC(2026, 5, 1);

function wire(count: number, seed = 1): object[] {
  const model = cncSpindleModel();
  const sim = new MachineSimulator({ machineId: 'M-1', model, seed, start: T0 });
  return Array.from({ length: count }, () => {
    const s = sim.next();
    return encodeTelemetry({ t: s.t, seq: s.seq, u: s.u, y: s.yRaw }, model);
  });
}

describe('twin: service and telemetry validation', () => {
  it('parses only well-formed telemetry topics', () => {
    expect(parseTelemetryTopic(telemetryTopic('Org1MSP', 'DE-MILL-01'))).to.deep.equal({ org: 'Org1MSP', machineId: 'DE-MILL-01' });
    for (const t of ['forgetrace/Org1MSP/DE-MILL-01', 'forgetrace/Org1MSP/DE-MILL-01/status', 'other/Org1MSP/M/telemetry', 'forgetrace/+/M/telemetry', 'forgetrace//M/telemetry', 'forgetrace/a/b/c/telemetry']) {
      expect(parseTelemetryTopic(t), t).to.equal(undefined);
    }
  });

  it('registers twins once per model and owner', () => {
    const s = new TwinService();
    s.register('M-1', 'cnc-spindle', 'Org1MSP');
    expect(s.register('M-1', 'cnc-spindle', 'Org1MSP').machineId).to.equal('M-1');
    expect(() => s.register('M-1', 'am-printer', 'Org1MSP')).to.throw(TwinError).with.property('code', 'MACHINE_EXISTS');
    expect(() => s.register('M-2', 'lathe', 'Org1MSP')).to.throw(TwinError).with.property('code', 'UNKNOWN_MODEL');
    expect(() => s.estimate('M-9')).to.throw(TwinError).with.property('code', 'UNKNOWN_MACHINE');
  });

  it('rejects and counts malformed, misaddressed and mis-dated messages without touching the twin', () => {
    const s = new TwinService({ clock: () => T0 + 86_400_000 });
    s.register('M-1', 'cnc-spindle', 'Org1MSP');
    const good = wire(1)[0] as { seq: number; t: string; u: object; y: Record<string, number> };
    const cases: [unknown, string, string | undefined][] = [
      [Buffer.from('{not json'), 'json', undefined],
      ['[]', 'schema', undefined],
      [{ ...good, extra: 1 }, 'schema', undefined],
      [{ ...good, u: { load: 3, speed: 0.5 } }, 'schema', undefined],
      [{ ...good, t: 'yesterday' }, 'schema', undefined],
      [{ ...good, y: { temperature: 'hot' } }, 'schema', undefined],
      [{ ...good, y: { spindleTorque: 1 } }, 'channel', undefined],
      [{ ...good, t: new Date(T0 + 2 * 86_400_000).toISOString() }, 'clock', undefined],
      [good, 'wrong-org', 'Org2MSP'],
    ];
    for (const [body, reason, org] of cases) {
      const r = s.ingest('M-1', body, 'mqtt', org);
      expect(r.accepted, reason).to.equal(false);
      expect(r.reason).to.equal(reason);
      expect(r.detail).to.be.a('string').and.not.equal('');
    }
    expect(s.ingest('M-404', good, 'mqtt').reason).to.equal('unknown-machine');
    expect(s.stats.rejected).to.deep.equal({ json: 1, schema: 5, channel: 1, clock: 1, 'wrong-org': 1, 'unknown-machine': 1 });
    expect(s.estimate('M-1').at).to.equal(null);
    const ok = s.ingest('M-1', JSON.stringify(good), 'mqtt', 'Org1MSP');
    expect(ok).to.deep.equal({ accepted: true, filtered: 1, duplicates: 0, late: 0 });
    // a missing channel is null or absent
    const partial = s.ingest('M-1', { ...good, seq: good.seq + 1, t: new Date(Date.parse(good.t) + 2000).toISOString(), y: { temperature: 30 } }, 'http');
    expect(partial.filtered).to.equal(1);
    expect(s.estimate('M-1').counters.missingChannels).to.equal(2);
  });

  it('bounds its queue: without waiting a full queue refuses, with waiting the producer is held back', async () => {
    const s = new TwinService({ clock: () => T0 + 86_400_000, maxQueue: 100 });
    s.register('M-1', 'cnc-spindle', 'Org1MSP');
    const msgs = wire(400);
    const pending = msgs.slice(0, 100).map((m) => s.offer('M-1', m, 'http'));
    const refused = await s.offer('M-1', msgs[100], 'http');
    expect(refused).to.include({ accepted: false, reason: 'backpressure' });
    expect(s.queued()).to.equal(100);
    let released = 0;
    const waiting = msgs.slice(100).map((m) => s.offer('M-1', m, 'mqtt', { wait: true }).then((r) => { released++; return r; }));
    expect(s.queued()).to.equal(100);
    expect(released).to.equal(0);
    const results = await Promise.all([...pending, ...waiting]);
    expect(results.every((r) => r.accepted)).to.equal(true);
    expect(s.stats.maxQueued).to.equal(100);
    expect(s.estimate('M-1').counters.applied).to.equal(400);
    expect(s.stats.rejected.backpressure).to.equal(1);
  });

  it('keeps a bounded, downsampled history', () => {
    const ring = new HistoryRing(['a'], ['y'], 1000, 10);
    for (let t = 0; t < 30_000; t += 100) ring.add(t, [t / 1000], [4], [t % 2000 === 0 ? Number.NaN : 1], t === 25_000);
    const all = ring.query(0, 1e9, 100);
    expect(all).to.have.length(10); // only the last 10 buckets survive
    expect(all[0]!.t).to.equal(20_000);
    expect(all[0]!.samples).to.equal(10);
    expect(all[0]!.states.a).to.be.closeTo(20.45, 1e-9);
    expect(all[0]!.std.a).to.equal(2);
    expect(all[5]!.anomaly).to.equal(true);
    expect(all[4]!.anomaly).to.equal(false);
    const merged = ring.query(0, 1e9, 3);
    expect(merged).to.have.length(3);
    expect(merged.reduce((a, p) => a + p.samples, 0)).to.equal(100);
    ring.add(1000, [1], [1], [1], false); // too old for the ring: ignored
    expect(ring.query(0, 1e9, 100).reduce((a, p) => a + p.samples, 0)).to.equal(100);
  });
});
