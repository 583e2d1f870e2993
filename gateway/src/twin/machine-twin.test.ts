import { expect } from 'chai';
import { AnomalyDetector } from './anomaly';
import { MachineTwin, type TwinSample } from './machine-twin';
import { TwinError } from './errors';
import { amPrinterModel, cncSpindleModel } from './models';
import { MachineSimulator } from './simulator';

function samples(count: number, seed = 1): TwinSample[] {
  const sim = new MachineSimulator({ machineId: 'M', model: cncSpindleModel(), seed, start: Date.UTC(2026, 2, 1) });
  return Array.from({ length: count }, () => {
    const s = sim.next();
    return { t: s.t, seq: s.seq, u: s.u, y: s.yRaw };
  });
}

describe('twin: machine twin input handling', () => {
  it('re-filters late samples exactly: shuffled within the window gives the in-order posterior', () => {
    const data = samples(400);
    const inOrder = new MachineTwin('M', cncSpindleModel());
    for (const s of data) inOrder.ingest(s);
    // swap neighbours and move some samples up to 20 places later
    const shuffled = [...data];
    for (let i = 0; i + 21 < shuffled.length; i += 37) {
      const [s] = shuffled.splice(i, 1);
      shuffled.splice(i + 20, 0, s!);
    }
    for (let i = 5; i + 1 < shuffled.length; i += 11) [shuffled[i], shuffled[i + 1]] = [shuffled[i + 1]!, shuffled[i]!];
    const twin = new MachineTwin('M', cncSpindleModel());
    const statuses = shuffled.map((s) => twin.ingest(s).status);
    expect(statuses).to.include('reordered');
    expect(twin.counters.reordered).to.be.greaterThan(10);
    expect(twin.counters.applied + twin.counters.reordered).to.equal(400);
    for (let i = 0; i < 4; i++) expect(twin.filter.x[i]).to.be.closeTo(inOrder.filter.x[i]!, 1e-9 * Math.max(1, Math.abs(inOrder.filter.x[i]!)));
    for (let i = 0; i < 16; i++) expect(twin.filter.p[i]).to.be.closeTo(inOrder.filter.p[i]!, 1e-12 + 1e-9 * Math.abs(inOrder.filter.p[i]!));
  });

  it('ignores duplicates (by sequence number, or by identical content without one) and counts them', () => {
    const data = samples(50);
    const twin = new MachineTwin('M', cncSpindleModel());
    const ref = new MachineTwin('M', cncSpindleModel());
    for (const s of data) {
      ref.ingest(s);
      twin.ingest(s);
      expect(twin.ingest(s).status).to.equal('duplicate');
    }
    const old = data[45]!;
    expect(twin.ingest(old).status).to.equal('duplicate');
    const { seq: _seq, ...noSeq } = data[49]!;
    void _seq;
    expect(twin.ingest(noSeq).status).to.equal('duplicate');
    expect(twin.counters.duplicates).to.equal(52);
    expect(Array.from(twin.filter.x)).to.deep.equal(Array.from(ref.filter.x));
    // same time, different sequence number: a second reading, filtered
    expect(twin.ingest({ ...data[49]!, seq: 999 }).status).to.equal('applied');
  });

  it('drops samples older than the re-ordering window and counts them as late', () => {
    const data = samples(100);
    const twin = new MachineTwin('M', cncSpindleModel(), { reorderDepth: 16 });
    for (const s of data.slice(1)) twin.ingest(s);
    const before = Array.from(twin.filter.x);
    expect(twin.ingest(data[0]!).status).to.equal('late');
    expect(twin.counters.late).to.equal(1);
    expect(Array.from(twin.filter.x)).to.deep.equal(before);
  });

  it('keeps the wear re-learning boost of a raised alarm through later re-filtering', () => {
    const data = samples(400, 3).map((s, i) => (i >= 300 ? { ...s, y: s.y.map((v, c) => (c === 2 && v !== null ? v + 3 : v)) } : s));
    const twin = new MachineTwin('M', cncSpindleModel());
    const wearVar = () => twin.filter.p[2 * 4 + 2]!;
    let raisedAt = -1;
    for (let i = 0; i < 400 && raisedAt < 0; i++) {
      if (i === 340) continue; // held back: arrives late, after the alarm
      if (twin.ingest(data[i]!).raised) raisedAt = i;
    }
    expect(raisedAt).to.be.within(300, 339);
    expect(wearVar()).to.be.greaterThan(0.5 * 0.05 ** 2);
    for (let i = raisedAt + 1; i < raisedAt + 3; i++) twin.ingest(data[i]!);
    const before = wearVar();
    expect(twin.ingest(data[raisedAt - 1]!).status).to.equal('duplicate');
    const late = { ...data[raisedAt]!, seq: 10_000, t: data[raisedAt]!.t - 1 };
    expect(twin.ingest(late).status).to.equal('reordered');
    expect(wearVar()).to.be.greaterThan(0.2 * before);
  });

  it('continues from a checkpoint exactly as the original twin does', () => {
    const data = samples(400, 5);
    const a = new MachineTwin('M', cncSpindleModel());
    for (const s of data.slice(0, 200)) a.ingest(s);
    const saved = JSON.parse(JSON.stringify(a.checkpoint())) as ReturnType<MachineTwin['checkpoint']>;
    const b = new MachineTwin('M', cncSpindleModel());
    b.restore(saved);
    expect(b.lastTime).to.equal(data[199]!.t);
    expect(b.ingest(data[199]!).status).to.equal('duplicate');
    expect(b.ingest(data[150]!).status).to.equal('late');
    for (const s of data.slice(200)) {
      a.ingest(s);
      b.ingest(s);
    }
    expect(Array.from(b.filter.x)).to.deep.equal(Array.from(a.filter.x));
    expect(Array.from(b.filter.p)).to.deep.equal(Array.from(a.filter.p));
    expect(() => new MachineTwin('P', amPrinterModel()).restore(saved)).to.throw(TwinError).with.property('code', 'INVALID_MODEL_PARAMETER');
  });

  it('handles irregular sampling and missing channels', () => {
    const data = samples(300);
    const twin = new MachineTwin('M', cncSpindleModel());
    data.forEach((s, i) => {
      if (i % 3 === 0) return; // a third of the samples never arrive: gaps of 4 s
      twin.ingest(i % 7 === 0 ? { ...s, y: [null, s.y[1]!, null] } : s);
    });
    const e = twin.estimate();
    expect(twin.counters.missingChannels).to.be.greaterThan(20);
    expect(e.at).to.equal(data[299]!.t);
    expect(e.states.every((st) => Number.isFinite(st.mean) && st.std > 0)).to.equal(true);
    expect(e.healthIndex).to.be.within(0, 1);
  });
});

describe('twin: anomaly detector rules', () => {
  const z0 = [0, 0, 0];
  const raw = (i: number) => [i, -i, i * 2];
  it('needs persistence: one outlier does not raise, three in six do', () => {
    const d = new AnomalyDetector(['a', 'b', 'c'], { warmup: 0, clearAfter: 5 });
    const big = d.threshold(3) * 2;
    expect(d.push(1, big, 3, z0, raw(1), true).raised).to.equal(null);
    for (let i = 2; i < 10; i++) expect(d.push(i, 1, 3, z0, raw(i), true).raised).to.equal(null);
    d.push(10, big, 3, z0, raw(10), true);
    d.push(11, 1, 3, z0, raw(11), true);
    d.push(12, big, 3, z0, raw(12), true);
    const step = d.push(13, big, 3, z0, raw(13), true);
    expect(step.raised?.reason).to.equal('innovation');
    expect(step.raised?.startedAt).to.equal(13);
    let cleared = null;
    for (let i = 14; i < 30 && !cleared; i++) cleared = d.push(i, 1, 3, z0, raw(i), true).cleared;
    expect(cleared?.endedAt).to.be.a('number');
  });
  it('flags a stuck channel only while operating, and a drifting one by CUSUM', () => {
    const d = new AnomalyDetector(['a', 'b', 'c'], { warmup: 0, flatlineSamples: 10 });
    for (let i = 0; i < 30; i++) expect(d.push(i, 1, 3, z0, [5, -i, i], false).raised).to.equal(null);
    let r = null;
    for (let i = 30; i < 45 && !r; i++) r = d.push(i, 1, 3, z0, [5, -i, i], true).raised;
    expect(r?.reason).to.equal('stuck');
    expect(r?.channel).to.equal('a');
    const e = new AnomalyDetector(['a', 'b', 'c'], { warmup: 0 });
    let s = null;
    for (let i = 0; i < 100 && !s; i++) s = e.push(i, 2, 3, [0, 1.5, 0], raw(i), true).raised;
    expect(s?.reason).to.equal('drift');
    expect(s?.channel).to.equal('b');
  });
});
