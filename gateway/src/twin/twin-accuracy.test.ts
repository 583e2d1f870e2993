import { expect } from 'chai';
import { chiSquareQuantile } from './chi-square';
import { runFleet } from './fleet';
import { MachineTwin } from './machine-twin';
import { amPrinterModel, cncSpindleModel } from './models';
import { cholesky } from './rul';
import { FAULT_KINDS, MachineSimulator } from './simulator';

/** (x − x̂)ᵀ P⁻¹ (x − x̂) through the Cholesky factor. */
function nees(truth: readonly number[], x: Float64Array, p: Float64Array): number {
  const n = x.length;
  const l = cholesky(p, n);
  const z = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    let v = truth[i]! - x[i]!;
    for (let k = 0; k < i; k++) v -= l[i * n + k]! * z[k]!;
    z[i] = v / l[i * n + i]!;
    s += z[i]! * z[i]!;
  }
  return s;
}

describe('twin: consistency on simulated data', () => {
  for (const make of [cncSpindleModel, amPrinterModel]) {
    const model = make();
    it(`${model.id}: NEES and NIS within their χ² bounds across 30 independent runs`, () => {
      const runs = 30;
      const steps = 1500;
      const n = model.initialState.length;
      const checkpoints = new Map<number, number>();
      let nisSum = 0;
      let nisDof = 0;
      for (let r = 0; r < runs; r++) {
        // the simulator draws each machine's true wear and wear rate from the model's prior
        const sim = new MachineSimulator({ machineId: `C${r}`, model, seed: 1000 + r, start: Date.UTC(2026, 1, 1) });
        const twin = new MachineTwin(`C${r}`, model, { anomaly: { warmup: 0 } });
        for (let k = 1; k <= steps; k++) {
          const s = sim.next();
          const out = twin.ingest({ t: s.t, seq: s.seq, u: s.u, y: s.yRaw });
          if (k > 200) {
            nisSum += out.nis;
            nisDof += out.dof;
          }
          if (k > 200 && k % 100 === 0) checkpoints.set(k, (checkpoints.get(k) ?? 0) + nees(s.x, twin.filter.x, twin.filter.p));
        }
      }
      const lo = chiSquareQuantile(0.005, n * runs) / runs;
      const hi = chiSquareQuantile(0.995, n * runs) / runs;
      const averages = [...checkpoints.values()].map((v) => v / runs);
      const inside = averages.filter((a) => a >= lo && a <= hi).length;
      expect(inside / averages.length, `ANEES ${averages.map((a) => a.toFixed(2)).join(' ')} vs [${lo.toFixed(2)}, ${hi.toFixed(2)}]`).to.be.at.least(0.8);
      // the time-averaged NIS per degree of freedom is 1 for a consistent filter
      expect(nisSum / nisDof).to.be.within(0.85, 1.15);
    });
  }

  it('estimates better than the raw sensors (RMSE ratio ≤ 0.5) with drops, gaps, duplicates and swaps', () => {
    const r = runFleet({ machines: 4, hours: 8, seed: 7, faultKinds: [], delivery: { drop: 0.02, missingChannel: 0.02, duplicate: 0.01, swap: 0.02 } });
    expect(r.rmse.ratio).to.be.below(0.5);
    for (const [name, c] of Object.entries(r.rmse.channels)) expect(c.ratio, name).to.be.below(1);
    expect(r.messages).to.be.greaterThan(r.updates); // duplicates were delivered and not filtered twice
  });
});

describe('twin: anomaly detection on injected faults', () => {
  for (const kind of FAULT_KINDS) {
    it(`detects ${kind} faults on both machine types`, () => {
      const r = runFleet({ machines: 6, hours: 6, seed: 11, faultKinds: [kind], faultEveryMachine: true });
      expect(r.detection.faults).to.equal(6);
      expect(r.detection.recall, JSON.stringify(r.detection.byKind)).to.equal(1);
      expect(r.alarms.filter((a) => r.faults.some((f) => f.machineId === a.machineId && a.startedAt >= f.start && a.startedAt < f.end)).length).to.be.at.least(6);
      expect(r.detection.falseAlarms).to.be.at.most(1);
    });
  }

  it('raises no more than one alarm per machine-day on healthy machines', () => {
    const r = runFleet({ machines: 4, hours: 24, seed: 5, faultKinds: [], delivery: { drop: 0.01, missingChannel: 0.01, duplicate: 0.005, swap: 0.01 } });
    expect(r.detection.faults).to.equal(0);
    expect(r.falseAlarmsPerMachineDay).to.be.at.most(1);
  });

  it('does not detect faults that are not there: a fault of size zero is missed', () => {
    const r = runFleet({ machines: 4, hours: 6, seed: 3, faultKinds: ['step'], faultEveryMachine: true, faultSizes: { step: 0 } });
    expect(r.detection.recall).to.be.below(0.5);
  });
});
