import { expect } from 'chai';
import { SMALL } from './checker.test';
import { Decoder } from './decoder';
import { compileProblem, MAKESPAN_ONLY } from './model';
import { buildPlan, scoreSchedule } from './plan';
import { Rng } from '../common/rng';
import { SequenceState, TabuSearch } from './tabu';

describe('scheduling/Decoder', () => {
  const cp = compileProblem(SMALL);
  const start = new Float64Array(cp.nOps);
  const machine = new Int32Array(cp.nOps);

  it('inserts into idle gaps, respecting transport, windows and release dates', () => {
    // J0.0 on M2 (factory B), J0.1 on M1 (A), J1.0 on M0, J1.1 on M1
    new Decoder(cp).decode({ seq: Int32Array.from([0, 0, 1, 1]), asg: Int32Array.from([2, 1, 0, 1]) }, start, machine);
    // J0.0 [0,3) on M2; J0.1 arrives at 3+3=6, would run [6,11) but M1 is down [10,14) -> [14,19)
    // J1.0 released at 2 -> [2,4); J1.1 fits the gap [4,10) before the window on M1
    expect(Array.from(start)).to.deep.equal([0, 14, 2, 4]);
    expect(Array.from(machine)).to.deep.equal([2, 1, 0, 1]);
    const s = scoreSchedule(cp, machine, start, MAKESPAN_ONLY);
    expect(s.makespan).to.equal(19);
    expect(s.cost).to.equal(5); // transport B->A
  });

  it('the tabu evaluator reproduces the decoded schedule and the search never worsens it', () => {
    new Decoder(cp).decode({ seq: Int32Array.from([0, 0, 1, 1]), asg: Int32Array.from([2, 1, 0, 1]) }, start, machine);
    const state = new SequenceState(cp, MAKESPAN_ONLY);
    state.load(machine, start);
    expect(Array.from(state.start)).to.deep.equal([0, 14, 2, 4]);
    expect(state.makespan).to.equal(19);
    const r = new TabuSearch(cp, MAKESPAN_ONLY).run(state, new Rng(1), { maxIterations: 200, maxNoImprove: 50 });
    expect(r.objective).to.be.at.most(19);
    expect(state.makespan).to.equal(r.objective);
    const plan = buildPlan(cp, state.asg, state.start, MAKESPAN_ONLY);
    expect(plan.makespan).to.equal(r.objective);
  });

  it('detects a cycle in machine orders', () => {
    // one machine, two jobs with two operations each: order J0.1 before J1.0 and J1.1 before J0.0
    const cp2 = compileProblem({
      machines: [{ id: 'A' }, { id: 'B' }],
      jobs: [
        { id: 'J0', operations: [{ options: [{ machine: 'A', duration: 1 }] }, { options: [{ machine: 'B', duration: 1 }] }] },
        { id: 'J1', operations: [{ options: [{ machine: 'B', duration: 1 }] }, { options: [{ machine: 'A', duration: 1 }] }] },
      ],
    });
    const s = new SequenceState(cp2, MAKESPAN_ONLY);
    // A: J1.1 then J0.0 ; B: J0.1 then J1.0 -> cycle
    s.load(Int32Array.from([0, 1, 1, 0]), Float64Array.from([1, 0, 1, 0]));
    expect(s.evaluate(false)).to.equal(Infinity);
  });
});
