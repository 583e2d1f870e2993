import { expect } from 'chai';
import { compileProblem } from '../scheduling/model';
import { checkPlan } from '../scheduling/checker';
import { downtimeToUnavailability, withPredictedDowntime } from './availability';
import { TwinError } from './errors';
import { MachineTwin } from './machine-twin';
import { cncSpindleModel } from './models';
import { predictedDowntime, remainingUsefulLife, whatIf } from './rul';
import { MachineSimulator } from './simulator';

const T0 = Date.UTC(2026, 3, 1);

function trainedTwin(): MachineTwin {
  const model = cncSpindleModel();
  const sim = new MachineSimulator({ machineId: 'M', model, seed: 4, start: T0, initialState: [22, 0.4, 0.15, 0.03] });
  const twin = new MachineTwin('M', model);
  for (let i = 0; i < 6000; i++) {
    const s = sim.next();
    twin.ingest({ t: s.t, seq: s.seq, u: s.u, y: s.yRaw });
  }
  return twin;
}

describe('twin: wear prediction', () => {
  const twin = trainedTwin();
  const model = twin.model;
  const from = twin.lastTime!;

  it('predicts remaining useful life with an ordered band, close to the deterministic crossing', () => {
    const u = { load: 0.8, speed: 0.8 };
    const rul = remainingUsefulLife(model, twin.filter.x, twin.filter.p, from, u, 24 * 60, { seed: 3 });
    const { p10, p50, p90 } = rul.hoursToLimit;
    expect(p10).to.be.a('number');
    expect(p10!).to.be.at.most(p50!);
    expect(p50!).to.be.at.most(p90!);
    expect(p90! - p10!).to.be.greaterThan(0);
    // the mean path: W + h·r·g(u) = limit
    const g = u.load * (0.3 + 0.7 * u.speed) ** 2;
    const mean = (model.wear.limit - twin.filter.x[2]!) / (twin.filter.x[3]! * g);
    expect(p50!).to.be.closeTo(mean, mean * 0.15);
    // same seed, same answer
    expect(remainingUsefulLife(model, twin.filter.x, twin.filter.p, from, u, 24 * 60, { seed: 3 })).to.deep.equal(rul);
  });

  it('what-if: more load means more wear and more risk, and predicts downtime when risky', () => {
    const light = whatIf(model, twin.filter.x, twin.filter.p, from, [{ start: from + 60_000, end: from + 8 * 3_600_000, load: 0.2, speed: 0.3 }], { seed: 1 });
    const heavy = whatIf(model, twin.filter.x, twin.filter.p, from, [
      { start: from + 60_000, end: from + 40 * 3_600_000, load: 0.95, speed: 1 },
      { start: from + 41 * 3_600_000, end: from + 80 * 3_600_000, load: 0.95, speed: 1 },
    ], { seed: 1 });
    expect(heavy.wearAtEnd.mean).to.be.greaterThan(light.wearAtEnd.mean);
    expect(light.risk).to.equal(0);
    expect(light.downtime).to.deep.equal([]);
    expect(heavy.risk).to.be.greaterThan(0.5);
    expect(heavy.operations).to.have.length(2);
    expect(heavy.operations[1]!.wearMean).to.be.greaterThan(heavy.operations[0]!.wearMean);
    expect(heavy.downtime).to.have.length(1);
    const d = heavy.downtime[0]!;
    expect(d.end - d.start).to.equal(model.wear.maintenanceMinutes * 60_000);
    expect(d.start).to.be.at.most(heavy.crossing.p50!);
  });

  it('rejects overlapping, reversed or out-of-range schedules with INVALID_SCHEDULE', () => {
    const bad = [
      [],
      [{ start: from + 10, end: from + 5, load: 0.5, speed: 0.5 }],
      [{ start: from + 10, end: from + 100, load: 0.5, speed: 0.5 }, { start: from + 50, end: from + 200, load: 0.5, speed: 0.5 }],
      [{ start: from - 1000, end: from + 100, load: 0.5, speed: 0.5 }],
      [{ start: from + 10, end: from + 100, load: 1.5, speed: 0.5 }],
    ];
    for (const s of bad) expect(() => whatIf(model, twin.filter.x, twin.filter.p, from, s)).to.throw(TwinError).with.property('code', 'INVALID_SCHEDULE');
  });

  it('turns predicted downtime into scheduler unavailability the checker enforces', () => {
    const crossings = [T0 + 90 * 60_000 + 30_000, T0 + 100 * 60_000, T0 + 200 * 60_000];
    const windows = predictedDowntime(model, crossings, 10, 0.2);
    expect(windows).to.have.length(1);
    expect(windows[0]!.start).to.equal(T0 + 100 * 60_000);
    expect(predictedDowntime(model, crossings, 10, 0.5)).to.deep.equal([]);
    const clock = { originMs: T0, unitMs: 60_000 };
    expect(downtimeToUnavailability([{ start: T0 + 90.5 * 60_000, end: T0 + 110.2 * 60_000, reason: 'x', probability: 0.2 }, { start: T0 + 100 * 60_000, end: T0 + 130 * 60_000, reason: 'y', probability: 0.5 }, { start: T0 - 10 * 60_000, end: T0 - 60_000, reason: 'past', probability: 1 }], clock))
      .to.deep.equal([{ start: 90, end: 130 }]);
    const machines = withPredictedDowntime([{ id: 'A' }, { id: 'B', unavailable: [{ start: 0, end: 5 }] }], new Map([['B', windows]]), clock);
    expect(machines[0]).to.deep.equal({ id: 'A' });
    expect(machines[1]!.unavailable).to.deep.equal([{ start: 0, end: 5 }, { start: 100, end: 120 }]);
    const problem = { machines, jobs: [{ id: 'J', operations: [{ options: [{ machine: 'B', duration: 30 }] }] }] };
    expect(() => compileProblem(problem)).not.to.throw();
    const verdict = checkPlan(problem, { operations: [{ job: 'J', operation: 0, machine: 'B', start: 95, end: 125 }] });
    expect(verdict.violations.map((v) => v.code)).to.include('UNAVAILABLE');
    expect(checkPlan(problem, { operations: [{ job: 'J', operation: 0, machine: 'B', start: 120, end: 150 }] }).ok).to.equal(true);
  });
});
