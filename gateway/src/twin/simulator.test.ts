import { expect } from 'chai';
import { amPrinterModel, cncSpindleModel } from './models';
import { MachineSimulator, randomOperations } from './simulator';
import { Rng } from '../common/rng';

const T0 = Date.UTC(2026, 4, 1);

describe('twin: machine simulator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const run = (seed: number) => {
      const sim = new MachineSimulator({ machineId: 'M', model: amPrinterModel(), seed, start: T0, delivery: { drop: 0.05, duplicate: 0.05, swap: 0.05, missingChannel: 0.05 } });
      return Array.from({ length: 200 }, () => sim.next());
    };
    expect(run(3)).to.deep.equal(run(3));
    expect(run(3)).not.to.deep.equal(run(4));
  });

  it('delivers drops, duplicates, swaps and missing channels as configured', () => {
    const sim = new MachineSimulator({ machineId: 'M', model: cncSpindleModel(), seed: 9, start: T0, delivery: { drop: 0.1, duplicate: 0.1, swap: 0.1, missingChannel: 0.1 } });
    let delivered = 0;
    let missing = 0;
    let outOfOrder = 0;
    let last = 0;
    const seen = new Set<number>();
    let dups = 0;
    for (let i = 0; i < 2000; i++) {
      for (const m of sim.next().delivered) {
        delivered++;
        missing += m.y.filter((v) => v === null).length;
        if (m.t < last) outOfOrder++;
        last = Math.max(last, m.t);
        if (seen.has(m.seq!)) dups++;
        seen.add(m.seq!);
      }
    }
    expect(2000 - seen.size).to.be.within(120, 300); // ~10 % dropped
    expect(dups).to.be.within(100, 300);
    expect(outOfOrder).to.be.within(80, 300);
    expect(missing / (delivered * 3)).to.be.within(0.07, 0.13);
  });

  it('injects faults with ground truth: stuck repeats, step offsets, drift grows, wear jumps', () => {
    const model = cncSpindleModel();
    const start = T0 + 600_000;
    const ops = [{ start: T0, end: T0 + 86_400_000, load: 0.6, speed: 0.7 }];
    const base = { machineId: 'M', model, seed: 2, start: T0, operations: ops, jitterMs: 0 };
    const clean = new MachineSimulator(base);
    const faulty = new MachineSimulator({ ...base, faults: [
      { kind: 'stuck', channel: 0, start, duration: 120_000, magnitude: 0 },
      { kind: 'step', channel: 1, start, duration: 120_000, magnitude: 10 },
      { kind: 'drift', channel: 2, start, duration: 120_000, magnitude: 5 },
      { kind: 'wear', channel: 0, start, duration: 120_000, magnitude: 0.05 },
    ] });
    const stuck: number[] = [];
    for (let i = 0; i < 400; i++) {
      const a = clean.next();
      const b = faulty.next();
      if (b.t < start) {
        expect(b.yRaw).to.deep.equal(a.yRaw);
        expect(b.faults).to.deep.equal([]);
      } else if (b.t < start + 120_000) {
        expect(b.faults).to.have.members(['stuck', 'step', 'drift', 'wear']);
        stuck.push(b.yRaw[0]!);
        expect(b.x[2]! - a.x[2]!).to.be.closeTo(0.05, 1e-9);
        expect(b.yRaw[1]! - b.yTrue[1]!).to.be.greaterThan(10 * 0.15 - 5 * 0.15);
        const minutes = (b.t - start) / 60_000;
        expect(b.yRaw[2]! - b.yTrue[2]!).to.be.closeTo(5 * 0.2 * minutes, 1);
      } else {
        expect(b.faults).to.deep.equal([]); // the wear jump stays in the state; its detection window is over
        expect(b.x[2]! - a.x[2]!).to.be.closeTo(0.05, 1e-3);
        expect(b.yRaw[0]).not.to.equal(stuck[0]);
      }
    }
    expect(new Set(stuck).size).to.equal(1);
  });

  it('builds a day-like schedule of disjoint operations inside the range', () => {
    const ops = randomOperations(new Rng(1), T0, T0 + 86_400_000);
    expect(ops.length).to.be.greaterThan(10);
    ops.forEach((o, i) => {
      expect(o.end).to.be.greaterThan(o.start);
      expect(o.end).to.be.at.most(T0 + 86_400_000);
      if (i > 0) expect(o.start).to.be.at.least(ops[i - 1]!.end);
    });
  });
});
